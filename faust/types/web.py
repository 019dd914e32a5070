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
    "CacheT",
    "HttpClientT",
    "PageArg",
    "Request",
    "RouteDecoratorRet",
    "ViewDecorator",
    "View",
    "ViewHandlerMethod",
    "Web",
    "ResourceOptions",
    "Response",
    "ViewHandlerFun",
    "WebT",
]

_bytes = bytes  # ``WebT.bytes`` shadows the builtin inside the class

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
#: A handler method of a class-based view: ``async def get(self, request)``.
ViewHandlerMethod = Callable[..., Awaitable[Response]]

if TYPE_CHECKING:  # pragma: no cover
    from faust.web.base import Web
    from faust.web.views import View
else:

    class View:
        """For annotations only: the view class is :class:`faust.web.View`."""

    class Web:
        """For annotations only: the web server class is ``faust.web.base.Web``."""


#: A decorator of view handlers (``takes_model``, ``cache.view()``).
ViewDecorator = Callable[[ViewHandlerFun], ViewHandlerFun]
#: What ``@blueprint.route`` returns.
RouteDecoratorRet = Callable[[PageArg], PageArg]


class ResourceOptions(NamedTuple):
    """CORS options of a resource (same fields as aiohttp-cors)."""

    allow_credentials: bool = False
    expose_headers: Any = ()
    allow_headers: Any = ()
    max_age: Optional[int] = None
    allow_methods: Any = None


class CacheBackendT(ServiceT):
    """A cache backend (``app.cache``)."""

    #: raised (and swallowed by the view cache) when the backend is down
    Unavailable: type[BaseException]

    @abc.abstractmethod
    async def get(self, key: str) -> Optional[bytes]: ...

    @abc.abstractmethod
    async def set(
        self, key: str, value: bytes, timeout: Optional[float] = None
    ) -> None: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None: ...


class CacheT(abc.ABC):
    """Caches the responses of views (``@cache.view()``)."""

    timeout: Optional[float]
    include_headers: bool
    key_prefix: str
    backend: Any

    @abc.abstractmethod
    def view(
        self,
        timeout: Any = None,
        include_headers: bool = False,
        key_prefix: Optional[str] = None,
        **kwargs: Any,
    ) -> ViewDecorator: ...


class BlueprintT(abc.ABC):
    """A reusable group of views."""

    name: str
    url_prefix: Optional[str]

    @abc.abstractmethod
    def cache(
        self,
        timeout: Any = None,
        include_headers: bool = False,
        key_prefix: Optional[str] = None,
        backend: Any = None,
    ) -> CacheT: ...

    @abc.abstractmethod
    def route(
        self,
        uri: str,
        *,
        name: Optional[str] = None,
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
        base: Optional[type] = None,
    ) -> RouteDecoratorRet: ...

    @abc.abstractmethod
    def static(
        self, uri: str, file_or_directory: Any, *, name: Optional[str] = None
    ) -> None: ...

    @abc.abstractmethod
    def register(self, app: AppT, *, url_prefix: Optional[str] = None) -> None: ...

    @abc.abstractmethod
    def init_webserver(self, web: WebT) -> None: ...

    @abc.abstractmethod
    def on_webserver_init(self, web: WebT) -> None: ...


class WebT(ServiceT):
    """The web server driver (``app.web``)."""

    app: AppT
    driver_version: str
    views: Mapping[str, Any]
    reverse_names: Mapping[str, str]
    blueprints: Any
    cors_options: Mapping[str, ResourceOptions]

    @abc.abstractmethod
    def text(
        self,
        value: str,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response: ...

    @abc.abstractmethod
    def html(
        self,
        value: str,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response: ...

    @abc.abstractmethod
    def json(
        self,
        value: Any,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response: ...

    @abc.abstractmethod
    def bytes(
        self,
        value: _bytes,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response: ...

    @abc.abstractmethod
    def bytes_to_response(self, s: _bytes) -> Response: ...

    @abc.abstractmethod
    def response_to_bytes(self, response: Response) -> _bytes: ...

    @abc.abstractmethod
    async def read_request_content(self, request: Request) -> _bytes: ...

    @abc.abstractmethod
    def add_view(
        self,
        view_cls: type,
        *,
        prefix: str = "",
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
    ) -> Any: ...

    @abc.abstractmethod
    def url_for(self, view_name: str, **kwargs: Any) -> str: ...

    @abc.abstractmethod
    def on_unhandled_error(self, request: Request, exc: Exception) -> Response: ...

    @abc.abstractmethod
    def liveness(self) -> tuple[bool, dict[str, Any]]: ...

    @abc.abstractmethod
    def readiness(self) -> tuple[bool, dict[str, Any]]: ...

    @property
    @abc.abstractmethod
    def recovered(self) -> bool: ...

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
