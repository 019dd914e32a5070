"""OpenTelemetry metrics: the Monitor's measurements as OTel instruments.

Example:
    >>> from faust.sensors.otel import OpenTelemetryMonitor
    >>> app.monitor = OpenTelemetryMonitor(service_name='orders')

The instruments report to the process's MeterProvider (the SDK with an
exporter); the Monitor's own counters keep working (``/`` and ``/metrics``).
Needs ``pip install 'faust-ng[opentelemetry]'``.

Owner: the app (``app.monitor``). Tasks: the Monitor's ``_sampler``.
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..types import TP, AppT, CollectionT, EventT, Message, StreamT
from .monitor import Monitor

__all__ = ["OTelMetrics", "OpenTelemetryMonitor"]


def _metrics_api() -> Any:
    try:
        return importlib.import_module("opentelemetry.metrics")
    except ImportError:
        raise ImproperlyConfigured(
            "OpenTelemetryMonitor needs opentelemetry-api: "
            "pip install 'faust-ng[opentelemetry]'"
        ) from None


class OTelMetrics:
    """The instruments, made from ``meter``.

    Latencies are histograms in seconds; ``*_active`` are up-down counters.
    """

    def __init__(self, meter: Any) -> None:
        counter, updown, histogram = (
            meter.create_counter,
            meter.create_up_down_counter,
            meter.create_histogram,
        )
        self.messages_received = counter("faust.messages.received")
        self.messages_active = updown("faust.messages.active")
        self.messages_sent = counter("faust.messages.sent")
        self.messages_send_errors = counter("faust.messages.send_errors")
        self.events_total = counter("faust.events")
        self.events_active = updown("faust.events.active")
        self.events_runtime = histogram("faust.events.runtime", unit="s")
        self.table_operations = counter("faust.table.operations")
        self.commit_latency = histogram("faust.commit.latency", unit="s")
        self.send_latency = histogram("faust.send.latency", unit="s")
        self.send_error_latency = histogram("faust.send.error_latency", unit="s")
        self.assignments = counter("faust.assignments")
        self.assignment_latency = histogram("faust.assignment.latency", unit="s")
        self.rebalances_active = updown("faust.rebalances.active")
        self.rebalances_recovering = updown("faust.rebalances.recovering")
        self.rebalance_return_latency = histogram(
            "faust.rebalance.return_latency", unit="s"
        )
        self.rebalance_end_latency = histogram("faust.rebalance.end_latency", unit="s")
        self.http_requests = counter("faust.http.requests")
        self.http_latency = histogram("faust.http.latency", unit="s")
        self.custom_counts = counter("faust.custom_count")
        self.offset_committed = counter("faust.offsets.committed")
        self.offset_read = counter("faust.offsets.read")
        self.offset_end = counter("faust.offsets.end")
        self.producer_buffer = counter("faust.producer.buffer_processed")


class OpenTelemetryMonitor(Monitor):
    """A Monitor that also reports to OpenTelemetry instruments.

    Arguments:
        meter: the meter (default: ``metrics.get_meter(service_name)``).
        service_name: the meter's name.
        metrics: the instruments (default: :class:`OTelMetrics` of ``meter``).
        **kwargs: see :class:`~faust.sensors.monitor.Monitor`.

    Raises:
        ImproperlyConfigured: opentelemetry-api is not installed.
    """

    def __init__(
        self,
        *,
        meter: Optional[Any] = None,
        service_name: str = "faust",
        metrics: Optional[OTelMetrics] = None,
        **kwargs: Any,
    ) -> None:
        self._meter = (
            meter if meter is not None else _metrics_api().get_meter(service_name)
        )
        self._metrics = metrics if metrics is not None else OTelMetrics(self._meter)
        super().__init__(**kwargs)

    @property
    def meter(self) -> Any:
        """The meter the instruments were made with."""
        return self._meter

    @property
    def metrics(self) -> OTelMetrics:
        """The instruments."""
        return self._metrics

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Count a received message."""
        super().on_message_in(tp, offset, message)
        attrs = {"topic": tp.topic}
        self._metrics.messages_received.add(1, attrs)
        self._metrics.messages_active.add(1, attrs)

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        """A message is done."""
        super().on_message_out(tp, offset, message)
        self._metrics.messages_active.add(-1, {"topic": tp.topic})

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> float:
        """Count an event."""
        state = super().on_stream_event_in(tp, offset, stream, event)
        attrs = {"stream": stream.shortlabel}
        self._metrics.events_total.add(1, attrs)
        self._metrics.events_active.add(1, attrs)
        return state

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Optional[float] = None,
    ) -> None:
        """Record the event's runtime."""
        super().on_stream_event_out(tp, offset, stream, event, state)
        attrs = {"stream": stream.shortlabel}
        self._metrics.events_active.add(-1, attrs)
        if state is not None and self.events_runtime:
            self._metrics.events_runtime.record(self.events_runtime[-1], attrs)

    def _table_op(self, table: CollectionT, operation: str) -> None:
        self._metrics.table_operations.add(
            1, {"table": table.name, "operation": operation}
        )

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """Count a table read."""
        super().on_table_get(table, key)
        self._table_op(table, "get")

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """Count a table write."""
        super().on_table_set(table, key, value)
        self._table_op(table, "set")

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """Count a table delete."""
        super().on_table_del(table, key)
        self._table_op(table, "del")

    def on_commit_completed(self, consumer: Any, state: Any) -> None:
        """Record the commit latency."""
        super().on_commit_completed(consumer, state)
        if state is not None and self.commit_latency:
            self._metrics.commit_latency.record(self.commit_latency[-1])

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        """Count a sent message, record the latency."""
        super().on_send_completed(producer, state, metadata)
        topic = getattr(metadata, "topic", None) or ""
        self._metrics.messages_sent.add(1, {"topic": topic})
        if self.send_latency:
            self._metrics.send_latency.record(self.send_latency[-1], {"topic": topic})

    def on_send_error(self, producer: Any, exc: BaseException, state: Any) -> None:
        """Count a failed send."""
        super().on_send_error(producer, exc, state)
        self._metrics.messages_send_errors.add(1)

    def on_rebalance_start(self, app: AppT) -> dict[str, Any]:
        """A rebalance started."""
        self._metrics.rebalances_active.add(1)
        return super().on_rebalance_start(app)

    def on_rebalance_return(self, app: AppT, state: dict[str, Any]) -> None:
        """The assignment came back: recovery starts."""
        super().on_rebalance_return(app, state)
        self._metrics.rebalances_active.add(-1)
        self._metrics.rebalances_recovering.add(1)
        self._metrics.rebalance_return_latency.record(self.rebalance_return_latency[-1])

    def on_rebalance_end(self, app: AppT, state: dict[str, Any]) -> None:
        """Recovery finished."""
        super().on_rebalance_end(app, state)
        self._metrics.rebalances_recovering.add(-1)
        self._metrics.rebalance_end_latency.record(self.rebalance_end_latency[-1])

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """Count a response by status, record the latency."""
        super().on_web_request_end(app, request, response, state, view=view)
        status = getattr(response, "status", None)
        self._metrics.http_requests.add(1, {"status": int(status or 0)})
        if isinstance(state, float) and self.http_response_latency:
            self._metrics.http_latency.record(self.http_response_latency[-1])

    def count(self, metric_name: str, count: int = 1) -> None:
        """Increment a custom counter."""
        super().count(metric_name, count)
        self._metrics.custom_counts.add(count, {"metric": metric_name})
