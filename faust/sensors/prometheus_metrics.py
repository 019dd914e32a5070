"""``FaustMetrics``: faust-streaming's ``prometheus_client`` metrics, by name.

``PrometheusMonitor(FaustMetrics.create(registry, 'myapp'))`` (the
faust-streaming form) updates these metrics in the sensor hooks, so
dashboards built on faust-streaming's metric names (``myapp_total_events``,
``myapp_events_runtime_ms``, ...) keep working. Latencies are observed in
milliseconds, as faust-streaming does.

The other form, ``PrometheusMonitor(app)``, reads the Monitor at scrape time
instead and serves this package's metric names (see :mod:`.prometheus`).
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

from ..exceptions import ImproperlyConfigured

__all__ = ["FaustMetrics", "prometheus_client"]


def prometheus_client() -> Any:
    """The :pypi:`prometheus_client` module (one-line error if missing)."""
    try:
        return importlib.import_module("prometheus_client")
    except ImportError:
        raise ImproperlyConfigured(
            "PrometheusMonitor needs prometheus_client: "
            "pip install 'faust-ng[prometheus]'"
        ) from None


#: field -> (kind, name suffix, description, labels)
_METRICS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "messages_received": ("Counter", "messages_received", "Messages received", ()),
    "active_messages": ("Gauge", "active_messages", "Messages in flight", ()),
    "messages_received_per_topics": (
        "Counter",
        "messages_received_per_topic",
        "Messages received by topic",
        ("topic",),
    ),
    "messages_received_per_topics_partition": (
        "Gauge",
        "messages_received_per_topics_partition",
        "Offset read by topic and partition",
        ("topic", "partition"),
    ),
    "events_runtime_latency": (
        "Histogram",
        "events_runtime_ms",
        "Milliseconds an event took",
        (),
    ),
    "total_events": ("Counter", "total_events", "Events processed", ()),
    "total_active_events": ("Gauge", "total_active_events", "Events in flight", ()),
    "total_events_per_stream": (
        "Counter",
        "total_events_per_stream",
        "Events by stream",
        ("stream",),
    ),
    "table_operations": (
        "Counter",
        "table_operations",
        "Table reads, writes and deletes",
        ("table", "operation"),
    ),
    "topic_messages_sent": (
        "Counter",
        "topic_messages_sent",
        "Messages sent by topic",
        ("topic",),
    ),
    "total_sent_messages": ("Counter", "total_sent_messages", "Messages sent", ()),
    "producer_send_latency": (
        "Histogram",
        "producer_send_latency",
        "Milliseconds to send a message",
        (),
    ),
    "total_error_messages_sent": (
        "Counter",
        "total_error_messages_sent",
        "Sends that failed",
        (),
    ),
    "producer_error_send_latency": (
        "Histogram",
        "producer_error_send_latency",
        "Milliseconds until a send failed",
        (),
    ),
    "assignment_operations": (
        "Counter",
        "assignment_operations",
        "Partition assignments by outcome",
        ("operation",),
    ),
    "assign_latency": ("Histogram", "assign_latency", "Assignment milliseconds", ()),
    "total_rebalances": ("Gauge", "total_rebalances", "Rebalances in progress", ()),
    "total_rebalances_recovering": (
        "Gauge",
        "total_rebalances_recovering",
        "Rebalances recovering tables",
        (),
    ),
    "rebalance_done_consumer_latency": (
        "Histogram",
        "rebalance_done_consumer_latency",
        "Milliseconds until the assignment returned",
        (),
    ),
    "rebalance_done_latency": (
        "Histogram",
        "rebalance_done_latency",
        "Milliseconds of a rebalance, recovery included",
        (),
    ),
    "count_metrics_by_name": (
        "Gauge",
        "metrics_by_name",
        "Custom counts (Monitor.count)",
        ("metric",),
    ),
    "http_status_codes": (
        "Counter",
        "http_status_codes",
        "Web responses by status",
        ("status_code",),
    ),
    "http_latency": ("Histogram", "http_latency", "Web request milliseconds", ()),
    "topic_partition_end_offset": (
        "Gauge",
        "topic_partition_end_offset",
        "End offset by topic and partition",
        ("topic", "partition"),
    ),
    "topic_partition_offset_commited": (
        "Gauge",
        "topic_partition_offset_commited",
        "Committed offset by topic and partition",
        ("topic", "partition"),
    ),
    "consumer_commit_latency": (
        "Histogram",
        "consumer_commit_latency",
        "Commit milliseconds",
        (),
    ),
}

#: histogram buckets in milliseconds (prometheus_client's are seconds)
_MS_BUCKETS = (5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 10000)


class FaustMetrics(NamedTuple):
    """faust-streaming's Prometheus metrics (``prometheus_client`` objects)."""

    messages_received: Any
    active_messages: Any
    messages_received_per_topics: Any
    messages_received_per_topics_partition: Any
    events_runtime_latency: Any
    total_events: Any
    total_active_events: Any
    total_events_per_stream: Any
    table_operations: Any
    topic_messages_sent: Any
    total_sent_messages: Any
    producer_send_latency: Any
    total_error_messages_sent: Any
    producer_error_send_latency: Any
    assignment_operations: Any
    assign_latency: Any
    total_rebalances: Any
    total_rebalances_recovering: Any
    rebalance_done_consumer_latency: Any
    rebalance_done_latency: Any
    count_metrics_by_name: Any
    http_status_codes: Any
    http_latency: Any
    topic_partition_end_offset: Any
    topic_partition_offset_commited: Any
    consumer_commit_latency: Any

    @classmethod
    def create(cls, registry: Any, app_name: str) -> FaustMetrics:
        """Create every metric (``<app_name>_...``), registered in ``registry``."""
        client = prometheus_client()
        made = {}
        for field, (kind, suffix, doc, labels) in _METRICS.items():
            options: dict[str, Any] = {"registry": registry}
            if kind == "Histogram":
                options["buckets"] = _MS_BUCKETS
            made[field] = getattr(client, kind)(
                f"{app_name}_{suffix}", doc, list(labels), **options
            )
        return cls(**made)
