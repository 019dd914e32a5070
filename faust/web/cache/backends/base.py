"""The base of cache backends: errors become ``CacheUnavailable``.

Owner: the app (``app.cache``), started and stopped by the web server.
Subclasses implement ``_get``/``_set``/``_delete`` and list the client's
exceptions in three groups: *operational* (the backend is down: the caller
bypasses the cache), *invalidating* (the entry is bad: it is deleted), and
*irrecoverable* (configuration errors: the backend service crashes, so its
owner notices). Every group surfaces to callers as
:exc:`~faust.web.cache.exceptions.CacheUnavailable`.
"""

from __future__ import annotations

import abc
import logging
from typing import Any, ClassVar, NoReturn, Optional, Union

from mode import Service
from yarl import URL

from ....types import AppT
from ....types.web import CacheBackendT
from ..exceptions import CacheUnavailable

__all__ = ["CacheBackend"]

logger = logging.getLogger(__name__)

ErrorTypes = tuple[type[BaseException], ...]


class CacheBackend(CacheBackendT, Service):
    """A cache backend.

    Arguments:
        app: the app.
        url: the backend URL (the ``cache`` setting).
        **kwargs: forwarded to :class:`mode.Service`.
    """

    Unavailable: type[BaseException] = CacheUnavailable

    operational_errors: ClassVar[ErrorTypes] = ()
    invalidating_errors: ClassVar[ErrorTypes] = ()
    irrecoverable_errors: ClassVar[ErrorTypes] = ()

    def __init__(
        self, app: AppT, url: Union[URL, str] = "memory://", **kwargs: Any
    ) -> None:
        self.app = app
        self.url = URL(str(url))
        Service.__init__(self, **kwargs)

    @abc.abstractmethod
    async def _get(self, key: str) -> Optional[bytes]: ...

    @abc.abstractmethod
    async def _set(self, key: str, value: bytes, timeout: Optional[float]) -> None: ...

    @abc.abstractmethod
    async def _delete(self, key: str) -> None: ...

    async def get(self, key: str) -> Optional[bytes]:
        """The value of ``key``, or None (CacheUnavailable if down)."""
        try:
            return await self._get(key)
        except Exception as exc:
            await self._on_error(key, exc)

    async def set(
        self, key: str, value: bytes, timeout: Optional[float] = None
    ) -> None:
        """Store ``value``, for ``timeout`` seconds if given."""
        try:
            await self._set(key, value, timeout)
        except Exception as exc:
            await self._on_error(key, exc)

    async def delete(self, key: str) -> None:
        """Forget ``key``."""
        try:
            await self._delete(key)
        except Exception as exc:
            await self._on_error(key, exc)

    async def _on_error(self, key: str, exc: Exception) -> NoReturn:
        if isinstance(exc, self.operational_errors):
            raise CacheUnavailable(f"{self.url.scheme} cache: {exc!r}") from exc
        if isinstance(exc, self.invalidating_errors):
            logger.warning("Cache entry %s is invalid (%r): deleting it", key, exc)
            try:
                await self._delete(key)
            except Exception as del_exc:
                logger.warning("Could not delete cache entry %s: %r", key, del_exc)
            raise CacheUnavailable(f"invalid cache entry {key}: {exc!r}") from exc
        if isinstance(exc, self.irrecoverable_errors):
            await self.crash(exc)
            raise CacheUnavailable(f"{self.url.scheme} cache failed: {exc!r}") from exc
        raise exc

    def _repr_info(self) -> str:
        return f"url={str(self.url)!r}"
