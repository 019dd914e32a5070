"""faust.contrib.opentelemetry spans and faust.sensors.otel metrics (OTel SDK)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

import faust
from faust.contrib import opentelemetry as faust_otel
from faust.exceptions import ImproperlyConfigured
from faust.sensors.otel import OpenTelemetryMonitor
from faust.types import TP

TP0 = TP("orders", 3)
STREAM = SimpleNamespace(shortlabel="Stream: orders", task_owner="count:0")


@pytest.fixture
def spans() -> tuple[Any, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test"), exporter


def test_event_span_has_topic_partition_offset(spans: Any) -> None:
    tracer, exporter = spans
    sensor = faust_otel.OpenTelemetrySensor(tracer=tracer)
    state = sensor.on_stream_event_in(TP0, 42, STREAM, None)  # type: ignore[arg-type]
    sensor.on_stream_event_out(TP0, 42, STREAM, None, state)  # type: ignore[arg-type]
    (span,) = exporter.get_finished_spans()
    assert span.name == "faust.event"
    assert span.attributes["messaging.destination.name"] == "orders"
    assert span.attributes["messaging.destination.partition.id"] == "3"
    assert span.attributes["messaging.kafka.message.offset"] == 42


def test_failed_send_span_records_the_error(spans: Any) -> None:
    tracer, exporter = spans
    sensor = faust_otel.OpenTelemetrySensor(tracer=tracer)
    state = sensor.on_send_initiated(None, "out", None, 1, 10)
    sensor.on_send_error(None, KeyError("x"), state)
    (span,) = exporter.get_finished_spans()
    assert span.name == "faust.send"
    assert not span.status.is_ok
    assert span.events[0].name == "exception"


def test_setup_adds_the_sensor(spans: Any) -> None:
    tracer, _ = spans
    app = faust.App("otel", broker="memory://")
    sensor = faust_otel.setup_opentelemetry(app, tracer=tracer)
    assert sensor in list(app.sensors)
    assert faust_otel.opentelemetry_available()


def _points(reader: InMemoryMetricReader) -> dict[str, Any]:
    data = reader.get_metrics_data()
    found = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = list(metric.data.data_points)
    return found


def test_monitor_reports_to_otel_instruments() -> None:
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    monitor = OpenTelemetryMonitor(meter=meter)
    monitor.on_message_in(TP0, 1, None)  # type: ignore[arg-type]
    state = monitor.on_stream_event_in(TP0, 1, STREAM, None)  # type: ignore[arg-type]
    monitor.on_stream_event_out(TP0, 1, STREAM, None, state)  # type: ignore[arg-type]
    monitor.count("rejected", 2)
    points = _points(reader)
    assert points["faust.messages.received"][0].value == 1
    assert points["faust.events"][0].attributes == {"stream": "Stream: orders"}
    assert points["faust.events.runtime"][0].count == 1
    assert points["faust.custom_count"][0].value == 2
    assert monitor.messages_received_total == 1  # the Monitor's own counters too


def test_missing_opentelemetry_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name.startswith("opentelemetry"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ImproperlyConfigured, match=r"faust-ng\[opentelemetry\]"):
        faust_otel.OpenTelemetrySensor()
    with pytest.raises(ImproperlyConfigured, match=r"faust-ng\[opentelemetry\]"):
        OpenTelemetryMonitor()
    assert not faust_otel.opentelemetry_available()
