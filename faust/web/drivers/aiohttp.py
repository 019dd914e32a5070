"""The aiohttp web server (``web='aiohttp://'``, the default).

Owner: the app (``app.web``). Children: the cache backend, then the server:
:class:`Server` on the app's event loop, or :class:`ServerThread` (its own
thread and loop) with ``web_in_thread=True``. The server binds in its
``on_start`` (TCP on ``web_bind:web_port`` with ``web_ssl_context``, or a
Unix socket with ``web_transport='unix:///path'``) and closes in its
``on_stop``. With ``web_port=0`` the OS picks a free port and
``conf.web_port`` (hence ``canonical_url``) is set to it.

Every error is answered in JSON by the error middleware: unknown paths
(404), methods a view does not serve (405, with ``Allow``), bodies too large
(413), and anything a view raises (500, logged with its traceback; the
client sees no traceback). The CORS middleware adds the headers
:mod:`faust.web.cors` computes, also to error responses.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Optional, Union

from aiohttp import __version__ as aiohttp_version
from aiohttp import web
from mode import ServiceT
from yarl import URL

from ...exceptions import AlreadyConfiguredWarning, ImproperlyConfigured
from ...types import AppT
from ...types.web import Request, ResourceOptions, Response
from ...utils.json import dumps_bytes
from .. import cors
from ..base import Web as BaseWeb
from ..messages import Request as _RequestABC
from ..messages import Response as _ResponseABC
from ._server import Server, ServerThread

__all__ = ["Web", "Server", "ServerThread"]

logger = logging.getLogger(__name__)

_bytes = bytes  # ``Web.bytes`` shadows the builtin inside the class

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# isinstance(request, faust.web.Request) holds for aiohttp's requests
_RequestABC.register(web.BaseRequest)
_ResponseABC.register(web.StreamResponse)

JSON_CONTENT_TYPE = "application/json"


class Web(BaseWeb):
    """The web server on aiohttp.

    Arguments:
        app: the app.
        **kwargs: forwarded to :class:`mode.Service`.
    """

    driver_version = f"aiohttp={aiohttp_version}"
    #: Seconds :meth:`stop_server` waits for requests in progress to finish.
    handler_shutdown_timeout: float = 5.0

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._web_app: Optional[web.Application] = None
        self._runner: Optional[web.AppRunner] = None
        self._server: Optional[ServiceT] = None
        self._cors_by_resource: dict[Any, Mapping[str, ResourceOptions]] = {}

    # -- the aiohttp application ----------------------------------------------

    @property
    def web_app(self) -> web.Application:
        """The aiohttp application (built on first use)."""
        if self._web_app is None:
            options = dict(self.app.conf.web_application_options or {})
            user_middlewares = list(options.pop("middlewares", ()) or ())
            self._web_app = web.Application(
                middlewares=[
                    self._cors_middleware,
                    self._error_middleware,
                    *user_middlewares,
                ],
                **options,
            )
        return self._web_app

    @property
    def _app(self) -> web.Application:
        # Faust's name for ``web_app``
        return self.web_app

    async def wsgi(self) -> Any:
        """The aiohttp application with every view, for another host server."""
        self.init_server()
        return self.web_app

    def route(
        self,
        pattern: str,
        handler: Any,
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
    ) -> None:
        """Serve ``handler`` at ``pattern``.

        ``handler`` is a View (each method it implements is routed) or a
        plain ``async def handler(request)`` (every method).
        """
        router = self.web_app.router
        if router.frozen:
            raise ImproperlyConfigured(
                f"Cannot serve {pattern}: the web server has started. "
                "Define pages and blueprints before the app starts."
            )
        resource = router.add_resource(pattern)
        options = {**self.cors_options, **(cors_options or {})}
        get_methods = getattr(handler, "get_methods", None)
        if get_methods is None:
            resource.add_route("*", self._wrap(handler))
        else:
            methods = set(get_methods())
            for method in sorted(methods):
                resource.add_route(method, self._wrap(handler))
            if options and "OPTIONS" not in methods:
                resource.add_route("OPTIONS", self._preflight(options, methods))
        if options:
            self._cors_by_resource[resource] = options

    @staticmethod
    def _wrap(handler: Callable[..., Any]) -> Handler:
        # aiohttp wants a coroutine function; a View instance is a callable
        async def _dispatch(request: web.Request) -> web.StreamResponse:
            response: web.StreamResponse = await handler(request)
            return response

        _dispatch.__doc__ = getattr(handler, "__doc__", None)
        if hasattr(handler, "get_methods"):
            _dispatch.faust_view = handler  # type: ignore[attr-defined]  # marker for the middleware
        return _dispatch

    def add_static(self, prefix: str, path: Union[Path, str], **kwargs: Any) -> None:
        """Serve the files under ``path`` at ``prefix``."""
        self.web_app.router.add_static(prefix, str(path), **kwargs)

    # -- responses ----------------------------------------------------------

    def text(
        self,
        value: str,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A ``text/plain`` response (or ``content_type``)."""
        return web.Response(
            text=value,
            content_type=content_type or "text/plain",
            status=status,
            reason=reason,
            headers=headers,
        )

    def html(
        self,
        value: str,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A ``text/html`` response."""
        return self.text(
            value,
            content_type=content_type or "text/html",
            status=status,
            reason=reason,
            headers=headers,
        )

    def json(
        self,
        value: Any,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A JSON response (``application/json; charset=utf-8``)."""
        return self._json(value, status, headers, content_type, reason)

    @staticmethod
    def _json(
        value: Any,
        status: int,
        headers: Optional[Mapping[str, str]] = None,
        content_type: Optional[str] = None,
        reason: Optional[str] = None,
    ) -> web.Response:
        return web.Response(
            body=dumps_bytes(value),
            content_type=content_type or JSON_CONTENT_TYPE,
            charset="utf-8",
            status=status,
            reason=reason,
            headers=headers,
        )

    def bytes(
        self,
        value: _bytes,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A binary response."""
        return web.Response(
            body=value,
            content_type=content_type,
            status=status,
            reason=reason,
            headers=headers,
        )

    async def read_request_content(self, request: Request) -> _bytes:
        """The request body (at most ``client_max_size`` bytes, else 413)."""
        body: _bytes = await request.read()
        return body

    def _response_parts(
        self, response: Response
    ) -> tuple[int, Iterable[tuple[str, str]], _bytes]:
        body = response.body
        if body is None:
            body = b""
        elif not isinstance(body, (bytes, bytearray)):
            raise NotImplementedError("Only responses with a bytes body serialize")
        return int(response.status), list(response.headers.items()), bytes(body)

    def _make_response(
        self, status: int, headers: list[tuple[str, str]], body: _bytes
    ) -> Response:
        kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
        return web.Response(body=body, status=status, headers=kept)

    def on_unhandled_error(self, request: Request, exc: Exception) -> Response:
        """Errors of aiohttp keep their status; anything else is a 500."""
        if isinstance(exc, web.HTTPException):
            if exc.status < 400:
                raise exc  # redirects and the like are answers, not errors
            return self._http_error(exc)
        return super().on_unhandled_error(request, exc)

    def _http_error(self, exc: web.HTTPException) -> web.Response:
        headers = {
            k: v
            for k, v in exc.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        if isinstance(exc, web.HTTPMethodNotAllowed):
            reason = f"Method {exc.method} not allowed."
        else:
            reason = exc.reason
        return self._json({"error": reason}, exc.status, headers)

    # -- middlewares --------------------------------------------------------

    @web.middleware
    async def _error_middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if getattr(request.match_info.handler, "faust_view", None) is not None:
            # View.dispatch reports to the sensors and answers errors itself
            return await self._answer(request, handler)
        # unknown paths, wrong methods, static files and plain handlers
        app = self.app
        state = app.sensors.on_web_request_start(app, request, view=None)
        response: Optional[web.StreamResponse] = None
        try:
            response = await self._answer(request, handler)
        finally:
            app.sensors.on_web_request_end(app, request, response, state, view=None)
        return response

    async def _answer(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return self._http_error(exc)
        except Exception as exc:
            response: web.StreamResponse = self.on_unhandled_error(request, exc)
            return response

    @web.middleware
    async def _cors_middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        response = await handler(request)
        origin = request.headers.get("Origin")
        if origin is None or request.method == "OPTIONS":
            return response
        route = request.match_info.route
        options = self._cors_by_resource.get(route.resource) or self.cors_options
        if options:
            extra = cors.actual_headers(options, origin)
            if extra:
                response.headers.update(extra)
        return response

    def _preflight(
        self, options: Mapping[str, ResourceOptions], methods: set[str]
    ) -> Handler:
        async def _answer(request: web.Request) -> web.StreamResponse:
            origin = request.headers.get("Origin")
            wanted = request.headers.get("Access-Control-Request-Method")
            if origin is None or wanted is None:
                return self._json(
                    {"error": "Not a CORS preflight request."},
                    405,
                    {"Allow": ",".join(sorted(methods))},
                )
            headers = cors.preflight_headers(
                options,
                origin,
                wanted,
                request.headers.get("Access-Control-Request-Headers"),
                methods,
            )
            if headers is None:
                return self._json(
                    {"error": "CORS preflight request refused.", "origin": origin},
                    403,
                )
            return web.Response(status=200, headers=headers)

        return _answer

    # -- serving ------------------------------------------------------------

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The cache backend, then the server (threaded or not)."""
        server_cls = ServerThread if self.app.conf.web_in_thread else Server
        self._server = server_cls(self, loop=self.loop, beacon=self.beacon)
        return [*super().on_init_dependencies(), self._server]

    async def start_server(self) -> None:
        """Register every view and bind the listening socket."""
        self.init_server()
        conf = self.app.conf
        runner = self._runner = web.AppRunner(
            self.web_app,
            access_log=None,
            shutdown_timeout=self.handler_shutdown_timeout,
        )
        await runner.setup()
        transport = URL(str(conf.web_transport))
        site = self._new_site(runner, transport)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            self._runner = None
            raise ImproperlyConfigured(
                f"Web server cannot listen on {self._describe(transport)}: "
                f"{exc.strerror or exc}. Use --web-port to pick another port "
                "(0: any free port), or --without-web"
            ) from exc
        if isinstance(site, web.TCPSite) and conf.web_port == 0:
            with warnings.catch_warnings():
                # a deliberate late update: the port only exists now, and
                # canonical_url (read later by the assignor) follows it
                warnings.simplefilter("ignore", AlreadyConfiguredWarning)
                conf.web_port = site.port
        logger.info("Web server listening on %s", self._describe(transport))

    def _new_site(self, runner: web.AppRunner, transport: URL) -> web.BaseSite:
        conf = self.app.conf
        if transport.scheme == "unix":
            return web.UnixSite(runner, transport.path)
        return web.TCPSite(
            runner,
            conf.web_bind,
            conf.web_port,
            ssl_context=conf.web_ssl_context,
        )

    def _describe(self, transport: URL) -> str:
        conf = self.app.conf
        if transport.scheme == "unix":
            return f"unix://{transport.path}"
        scheme = "https" if conf.web_ssl_context is not None else "http"
        return f"{scheme}://{conf.web_bind}:{conf.web_port}/"

    async def stop_server(self) -> None:
        """Close the listening socket and finish the open requests."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
