"""The application: ``faust.App``."""

from __future__ import annotations

from .base import App
from .boot import BootStrategy

__all__ = ["App", "BootStrategy"]
