"""The prometheus_client-backed monitor (skipped without prometheus_client)."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import pytest

prometheus_client = pytest.importorskip("prometheus_client")

from faust.sensors.prometheus import (  # noqa: E402
    PrometheusMonitor,
    setup_prometheus_sensors,
)
from faust.types import TP  # noqa: E402


def _app() -> Any:
    app = MagicMock(name="app")
    app.started = False
    return app


def test_collector_reads_the_monitor_at_scrape_time() -> None:
    registry = prometheus_client.CollectorRegistry()
    app = _app()
    monitor = PrometheusMonitor(app, "/metrics", registry=registry, name_prefix="shop")
    app.page.assert_called_once_with("/metrics", name="prometheus_metrics")
    monitor.on_message_in(TP("orders", 0), 1, None)  # type: ignore[arg-type]
    value = registry.get_sample_value(
        "shop_messages_received_total", {"topic": "orders"}
    )
    assert value == 1
    monitor.on_message_in(TP("orders", 0), 2, None)  # type: ignore[arg-type]
    assert (
        registry.get_sample_value("shop_messages_received_total", {"topic": "orders"})
        == 2
    )
    text = prometheus_client.generate_latest(registry).decode()
    assert "shop_consumer_lag" in text
    monitor.unregister()
    assert (
        registry.get_sample_value("shop_messages_received_total", {"topic": "orders"})
        is None
    )


def test_setup_prometheus_sensors_sets_app_monitor() -> None:
    registry = prometheus_client.CollectorRegistry()
    app = _app()
    monitor = setup_prometheus_sensors(app, "/prom", registry=registry)
    assert app.monitor is monitor
    assert registry.get_sample_value("faust_send_errors_total") == 0


def test_faust_metrics_form_updates_faust_streaming_metrics() -> None:
    from faust.sensors.prometheus import FaustMetrics

    registry = prometheus_client.CollectorRegistry()
    metrics = FaustMetrics.create(registry, "shop")
    monitor = PrometheusMonitor(metrics)
    tp = TP("orders", 1)
    stream = MagicMock(shortlabel="Stream: orders")
    monitor.on_message_in(tp, 41, None)  # type: ignore[arg-type]
    state = monitor.on_stream_event_in(tp, 41, stream, None)  # type: ignore[arg-type]
    monitor.on_stream_event_out(tp, 41, stream, None, state)  # type: ignore[arg-type]
    monitor.on_message_out(tp, 41, None)  # type: ignore[arg-type]
    monitor.on_tp_commit({tp: 42})
    monitor.count("rejected", 3)

    def value(name: str, **labels: Any) -> Any:
        return registry.get_sample_value(name, labels)

    assert value("shop_messages_received_total") == 1.0
    assert value("shop_active_messages") == 0.0
    assert (
        value(
            "shop_messages_received_per_topics_partition", topic="orders", partition="1"
        )
        == 41.0
    )
    assert value("shop_total_events_total") == 1.0
    assert value("shop_total_events_per_stream_total", stream="Stream: orders") == 1.0
    assert value("shop_events_runtime_ms_count") == 1.0
    assert (
        value("shop_topic_partition_offset_commited", topic="orders", partition="1")
        == 42.0
    )
    assert value("shop_metrics_by_name", metric="rejected") == 3.0
    assert monitor.messages_received_total == 1  # the Monitor's counters too
