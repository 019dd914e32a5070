"""Serve the Monitor through :pypi:`prometheus_client` (optional).

Every worker already serves ``/metrics`` in the Prometheus text format with
no extra package (see :mod:`faust.web.apps.metrics`). Use this module when
the process also has its own ``prometheus_client`` metrics, to serve them
and faust's from one registry, or to keep Faust's APIs:

    >>> from faust.sensors.prometheus import PrometheusMonitor
    >>> app.monitor = PrometheusMonitor(app, pattern='/metrics')   # Faust 1.x

    >>> from faust.sensors.prometheus import setup_prometheus_sensors
    >>> setup_prometheus_sensors(app, pattern='/metrics')          # faust-streaming

The Monitor's counters are read at scrape time by a registry collector:
no per-event work is added. The page at ``pattern`` replaces the built-in
``/metrics`` view.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional, Union

from ..types import TP, AppT, CollectionT, EventT, Message, StreamT
from ..web.apps.metrics import MetricFamily
from .monitor import Monitor
from .prometheus_metrics import FaustMetrics, prometheus_client

__all__ = [
    "FaustCollector",
    "FaustMetrics",
    "PrometheusMonitor",
    "setup_prometheus_sensors",
]


_prometheus_client = prometheus_client


class FaustCollector:
    """A ``prometheus_client`` collector reading a Monitor at scrape time.

    Arguments:
        app: the app.
        monitor: the monitor to read.
        name_prefix: replaces the ``faust`` prefix of metric names.
    """

    def __init__(
        self, app: AppT, monitor: Monitor, name_prefix: Optional[str] = None
    ) -> None:
        self.app = app
        self.monitor = monitor
        self.name_prefix = name_prefix

    def _name(self, name: str) -> str:
        if self.name_prefix and name.startswith("faust_"):
            return f"{self.name_prefix}_{name[len('faust_') :]}"
        return name

    def collect(self) -> Iterator[Any]:
        """Yield ``prometheus_client`` metrics (called by the registry)."""
        metric_cls = _prometheus_client().Metric
        families: list[MetricFamily] = self.monitor.collect_metrics(self.app)
        for family in families:
            name = self._name(family.name)
            metric = metric_cls(name, family.help, family.type)
            for suffix, labels, value in family.samples:
                metric.add_sample(name + suffix, dict(labels), value)
            yield metric


class PrometheusMonitor(Monitor):
    """A Monitor whose counters are served by ``prometheus_client``.

    Two forms, as in Faust and in faust-streaming:

    * ``PrometheusMonitor(app, pattern='/metrics')``: the Monitor is read at
      scrape time and served at ``pattern`` (no per-event work);
    * ``PrometheusMonitor(FaustMetrics.create(registry, 'myapp'))``: the
      hooks update faust-streaming's metrics (see :mod:`.prometheus_metrics`);
      serve the registry yourself (``setup_prometheus_sensors`` does).

    Arguments:
        app: the app (its web server serves the metrics at ``pattern``), or
            a :class:`~.prometheus_metrics.FaustMetrics`.
        pattern: URL path of the metrics page.
        registry: the ``prometheus_client`` registry (default: the global one).
        name_prefix: replaces the ``faust`` prefix of metric names.
        **kwargs: forwarded to :class:`~faust.sensors.Monitor`.
    """

    def __init__(
        self,
        app: Union[AppT, FaustMetrics],
        pattern: str = "/metrics",
        *,
        registry: Any = None,
        name_prefix: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        client = _prometheus_client()
        super().__init__(**kwargs)
        self._metrics: Optional[FaustMetrics] = None
        if isinstance(app, FaustMetrics):
            self._metrics = app
            self.pattern = pattern
            self.registry = registry if registry is not None else client.REGISTRY
            return
        self.app = app
        self.pattern = pattern
        self.registry = registry if registry is not None else client.REGISTRY
        self.collector = FaustCollector(app, self, name_prefix)
        self.registry.register(self.collector)
        self._expose(app, pattern)

    def _expose(self, app: AppT, pattern: str) -> None:
        registry = self.registry

        @app.page(pattern, name="prometheus_metrics")
        async def metrics_handler(view: Any, request: Any) -> Any:
            client = _prometheus_client()
            return view.bytes(
                client.generate_latest(registry),
                headers={"Content-Type": client.CONTENT_TYPE_LATEST},
            )

    def unregister(self) -> None:
        """Remove this monitor's collector from the registry."""
        self.registry.unregister(self.collector)

    # -- the FaustMetrics form: hooks update faust-streaming's metrics -------

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Count a received message."""
        super().on_message_in(tp, offset, message)
        m = self._metrics
        if m is not None:
            m.messages_received.inc()
            m.active_messages.inc()
            m.messages_received_per_topics.labels(topic=tp.topic).inc()
            m.messages_received_per_topics_partition.labels(
                topic=tp.topic, partition=tp.partition
            ).set(offset)

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        """A message is done."""
        super().on_message_out(tp, offset, message)
        if self._metrics is not None:
            self._metrics.active_messages.dec()

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> float:
        """Count an event."""
        state = super().on_stream_event_in(tp, offset, stream, event)
        m = self._metrics
        if m is not None:
            m.total_events.inc()
            m.total_active_events.inc()
            m.total_events_per_stream.labels(stream=stream.shortlabel).inc()
        return state

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Optional[float] = None,
    ) -> None:
        """Record the event's runtime (ms)."""
        super().on_stream_event_out(tp, offset, stream, event, state)
        m = self._metrics
        if m is not None:
            m.total_active_events.dec()
            if state is not None and self.events_runtime:
                m.events_runtime_latency.observe(
                    self.secs_to_ms(self.events_runtime[-1])
                )

    def _table_op(self, table: CollectionT, operation: str) -> None:
        if self._metrics is not None:
            self._metrics.table_operations.labels(
                table=f"table.{table.name}", operation=operation
            ).inc()

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """Count a table read."""
        super().on_table_get(table, key)
        self._table_op(table, "keys_retrieved")

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """Count a table write."""
        super().on_table_set(table, key, value)
        self._table_op(table, "keys_updated")

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """Count a table delete."""
        super().on_table_del(table, key)
        self._table_op(table, "keys_deleted")

    def on_commit_completed(self, consumer: Any, state: Any) -> None:
        """Record the commit latency (ms)."""
        super().on_commit_completed(consumer, state)
        if self._metrics is not None and state is not None and self.commit_latency:
            self._metrics.consumer_commit_latency.observe(
                self.secs_to_ms(self.commit_latency[-1])
            )

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        """Count a sent message, record the latency (ms)."""
        super().on_send_completed(producer, state, metadata)
        m = self._metrics
        if m is not None:
            m.total_sent_messages.inc()
            topic = getattr(metadata, "topic", None)
            if topic:
                m.topic_messages_sent.labels(topic=topic).inc()
            if self.send_latency:
                m.producer_send_latency.observe(self.secs_to_ms(self.send_latency[-1]))

    def on_send_error(self, producer: Any, exc: BaseException, state: Any) -> None:
        """Count a failed send."""
        super().on_send_error(producer, exc, state)
        if self._metrics is not None:
            self._metrics.total_error_messages_sent.inc()

    def on_assignment_error(
        self, assignor: Any, state: dict[str, Any], exc: BaseException
    ) -> None:
        """Count a failed assignment."""
        super().on_assignment_error(assignor, state, exc)
        if self._metrics is not None:
            self._metrics.assignment_operations.labels(operation="failed").inc()

    def on_assignment_completed(self, assignor: Any, state: dict[str, Any]) -> None:
        """Count an assignment, record its latency (ms)."""
        super().on_assignment_completed(assignor, state)
        m = self._metrics
        if m is not None:
            m.assignment_operations.labels(operation="completed").inc()
            m.assign_latency.observe(self.secs_to_ms(self.assignment_latency[-1]))

    def on_rebalance_start(self, app: AppT) -> dict[str, Any]:
        """A rebalance started."""
        state = super().on_rebalance_start(app)
        if self._metrics is not None:
            self._metrics.total_rebalances.inc()
        return state

    def on_rebalance_return(self, app: AppT, state: dict[str, Any]) -> None:
        """The assignment came back: recovery starts."""
        super().on_rebalance_return(app, state)
        m = self._metrics
        if m is not None:
            m.total_rebalances.dec()
            m.total_rebalances_recovering.inc()
            m.rebalance_done_consumer_latency.observe(
                self.secs_to_ms(self.rebalance_return_latency[-1])
            )

    def on_rebalance_end(self, app: AppT, state: dict[str, Any]) -> None:
        """Recovery finished."""
        super().on_rebalance_end(app, state)
        m = self._metrics
        if m is not None:
            m.total_rebalances_recovering.dec()
            m.rebalance_done_latency.observe(
                self.secs_to_ms(self.rebalance_end_latency[-1])
            )

    def count(self, metric_name: str, count: int = 1) -> None:
        """Increment a custom counter."""
        super().count(metric_name, count)
        if self._metrics is not None:
            self._metrics.count_metrics_by_name.labels(metric=metric_name).inc(count)

    def on_tp_commit(self, tp_offsets: Mapping[TP, int]) -> None:
        """Offsets were committed."""
        super().on_tp_commit(tp_offsets)
        if self._metrics is not None:
            gauge = self._metrics.topic_partition_offset_commited
            for tp, offset in tp_offsets.items():
                gauge.labels(topic=tp.topic, partition=tp.partition).set(offset)

    def track_tp_end_offset(self, tp: TP, offset: int) -> None:
        """The end offset of ``tp`` is ``offset``."""
        super().track_tp_end_offset(tp, offset)
        if self._metrics is not None:
            self._metrics.topic_partition_end_offset.labels(
                topic=tp.topic, partition=tp.partition
            ).set(offset)

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """Count a response by status, record the latency (ms)."""
        super().on_web_request_end(app, request, response, state, view=view)
        m = self._metrics
        if m is not None:
            status = getattr(response, "status", None)
            m.http_status_codes.labels(status_code=int(status or 0)).inc()
            if isinstance(state, float) and self.http_response_latency:
                m.http_latency.observe(self.secs_to_ms(self.http_response_latency[-1]))


def setup_prometheus_sensors(
    app: AppT,
    pattern: str = "/metrics",
    registry: Any = None,
    name_prefix: Optional[str] = None,
) -> PrometheusMonitor:
    """Make a :class:`PrometheusMonitor` the app's monitor (faust-streaming API)."""
    monitor = PrometheusMonitor(
        app, pattern, registry=registry, name_prefix=name_prefix
    )
    app.monitor = monitor
    return monitor
