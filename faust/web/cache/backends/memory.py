"""The in-process cache backend (``cache='memory://'``, the default).

Entries with a timeout expire when read after their deadline; a timer
purges expired entries every 30 seconds so that unread ones do not pile up.
Each worker has its own cache.
"""

from __future__ import annotations

import time
from typing import Any, Generic, Optional, TypeVar

from mode import Service

from .base import CacheBackend as BaseCacheBackend

__all__ = ["CacheBackend", "CacheStorage"]

KT = TypeVar("KT")
VT = TypeVar("VT")


class CacheStorage(Generic[KT, VT]):
    """A dict whose entries may expire (monotonic clock)."""

    def __init__(self) -> None:
        self._data: dict[KT, VT] = {}
        self._deadlines: dict[KT, float] = {}
        self._ttls: dict[KT, float] = {}

    def get(self, key: KT) -> Optional[VT]:
        """The value of ``key``, or None if absent or expired."""
        deadline = self._deadlines.get(key)
        if deadline is not None and time.monotonic() >= deadline:
            self.delete(key)
            return None
        return self._data.get(key)

    def last_set_ttl(self, key: KT) -> Optional[float]:
        """The timeout ``key`` was last stored with."""
        return self._ttls.get(key)

    def expire(self, key: KT) -> None:
        """Make ``key`` expire now."""
        if key in self._data:
            self._deadlines[key] = time.monotonic()

    def ttl(self, key: KT) -> Optional[float]:
        """Seconds until ``key`` expires (None: never, or absent)."""
        deadline = self._deadlines.get(key)
        if deadline is None:
            return None
        return max(deadline - time.monotonic(), 0.0)

    def set(self, key: KT, value: VT) -> None:
        """Store ``value`` without a timeout."""
        self._data[key] = value
        self._deadlines.pop(key, None)
        self._ttls.pop(key, None)

    def setex(self, key: KT, timeout: float, value: VT) -> None:
        """Store ``value`` for ``timeout`` seconds."""
        self._data[key] = value
        self._deadlines[key] = time.monotonic() + timeout
        self._ttls[key] = timeout

    def delete(self, key: KT) -> None:
        """Forget ``key``."""
        self._data.pop(key, None)
        self._deadlines.pop(key, None)
        self._ttls.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()
        self._deadlines.clear()
        self._ttls.clear()

    def purge_expired(self) -> int:
        """Drop the expired entries; returns how many."""
        now = time.monotonic()
        expired = [k for k, deadline in self._deadlines.items() if now >= deadline]
        for key in expired:
            self.delete(key)
        return len(expired)

    def __len__(self) -> int:
        return len(self._data)


class CacheBackend(BaseCacheBackend):
    """Cache entries in this process.

    Tasks: ``_purge`` (every 30 seconds, drops expired entries).
    """

    def __init__(self, app: Any, url: Any = "memory://", **kwargs: Any) -> None:
        self.storage: CacheStorage[str, bytes] = CacheStorage()
        super().__init__(app, url, **kwargs)

    async def _get(self, key: str) -> Optional[bytes]:
        return self.storage.get(key)

    async def _set(self, key: str, value: bytes, timeout: Optional[float]) -> None:
        if timeout is not None:
            self.storage.setex(key, timeout, value)
        else:
            self.storage.set(key, value)

    async def _delete(self, key: str) -> None:
        self.storage.delete(key)

    @Service.timer(30.0)
    async def _purge(self) -> None:
        self.storage.purge_expired()
