"""Web interfaces: the HTTP server that serves views and built-in pages."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from mode import ServiceT
from yarl import URL

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = [
    "BlueprintT",
    "CacheBackendT",
    "HttpClientT",
    "PageArg",
    "Request",
    "ResourceOptions",
    "Response",
    "ViewHandlerFun",
    "WebT",
]

#: The HTTP request object handed to views (aiohttp's ``web.Request``).
Request = Any
#: The HTTP response object views return (aiohttp's ``web.Response``).
Response = Any
#: The HTTP client session type of ``app.http_client``.
HttpClientT = Any
#: A view handler: ``async def handler(view, request, **match_info)``.
ViewHandlerFun = Callable[..., Awaitable[Response]]
#: What ``@app.page`` decorates: a handler function or a View class.
PageArg = Union[type, ViewHandlerFun]


class ResourceOptions(NamedTuple):
    """CORS options of a resource (same fields as aiohttp-cors)."""

    allow_credentials: bool = False
    expose_headers: Any = ()
    allow_headers: Any = ()
    max_age: Optional[int] = None
    allow_methods: Any = None


class CacheBackendT(ServiceT):
    """A cache backend (``app.cache``)."""

    @abc.abstractmethod
    async def get(self, key: str) -> Optional[bytes]: ...

    @abc.abstractmethod
    async def set(
        self, key: str, value: bytes, timeout: Optional[float] = None
    ) -> None: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None: ...


class BlueprintT(abc.ABC):
    """A reusable group of views."""

    name: str
    url_prefix: Optional[str]

    @abc.abstractmethod
    def register(self, app: AppT, *, url_prefix: Optional[str] = None) -> None: ...


class WebT(ServiceT):
    """The web server driver (``app.web``)."""

    app: AppT
    driver_version: str
    views: Mapping[str, Any]

    @abc.abstractmethod
    def route(
        self,
        pattern: str,
        handler: Any,
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
    ) -> None: ...

    @abc.abstractmethod
    def add_static(self, prefix: str, path: Any, **kwargs: Any) -> None: ...

    @abc.abstractmethod
    def init_server(self) -> None: ...

    @property
    @abc.abstractmethod
    def url(self) -> URL: ...
