"""Streams: what agents iterate over."""

from __future__ import annotations

from .._context import current_event
from .stream import Stream

__all__ = ["Stream", "current_event"]
