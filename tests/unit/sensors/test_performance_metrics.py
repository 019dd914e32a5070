"""``faust.sensors.performance_metrics``: the /performance/ report anywhere."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

import faust
from faust.exceptions import ImproperlyConfigured
from faust.sensors import performance_metrics


def test_report_is_json_ready_and_counts_messages() -> None:
    app = faust.App("perf-metrics", broker="memory://")
    app.monitor.messages_received_total = 7
    report = performance_metrics(app)
    json.dumps(report)  # JSON-compatible values only
    assert set(report) >= {"throughput", "latency", "consumer"}
    assert report["throughput"]["messages_received_total"] == 7


def test_other_monitor_says_what_to_use() -> None:
    app = SimpleNamespace(monitor=object())
    with pytest.raises(ImproperlyConfigured, match="faust.sensors.Monitor"):
        performance_metrics(app)  # type: ignore[arg-type]
