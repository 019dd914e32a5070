"""The Web service: routes, views, blueprints and this worker's address.

Owner: the app (``app.web``), started after the producer and before the
consumer, so that ``/livez`` and ``/readyz`` answer while tables recover
(``/readyz`` says 503 until recovery is done). Children: the cache backend
(``app.cache``) and the server (built by the driver). Tasks:
``_watch_recovery`` (marks the worker ready once tables have recovered) and
the ``_heartbeat`` timer (``/livez`` notices an event loop that stopped
turning, also when the server runs in its own thread).

Drivers (:mod:`faust.web.drivers.aiohttp`) subclass :class:`Web` and own
the HTTP machinery; this module knows nothing of aiohttp.

``init_server()`` registers, in order: whatever ``App.on_webserver_init(web)``
adds, the views of ``@app.page``, then the blueprints: those added with
``web.blueprints.add()`` and the built-in ones (``/``, ``/assignment/``,
``/router/``, ``/table/``, ``/graph/``, ``/livez``, ``/readyz``,
``/metrics``) chosen by the ``web_*_enabled`` settings. A built-in view never
hides a user's view at the same path.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Optional, Union
from urllib.parse import quote

from mode import Service, ServiceT
from mode.utils.imports import symbol_by_name
from yarl import URL

from ..exceptions import ImproperlyConfigured
from ..types import AppT
from ..types.web import BlueprintT, ResourceOptions, WebT
from ..types.web import Request as _Request
from ..types.web import Response as _Response
from ..utils.json import dumps_bytes, loads
from .messages import Request, Response

__all__ = ["BlueprintManager", "Request", "Response", "Web", "DEFAULT_BLUEPRINTS"]

logger = logging.getLogger(__name__)

_bytes = bytes  # ``Web.bytes`` shadows the builtin inside the class

#: ``(url_prefix, blueprint or "module:attribute")``
#: A blueprint to serve: ``(url prefix, blueprint or its import path)``.
BlueprintArg = tuple[str, Union[str, BlueprintT]]

#: Always served (each may be switched off by its own setting, see below).
DEFAULT_BLUEPRINTS: list[BlueprintArg] = [
    ("/router", "faust.web.apps.router:blueprint"),
    ("/table", "faust.web.apps.tables:blueprint"),
]
#: Served at ``/`` when ``web_stats_enabled`` is off.
PRODUCTION_BLUEPRINTS: list[BlueprintArg] = [
    ("", "faust.web.apps.production_index:blueprint"),
]
#: Served when ``web_stats_enabled`` / ``web_graph_enabled`` (``debug``).
DEBUG_BLUEPRINTS: list[BlueprintArg] = [
    ("/graph", "faust.web.apps.graph:blueprint"),
    ("", "faust.web.apps.stats:blueprint"),
]
#: Health and metrics, always served.
OPERATIONS_BLUEPRINTS: list[BlueprintArg] = [
    ("", "faust.web.apps.health:blueprint"),
    ("", "faust.web.apps.metrics:blueprint"),
]

#: Served when ``web_metrics_enabled``.
METRICS_BLUEPRINTS: list[BlueprintArg] = [
    ("/performance", "faust.web.apps.performance:blueprint"),
]

#: The setting that switches each optional built-in blueprint on.
BLUEPRINT_FLAGS: Mapping[str, str] = {
    "faust.web.apps.router:blueprint": "web_router_enabled",
    "faust.web.apps.tables:blueprint": "web_tables_enabled",
    "faust.web.apps.graph:blueprint": "web_graph_enabled",
    "faust.web.apps.stats:blueprint": "web_stats_enabled",
    "faust.web.apps.performance:blueprint": "web_metrics_enabled",
}

#: ``/livez`` fails when the app's event loop has not run the heartbeat
#: timer for this many seconds.
LIVENESS_STALL_SECONDS = 30.0

_CACHE_MAGIC = b"FWR1\n"


class BlueprintManager:
    """The blueprints a web server serves (``app.web.blueprints``).

    Arguments:
        initial: ``(prefix, blueprint)`` pairs to start with.
    """

    def __init__(self, initial: Optional[Iterable[BlueprintArg]] = None) -> None:
        self.applied = False
        self._enabled: list[BlueprintArg] = list(initial or ())
        self._active: dict[str, BlueprintT] = {}

    def add(self, prefix: str, blueprint: Union[str, BlueprintT]) -> None:
        """Serve ``blueprint`` (object or ``"module:attr"``) under ``prefix``.

        Raises:
            RuntimeError: the server has already started.
        """
        if self.applied:
            raise RuntimeError("Cannot add blueprints after server started")
        self._enabled.append((prefix, blueprint))

    def apply(self, web: WebT, extra: Iterable[BlueprintArg] = ()) -> None:
        """Register every blueprint with the app of ``web`` (once)."""
        if self.applied:
            return
        self.applied = True
        for prefix, blueprint in [*self._enabled, *extra]:
            bp: BlueprintT = symbol_by_name(blueprint)
            self._active[f"{prefix}:{bp.name}"] = bp
            bp.register(web.app, url_prefix=prefix)
            bp.init_webserver(web)

    @property
    def active(self) -> Mapping[str, BlueprintT]:
        """The applied blueprints by ``prefix:name``."""
        return self._active


class Web(Service, WebT):
    """The web server: routes requests to views.

    Arguments:
        app: the app.
        **kwargs: forwarded to :class:`mode.Service`.
    """

    driver_version = "unknown"

    default_blueprints: ClassVar[list[BlueprintArg]] = DEFAULT_BLUEPRINTS
    production_blueprints: ClassVar[list[BlueprintArg]] = PRODUCTION_BLUEPRINTS
    debug_blueprints: ClassVar[list[BlueprintArg]] = DEBUG_BLUEPRINTS
    operations_blueprints: ClassVar[list[BlueprintArg]] = OPERATIONS_BLUEPRINTS
    metrics_blueprints: ClassVar[list[BlueprintArg]] = METRICS_BLUEPRINTS
    #: More blueprints to serve, each only while the setting named for it in
    #: :attr:`blueprint_flags` is on (always, if it has no flag).
    optional_blueprints: ClassVar[list[BlueprintArg]] = []
    #: Blueprint (import path, or name of a Blueprint object) -> the setting
    #: that switches it on.
    blueprint_flags: ClassVar[Mapping[str, str]] = BLUEPRINT_FLAGS

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self.views: dict[str, Any] = {}
        self.reverse_names: dict[str, str] = {}
        self.blueprints = BlueprintManager()
        self._methods_by_path: dict[str, set[str]] = {}
        self._server_initialized = False
        self._recovered = False
        self._last_beat: Optional[float] = None
        Service.__init__(self, **kwargs)

    @property
    def cors_options(self) -> Mapping[str, ResourceOptions]:  # type: ignore[override]  # read-only here
        """The CORS options of every view (``web_cors_options``)."""
        return self.app.conf.web_cors_options or {}

    # -- registering views ----------------------------------------------------

    def init_server(self) -> None:
        """Register the hook's routes, the app's pages and the blueprints."""
        if self._server_initialized:
            return
        self._server_initialized = True
        # the hook first: pages it defines with @app.page are then added below
        self.app.on_webserver_init(self)
        for view_cls, cors_options in list(self.app.pages):
            self.add_view(view_cls, cors_options=cors_options)
        self.blueprints.apply(self, self._builtin_blueprints())

    def _builtin_blueprints(self) -> list[BlueprintArg]:
        conf = self.app.conf
        found: list[BlueprintArg] = list(self.operations_blueprints)
        for prefix, bp in [
            *self.default_blueprints,
            *self.debug_blueprints,
            *self.metrics_blueprints,
            *self.optional_blueprints,
        ]:
            flag = self.blueprint_flags.get(bp if isinstance(bp, str) else bp.name)
            if flag is None or getattr(conf, flag):
                found.append((prefix, bp))
        if not conf.web_stats_enabled:
            found.extend(self.production_blueprints)
        return found

    def add_view(
        self,
        view_cls: type,
        *,
        prefix: str = "",
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
    ) -> Any:
        """Serve an instance of ``view_cls`` at ``prefix + view_cls.view_path``.

        Returns:
            The view instance, or None if a built-in view gave way to a
            user's view at the same path.

        Raises:
            ImproperlyConfigured: two views serve the same method at a path.
        """
        path = prefix.rstrip("/") + "/" + str(view_cls.view_path).lstrip("/")  # type: ignore[attr-defined]  # set by app.page
        methods = set(view_cls.get_methods())  # type: ignore[attr-defined]  # a View
        taken = self._methods_by_path.setdefault(path, set())
        clash = taken & methods
        if clash:
            if getattr(view_cls, "overridable", False):
                logger.debug("Built-in view %s gives way to a user's view", path)
                return None
            raise ImproperlyConfigured(
                f"Two views serve {', '.join(sorted(clash))} {path}: "
                f"{self.views[path]!r} and {view_cls!r}"
            )
        taken |= methods
        view = view_cls(self.app, self)
        self.route(path, view, cors_options)
        self.views[path] = view
        self.reverse_names[view_cls.view_name] = path  # type: ignore[attr-defined]  # set by app.page
        return view

    def url_for(self, view_name: str, **kwargs: Any) -> str:
        """The path of a view by name, with its ``{params}`` URL-quoted.

        Raises:
            KeyError: no view has that name.
        """
        try:
            path = self.reverse_names[view_name]
        except KeyError:
            raise KeyError(f"No view with name {view_name!r} found") from None
        return path.format(**{k: quote(str(v), safe="") for k, v in kwargs.items()})

    @property
    def url(self) -> URL:
        """The URL other workers reach this one at (``canonical_url``)."""
        conf = self.app.conf
        canonical = URL(str(conf.canonical_url))
        if canonical.host == socket.gethostname():
            return URL(f"http://localhost:{conf.web_port}/")
        return canonical

    # -- health -------------------------------------------------------------

    @Service.timer(1.0)
    async def _heartbeat(self) -> None:
        self._last_beat = time.monotonic()

    @Service.task
    async def _watch_recovery(self) -> None:
        app = self.app
        if app.producer_only or app.client_only:
            self._recovered = True
            return
        stopped = await app.tables.wait_until_recovery_completed()
        if not stopped:
            self._recovered = True

    @property
    def recovered(self) -> bool:
        """True once tables have recovered (views may serve state)."""
        return self._recovered

    def liveness(self) -> tuple[bool, dict[str, Any]]:
        """Is the worker alive? ``(ok, details)`` for ``/livez``."""
        app = self.app
        beat = self._last_beat
        stalled = beat is not None and time.monotonic() - beat > LIVENESS_STALL_SECONDS
        checks = {
            "crashed": bool(app.crashed),
            "event_loop_stalled": stalled,
        }
        return not any(checks.values()), checks

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Is the worker ready for traffic? ``(ok, details)`` for ``/readyz``.

        Ready once the app started and its tables recovered, and while no
        rebalance is in progress.
        """
        app = self.app
        tables = app.tables if self._recovered and len(app.tables) else None
        checks = {
            "started": bool(app.started) and not app.should_stop,
            "recovered": self._recovered,
            "rebalancing": bool(app.rebalancing),
            "tables_ready": tables is None or bool(tables.actives_ready),
        }
        ok = (
            checks["started"]
            and checks["recovered"]
            and not checks["rebalancing"]
            and checks["tables_ready"]
        )
        return bool(ok), checks

    # -- responses (the driver makes them) ------------------------------------

    def error(self, status: int, reason: str, **extra: Any) -> _Response:
        """A JSON error response ``{"error": reason, **extra}``."""
        return self.json({"error": reason, **extra}, status=status)

    def on_unhandled_error(self, request: _Request, exc: Exception) -> _Response:
        """A view raised something that is not a ``WebError``: log it, 500."""
        logger.error(
            "Unhandled error in view %s %s: %r",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc,
            exc_info=exc,
        )
        return self.error(500, "Internal server error.")

    def response_to_bytes(self, response: _Response) -> _bytes:
        """Serialize a response's status, headers and body (view cache)."""
        status, headers, body = self._response_parts(response)
        head = dumps_bytes({"status": status, "headers": list(headers)})
        return _CACHE_MAGIC + head + b"\n" + body

    def bytes_to_response(self, s: _bytes) -> _Response:
        """Rebuild a response serialized by :meth:`response_to_bytes`.

        Raises:
            ValueError: ``s`` was not made by :meth:`response_to_bytes`.
        """
        if not s.startswith(_CACHE_MAGIC):
            raise ValueError("Not a serialized response")
        head, sep, body = s[len(_CACHE_MAGIC) :].partition(b"\n")
        if not sep:
            raise ValueError("Truncated serialized response")
        meta = loads(head)
        headers = [(str(k), str(v)) for k, v in meta["headers"]]
        return self._make_response(int(meta["status"]), headers, body)

    def _response_parts(
        self, response: _Response
    ) -> tuple[int, Iterable[tuple[str, str]], _bytes]:
        raise NotImplementedError(f"{type(self).__name__} cannot serialize responses")

    def _make_response(
        self, status: int, headers: list[tuple[str, str]], body: _bytes
    ) -> _Response:
        raise NotImplementedError(f"{type(self).__name__} cannot rebuild responses")

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The cache backend starts and stops with the server."""
        return [self.app.cache]

    async def wsgi(self) -> Any:
        """The web application object, for hosting by another server."""
        self.init_server()
        return None
