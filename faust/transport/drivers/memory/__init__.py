"""The in-process ``memory://`` transport and its embedded broker engine."""

from __future__ import annotations

from .transport import Consumer, Producer, Transport

__all__ = ["Consumer", "Producer", "Transport"]
