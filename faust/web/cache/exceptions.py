"""Errors of the view cache."""

from __future__ import annotations

from ...exceptions import FaustError

__all__ = ["CacheUnavailable"]


class CacheUnavailable(FaustError):
    """The cache backend cannot be reached: the view cache is bypassed."""
