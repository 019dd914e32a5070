"""statsd and Datadog monitors, with recording fake clients."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import pytest

from faust.exceptions import ImproperlyConfigured
from faust.sensors.datadog import DatadogMonitor, DatadogStatsClient
from faust.sensors.statsd import StatsdMonitor
from faust.types import TP

TP0 = TP("orders", 2)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))

        return record


def _drive(monitor: Any) -> None:
    stream = SimpleNamespace(shortlabel="S", task_owner="t")
    table = SimpleNamespace(name="t")
    monitor.on_message_in(TP0, 7, None)
    state = monitor.on_stream_event_in(TP0, 7, stream, None)
    monitor.on_stream_event_out(TP0, 7, stream, None, state)
    monitor.on_message_out(TP0, 7, None)
    monitor.on_table_get(table, "k")
    monitor.on_commit_completed(None, monitor.on_commit_initiated(None))
    monitor.on_tp_commit({TP0: 8})
    monitor.on_send_completed(
        None, monitor.on_send_initiated(None, "out", None, 0, 0), None
    )
    monitor.on_web_request_end(None, None, SimpleNamespace(status=200), 0.0)
    monitor.count("custom", 3)


def test_statsd_names() -> None:
    monitor = StatsdMonitor(prefix="p", rate=0.5)
    monitor.client = Recorder()
    _drive(monitor)
    names = [(name, args[0]) for name, args, _ in monitor.client.calls]
    assert ("incr", "topic.orders.messages_received") in names
    assert ("gauge", "read_offset.orders.2") in names
    assert ("incr", "stream.s.events") in names
    assert ("timing", "events_runtime") in names
    assert ("decr", "messages_active") in names
    assert ("incr", "table.t.keys_retrieved") in names
    assert ("gauge", "committed_offset.orders.2") in names
    assert ("incr", "topic.out.messages_sent") in names
    assert ("incr", "http_status_code.200") in names
    assert ("incr", "custom") in names
    assert all(kw["rate"] == 0.5 for _, _, kw in monitor.client.calls)
    # the Monitor's own counters are kept as well
    assert monitor.messages_received_total == 1


def test_datadog_tags() -> None:
    monitor = DatadogMonitor(prefix="p")
    monitor.client = Recorder()
    _drive(monitor)
    calls = {
        (name, args[0], tuple(kw.get("tags") or ()))
        for name, args, kw in monitor.client.calls
    }
    assert ("increment", "messages_received", ("topic:orders",)) in calls
    assert ("gauge", "read_offset", ("topic:orders", "partition:2")) in calls
    assert ("increment", "events", ("stream:s",)) in calls
    assert ("increment", "keys_retrieved", ("table:t",)) in calls
    assert ("increment", "http_status_code", ("status:200",)) in calls


@pytest.mark.parametrize("cls", [StatsdMonitor, DatadogMonitor])
def test_missing_client_package(cls: Any) -> None:
    def missing(name: str) -> Any:
        raise ImportError(name)

    monitor = cls()
    with patch("importlib.import_module", missing):
        with pytest.raises(ImproperlyConfigured, match="pip install"):
            monitor.client  # noqa: B018


def test_real_statsd_client_is_built_lazily() -> None:
    monitor = StatsdMonitor(host="127.0.0.1", port=8125, prefix="x")
    assert monitor._client is None
    assert monitor.client is monitor.client


def test_stream_names_are_faust_shaped_and_statsd_safe(app: Any) -> None:
    # Faust names a stream's metrics stream.topic_<name>.events; a label
    # with ": " would end the statsd name early and break the line.
    orders, refunds = app.topic("orders"), app.topic("refunds")
    stream = app.stream(orders)
    combined = stream & app.stream(refunds)
    assert stream.shortlabel == "Stream: Topic: orders"
    assert combined.shortlabel == "Stream: Topic: orders&Topic: refunds"
    monitor = StatsdMonitor(prefix="p")
    monitor.client = Recorder()
    for s in (stream, combined):
        monitor.on_stream_event_out(
            TP0, 1, s, None, monitor.on_stream_event_in(TP0, 1, s, None)
        )
    names = [args[0] for name, args, _ in monitor.client.calls if name == "incr"]
    assert "stream.topic_orders.events" in names
    assert "stream.topic_orders&topic_refunds.events" in names
    dd = DatadogMonitor(prefix="p")
    dd.client = Recorder()
    dd.on_stream_event_in(TP0, 1, combined, None)
    tags = [kw.get("tags") for _, args, kw in dd.client.calls if args[0] == "events"]
    assert ["stream:topic_orders&topic_refunds"] in tags


def test_stream_metric_label_replaces_separators() -> None:
    from faust.sensors._stats import stream_metric_label

    assert stream_metric_label("Stream: Channel: <ANON>") == "channel_anon"
    assert stream_metric_label("Stream: Topic: a,b") == "topic_a_b"


def test_datadog_stats_client_turns_labels_into_tags() -> None:
    made: list[Any] = []

    def import_module(name: str) -> Any:
        assert name == "datadog"

        def dogstatsd(**kwargs: Any) -> Recorder:
            made.append(kwargs)
            return Recorder()

        return SimpleNamespace(DogStatsd=dogstatsd)

    with patch("importlib.import_module", import_module):
        client = DatadogStatsClient(host="dd", port=9125, prefix="shop", rate=0.5)
    assert made == [{"host": "dd", "port": 9125, "namespace": "shop"}]
    client.increment("orders", 2, labels={"topic": "o"})
    client.gauge("lag", 7, labels={"partition": 1})
    client.timing("latency", 12.5)
    client.decr("active")
    calls = [(name, args, kw.get("tags")) for name, args, kw in client.client.calls]
    assert calls == [
        ("increment", ("orders", 2), ["topic:o"]),
        ("gauge", ("lag", 7), ["partition:1"]),
        ("timing", ("latency", 12.5), None),
        ("decrement", ("active", 1.0), None),
    ]
    assert all(kw["sample_rate"] == 0.5 for _, _, kw in client.client.calls)
