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
