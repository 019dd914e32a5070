"""OpenTelemetry traces of a worker: a span per event, send, commit, rebalance.

Example:
    >>> from faust.contrib.opentelemetry import setup_opentelemetry
    >>> setup_opentelemetry(app)   # uses the global TracerProvider

Spans go to whatever TracerProvider the process configured (the SDK with an
exporter); with the API alone they are no-ops. Metrics are in
:mod:`faust.sensors.otel`. Needs ``pip install 'faust-ng[opentelemetry]'``.
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..sensors.base import Sensor
from ..types import TP, AppT, EventT, Message, StreamT

__all__ = [
    "OpenTelemetrySensor",
    "instrument_asgi_app",
    "opentelemetry_available",
    "sdk_is_configured",
    "setup_opentelemetry",
]

E_MISSING = (
    "The OpenTelemetry integration needs opentelemetry-api: "
    "pip install 'faust-ng[opentelemetry]'"
)


def _trace_api() -> Any:
    try:
        return importlib.import_module("opentelemetry.trace")
    except ImportError:
        raise ImproperlyConfigured(E_MISSING) from None


def opentelemetry_available() -> bool:
    """True if the OpenTelemetry API is installed."""
    try:
        importlib.import_module("opentelemetry.trace")
    except ImportError:
        return False
    return True


def sdk_is_configured() -> bool:
    """True if the process set an SDK TracerProvider (spans are recorded)."""
    if not opentelemetry_available():
        return False
    provider = _trace_api().get_tracer_provider()
    return type(provider).__module__.startswith("opentelemetry.sdk")


class OpenTelemetrySensor(Sensor):
    """A sensor making OpenTelemetry spans of what a worker does.

    Spans: ``faust.event`` (an event through a stream, with topic, partition
    and offset), ``faust.send``, ``faust.commit``, ``faust.rebalance``
    (revoke to recovery end) and ``faust.web`` (a request).

    Arguments:
        tracer: the tracer (default: ``trace.get_tracer("faust")``).

    Raises:
        ImproperlyConfigured: opentelemetry-api is not installed.
    """

    def __init__(self, *, tracer: Optional[Any] = None, **kwargs: Any) -> None:
        self._trace = _trace_api()
        self._tracer = tracer
        super().__init__(**kwargs)

    @property
    def tracer(self) -> Any:
        """The tracer spans are made with."""
        if self._tracer is None:
            self._tracer = self._trace.get_tracer("faust")
        return self._tracer

    def _start(self, name: str, **attributes: Any) -> Any:
        return self.tracer.start_span(
            name, attributes={k: v for k, v in attributes.items() if v is not None}
        )

    def _end(self, span: Any, error: Optional[BaseException] = None) -> None:
        if span is None:
            return
        if error is not None:
            span.record_exception(error)
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR))
        span.end()

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> Any:
        """Start the span of an event."""
        return self._start(
            "faust.event",
            **{
                "messaging.destination.name": tp.topic,
                "messaging.destination.partition.id": str(tp.partition),
                "messaging.kafka.message.offset": offset,
                "faust.stream": stream.shortlabel,
            },
        )

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Any = None,
    ) -> None:
        """End the span of an event."""
        self._end(state)

    def on_send_initiated(
        self, producer: Any, topic: str, message: Any, keysize: int, valsize: int
    ) -> Any:
        """Start the span of a send."""
        return self._start(
            "faust.send",
            **{"messaging.destination.name": topic, "faust.value_size": valsize},
        )

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        """End the span of a send."""
        self._end(state)

    def on_send_error(self, producer: Any, exc: BaseException, state: Any) -> None:
        """End the span of a send, failed."""
        self._end(state, exc)

    def on_commit_initiated(self, consumer: Any) -> Any:
        """Start the span of a commit."""
        return self._start("faust.commit")

    def on_commit_completed(self, consumer: Any, state: Any) -> None:
        """End the span of a commit."""
        self._end(state)

    def on_rebalance_start(self, app: AppT) -> Any:
        """Start the span of a rebalance."""
        return self._start(
            "faust.rebalance", **{"faust.rebalance": app.rebalancing_count}
        )

    def on_rebalance_end(self, app: AppT, state: Any) -> None:
        """End the span of a rebalance (tables recovered)."""
        self._end(state)

    def on_web_request_start(self, app: AppT, request: Any, *, view: Any = None) -> Any:
        """Start the span of a web request."""
        return self._start(
            "faust.web",
            **{
                "http.request.method": getattr(request, "method", None),
                "url.path": str(getattr(request, "path", "")) or None,
            },
        )

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """End the span of a web request."""
        status = getattr(response, "status", None)
        if state is not None and status is not None:
            state.set_attribute("http.response.status_code", int(status))
        self._end(state)

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Nothing: events have their spans."""


def setup_opentelemetry(app: AppT, *, tracer: Optional[Any] = None) -> Any:
    """Add an :class:`OpenTelemetrySensor` to ``app``; returns it."""
    sensor = OpenTelemetrySensor(tracer=tracer)
    app.sensors.add(sensor)
    return sensor


def instrument_asgi_app(
    asgi_app: Any, *, tracer_provider: Optional[Any] = None, force: bool = False
) -> Any:
    """Trace the requests of an ASGI app (FastAPI, Starlette).

    Uses :pypi:`opentelemetry-instrumentation-asgi` (its middleware is added
    to apps with ``add_middleware``; any other app is wrapped and returned).
    An app instrumented already is left alone unless ``force``.

    Raises:
        ImproperlyConfigured: the instrumentation package is not installed.
    """
    if getattr(asgi_app, "_faust_otel_instrumented", False) and not force:
        return asgi_app
    try:
        asgi = importlib.import_module("opentelemetry.instrumentation.asgi")
    except ImportError:
        raise ImproperlyConfigured(
            "instrument_asgi_app needs opentelemetry-instrumentation-asgi: "
            "pip install 'faust-ng[opentelemetry]'"
        ) from None
    middleware = asgi.OpenTelemetryMiddleware
    add_middleware = getattr(asgi_app, "add_middleware", None)
    if callable(add_middleware):
        add_middleware(middleware, tracer_provider=tracer_provider)
        result = asgi_app
    else:
        result = middleware(asgi_app, tracer_provider=tracer_provider)
    try:
        result._faust_otel_instrumented = True
    except AttributeError:  # a callable without attributes
        pass
    return result
