"""Transports: how faust talks to the broker."""

from __future__ import annotations

from .drivers import by_name, by_url

__all__ = ["by_name", "by_url"]
