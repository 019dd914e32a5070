"""The web server: views, blueprints and the built-in pages."""

from __future__ import annotations

from .base import Web

__all__ = ["Web"]
