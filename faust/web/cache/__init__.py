"""The view cache: ``@cache.view()`` stores responses in ``app.cache``."""

from __future__ import annotations

from .cache import Cache

__all__ = ["Cache"]
