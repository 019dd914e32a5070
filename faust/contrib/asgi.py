"""Run a faust app and an ASGI application (FastAPI, Starlette, ...) together.

Two ways, both on one event loop:

* the ASGI server owns the process (``uvicorn myproj.api:api``): the faust
  app starts and stops with the ASGI app's lifespan::

      api = FastAPI(lifespan=faust_lifespan(app))
      # or, for any ASGI app: api = FaustLifespanMiddleware(api, app)

* the faust worker owns the process (``faust -A myproj worker``): the ASGI
  app is served by uvicorn as the app's web server, started once tables
  have recovered (instead of faust's own aiohttp server)::

      serve_asgi(app, api, port=8000)

Serving needs :pypi:`uvicorn` (``pip install 'faust-ng[asgi]'``); nothing here
imports it before it is used.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any, Optional

from mode import Service

from ..exceptions import FaustError, ImproperlyConfigured
from ..types import AppT

__all__ = [
    "AsgiService",
    "FaustLifespanMiddleware",
    "LoopMismatch",
    "bind_to_running_loop",
    "faust_app_running",
    "faust_lifespan",
    "serve_asgi",
]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class LoopMismatch(FaustError):
    """The faust app already runs on another event loop than the ASGI server's."""


def _uvicorn() -> Any:
    try:
        return importlib.import_module("uvicorn")
    except ImportError:
        raise ImproperlyConfigured(
            "Serving an ASGI app needs uvicorn: pip install 'faust-ng[asgi]'"
        ) from None


def bind_to_running_loop(app: AppT) -> AppT:
    """Make ``app`` use the running event loop (the ASGI server's).

    Raises:
        LoopMismatch: the app was started on another loop.
    """
    loop = asyncio.get_running_loop()
    current = app.__dict__.get("_loop")
    if current is not None and current is not loop and app.started:
        raise LoopMismatch(
            f"{app} runs on another event loop than the ASGI server: start it "
            "from the server's lifespan (faust_lifespan) instead"
        )
    app.loop = loop
    return app


@asynccontextmanager
async def faust_app_running(
    app: AppT,
    *,
    finalize: bool = True,
    discover: Optional[bool] = None,
    stop_timeout: Optional[float] = None,
) -> AsyncIterator[AppT]:
    """Run ``app`` (started on the running loop) for the ``async with`` body.

    Arguments:
        app: the faust app.
        finalize: validate the configuration first (as the worker does).
        discover: run autodiscovery (default: the ``autodiscover`` setting).
        stop_timeout: seconds to wait for the app to stop (default: no limit).
    """
    bind_to_running_loop(app)
    if finalize:
        app.finalize()
    if discover if discover is not None else app.conf.autodiscover:
        app.discover()
    await app.start()
    try:
        yield app
    finally:
        if stop_timeout is None:
            await app.stop()
        else:
            await asyncio.wait_for(app.stop(), stop_timeout)


def faust_lifespan(
    app: AppT, *, opentelemetry: Optional[bool] = None, **kwargs: Any
) -> Callable[[Any], Any]:
    """A ``lifespan=`` for FastAPI/Starlette that runs ``app`` with the server.

    Arguments:
        app: the faust app.
        opentelemetry: also instrument the ASGI app with OpenTelemetry
            (:func:`faust.contrib.opentelemetry.instrument_asgi_app`).
        **kwargs: passed to :func:`faust_app_running`.
    """

    @asynccontextmanager
    async def lifespan(asgi_app: Any) -> AsyncIterator[None]:
        if opentelemetry:
            from .opentelemetry import instrument_asgi_app

            instrument_asgi_app(asgi_app)
        async with faust_app_running(app, **kwargs):
            yield

    return lifespan


class FaustLifespanMiddleware:
    """ASGI middleware running ``faust_app`` from lifespan startup to shutdown.

    Other scopes (``http``, ``websocket``) go to ``asgi_app`` unchanged; the
    lifespan messages go on to it too, so its own startup handlers run.

    Arguments:
        asgi_app: the ASGI application.
        faust_app: the faust app.
        **kwargs: passed to :func:`faust_app_running`.
    """

    def __init__(self, asgi_app: ASGIApp, faust_app: AppT, **kwargs: Any) -> None:
        self.asgi_app = asgi_app
        self.faust_app = faust_app
        self.options = kwargs
        self._running: Optional[Any] = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection (or the lifespan)."""
        if scope.get("type") != "lifespan":
            await self.asgi_app(scope, receive, send)
            return

        async def lifespan_receive() -> MutableMapping[str, Any]:
            message = await receive()
            kind = message.get("type")
            if kind == "lifespan.startup":
                self._running = faust_app_running(self.faust_app, **self.options)
                await self._running.__aenter__()
            elif kind == "lifespan.shutdown" and self._running is not None:
                running, self._running = self._running, None
                await running.__aexit__(None, None, None)
            return message

        await self.asgi_app(scope, lifespan_receive, send)


class AsgiService(Service):
    """Serves an ASGI application with uvicorn on the faust app's event loop.

    Registered by :func:`serve_asgi` as the app's ``@app.web_server``: it
    starts once tables have recovered and stops with the app.

    Arguments:
        asgi_app: the ASGI application.
        host: interface to bind (default: the ``web_bind`` setting).
        port: port to bind (default: the ``web_port`` setting).
        uvicorn_options: more ``uvicorn.Config`` options.
    """

    faust_app: Optional[AppT] = None

    def __init__(
        self,
        asgi_app: Optional[ASGIApp] = None,
        *,
        host: Optional[str] = None,
        port: Optional[int] = None,
        uvicorn_options: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        self.asgi_app = asgi_app
        self.host = host
        self.port = port
        self.uvicorn_options = dict(uvicorn_options or {})
        self.server_shutdown_timeout = 10.0
        self.opentelemetry = False
        self._server: Any = None
        super().__init__(**kwargs)

    @property
    def driver_version(self) -> str:
        """``uvicorn=<version>``."""
        return f"uvicorn={_uvicorn().__version__}"

    def get_web_url(self) -> str:
        """The URL the server answers at."""
        host = self.host or "localhost"
        if host in ("0.0.0.0", "::"):  # a bind address, not an URL host
            host = "localhost"
        return f"http://{host}:{self.port}/"

    async def on_start(self) -> None:
        """Start uvicorn (lifespan off: the faust app is already running)."""
        uvicorn = _uvicorn()
        config = uvicorn.Config(
            self.asgi_app,
            host=self.host or "127.0.0.1",
            port=self.port or 8000,
            lifespan="off",
            log_config=None,
            **self.uvicorn_options,
        )
        server = self._server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # the worker owns signals
        self.add_future(server.serve())
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.01)
        if not server.started:
            raise ImproperlyConfigured(
                f"uvicorn could not serve on {config.host}:{config.port}"
            )

    async def on_stop(self) -> None:
        """Ask uvicorn to finish its requests and exit."""
        server = self._server
        if server is not None:
            server.should_exit = True


def serve_asgi(
    app: AppT,
    asgi_app: ASGIApp,
    *,
    host: Optional[str] = None,
    port: Optional[int] = None,
    **uvicorn_options: Any,
) -> AsgiService:
    """Serve ``asgi_app`` as ``app``'s web server (instead of faust.web).

    Returns:
        The service (registered with ``app.web_server``).
    """
    service = AsgiService(
        asgi_app,
        host=host if host is not None else str(app.conf.web_bind),
        port=port if port is not None else int(app.conf.web_port),
        uvicorn_options=uvicorn_options,
        loop=app.loop,
        beacon=app.beacon,
    )
    service.faust_app = app
    app.web_server(service)
    return service
