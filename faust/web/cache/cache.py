"""``@cache.view()``: keep a view's responses in the cache backend.

Only GET and HEAD requests answered with status 200 are cached (HEAD is
served from the GET entry). The key is
``faustweb.cache.view.{prefix}.{method}.{md5(url)}.{md5(headers)}``, where
the headers part covers the request headers only with
``include_headers=True``. A backend that is down (``CacheUnavailable``) or an
entry that cannot be decoded is treated as a miss: the view runs as usual.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from functools import wraps
from typing import Any, ClassVar, Optional
from urllib.parse import quote

from mode import Seconds, want_seconds

from ...types.web import CacheBackendT, CacheT, Request, Response, ViewDecorator
from .exceptions import CacheUnavailable

__all__ = ["Cache", "IDENT", "iri_to_uri"]

logger = logging.getLogger(__name__)

#: First part of every view cache key.
IDENT = "faustweb.cache.view"

#: RFC 3986 reserved and unreserved characters, plus ``%`` (RFC 3987 §3.1)
_URI_SAFE = "/#%[]=:;$&()+,!?*@'~"


def iri_to_uri(iri: str) -> str:
    """Percent-encode what is not allowed in a URI (keeps reserved chars)."""
    return quote(iri, safe=_URI_SAFE)


class Cache(CacheT):
    """A view cache.

    Arguments:
        timeout: seconds an entry lives (None: until the backend drops it).
        include_headers: make the request headers part of the key.
        key_prefix: middle part of the keys (blueprints use their name).
        backend: the backend (default: ``app.cache``).
    """

    ident: ClassVar[str] = IDENT

    def __init__(
        self,
        timeout: Optional[Seconds] = None,
        include_headers: bool = False,
        key_prefix: Optional[str] = None,
        backend: Any = None,
        **kwargs: Any,
    ) -> None:
        self.timeout = want_seconds(timeout) if timeout is not None else None
        self.include_headers = include_headers
        self.key_prefix = key_prefix or ""
        self.backend = backend

    def view(
        self,
        timeout: Optional[Seconds] = None,
        include_headers: bool = False,
        key_prefix: Optional[str] = None,
        **kwargs: Any,
    ) -> ViewDecorator:
        """Decorate a view method (``get``) to cache its responses."""

        def _inner(fun: Any) -> Any:
            @wraps(fun)
            async def cached(view: Any, request: Request, *args: Any, **kw: Any) -> Any:
                key: Optional[str] = None
                if self.can_cache_request(request):
                    key = self.key_for_request(
                        request, key_prefix, "GET", include_headers
                    )
                    hit = await self.get_view(key, view)
                    if hit is not None:
                        return hit
                response = await fun(view, request, *args, **kw)
                if key is not None and self.can_cache_response(request, response):
                    await self.set_view(key, view, response, timeout)
                return response

            return cached

        return _inner

    def _view_backend(self, view: Any) -> CacheBackendT:
        backend = self.backend
        if backend is None:
            backend = view.app.cache
        return backend  # type: ignore[no-any-return]  # a CacheBackendT

    async def get_view(self, key: str, view: Any) -> Optional[Response]:
        """The cached response for ``key``, or None."""
        backend = self._view_backend(view)
        try:
            payload = await backend.get(key)
        except CacheUnavailable as exc:
            logger.warning("View cache unavailable (read %s): %r", key, exc)
            return None
        if payload is None:
            return None
        try:
            return view.bytes_to_response(payload)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("Dropping undecodable view cache entry %s: %r", key, exc)
            return None

    async def set_view(
        self,
        key: str,
        view: Any,
        response: Response,
        timeout: Optional[Seconds] = None,
    ) -> None:
        """Store ``response`` under ``key``."""
        backend = self._view_backend(view)
        ttl = want_seconds(timeout) if timeout is not None else self.timeout
        try:
            payload = view.response_to_bytes(response)
        except NotImplementedError:
            return  # e.g. a streamed body: not cacheable
        try:
            await backend.set(key, payload, ttl)
        except CacheUnavailable as exc:
            logger.warning("View cache unavailable (write %s): %r", key, exc)

    def can_cache_request(self, request: Request) -> bool:
        """True for GET and HEAD requests."""
        return str(request.method).upper() in ("GET", "HEAD")

    def can_cache_response(self, request: Request, response: Response) -> bool:
        """True for responses with status 200."""
        return getattr(response, "status", None) == 200

    def key_for_request(
        self,
        request: Request,
        prefix: Optional[str] = None,
        method: Optional[str] = None,
        include_headers: bool = False,
    ) -> str:
        """The cache key of ``request``."""
        actual_method = request.method if method is None else method
        with_headers = include_headers or self.include_headers
        headers: Mapping[str, str] = request.headers if with_headers else {}
        return self.build_key(
            request,
            actual_method,
            self.key_prefix if prefix is None else prefix,
            headers,
        )

    def build_key(
        self,
        request: Request,
        method: str,
        prefix: str,
        headers: Mapping[str, str],
    ) -> str:
        """``{ident}.{prefix}.{method}.{md5(url)}.{md5(headers)}``."""
        context = hashlib.md5(  # a cache key, not a secret
            b"".join(f"{k}{v}".encode() for k, v in headers.items()),
            usedforsecurity=False,
        ).hexdigest()
        url = hashlib.md5(
            iri_to_uri(str(request.url)).encode("ascii"), usedforsecurity=False
        ).hexdigest()
        return f"{self.ident}.{prefix}.{method}.{url}.{context}"
