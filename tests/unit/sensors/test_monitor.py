"""The Monitor's counters, latencies, offsets and exports."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock

import pytest

from faust.sensors import Monitor
from faust.types import TP

TP0 = TP("orders", 0)
TP1 = TP("orders", 1)


@pytest.fixture
def monitor() -> Monitor:
    return Monitor()


def _app(assigned: set[TP], started: bool = True) -> Any:
    consumer = Mock(
        assignment=Mock(return_value=assigned), highwater=Mock(return_value=20)
    )
    return SimpleNamespace(
        started=started,
        producer_only=False,
        client_only=False,
        consumer=consumer,
        rebalancing_count=3,
    )


def test_messages_and_events(monitor: Monitor) -> None:
    stream = SimpleNamespace(shortlabel="Stream: orders", task_owner="app.count:0")
    monitor.on_message_in(TP0, 5, None)  # type: ignore[arg-type]
    state = monitor.on_stream_event_in(TP0, 5, stream, None)  # type: ignore[arg-type]
    assert isinstance(state, float)
    assert (monitor.events_active, monitor.messages_active) == (1, 1)
    monitor.on_stream_event_out(TP0, 5, stream, None, state)  # type: ignore[arg-type]
    monitor.on_message_out(TP0, 5, None)  # type: ignore[arg-type]
    assert (monitor.events_active, monitor.messages_active) == (0, 0)
    assert monitor.events_by_stream == {"Stream: orders": 1}
    assert monitor.events_by_task == {"app.count:0": 1}
    assert monitor.topic_read_offsets == {"orders": {0: 5}}
    assert len(monitor.events_runtime) == 1
    count, total = monitor.latency_total("events_runtime")
    assert count == 1 and total == monitor.events_runtime[0]


def test_tables_sends_commits(monitor: Monitor) -> None:
    table = SimpleNamespace(name="t")
    monitor.on_table_get(table, "k")  # type: ignore[arg-type]
    monitor.on_table_set(table, "k", 1)  # type: ignore[arg-type]
    monitor.on_table_del(table, "k")  # type: ignore[arg-type]
    monitor.on_table_late_event(table, "k", 3.0)  # type: ignore[arg-type]
    monitor.on_changelog_record_skipped(table, None, ValueError())  # type: ignore[arg-type]
    assert monitor.tables["t"].asdict() == {
        "keys_retrieved": 1,
        "keys_updated": 1,
        "keys_deleted": 1,
        "late_events": 1,
        "changelog_records_skipped": 1,
    }
    state = monitor.on_send_initiated(None, "out", None, 1, 2)  # type: ignore[arg-type]
    monitor.on_send_completed(None, state, None)  # type: ignore[arg-type]
    monitor.on_send_error(None, KeyError(), state)  # type: ignore[arg-type]
    assert (monitor.messages_sent, monitor.send_errors) == (1, 1)
    assert monitor.messages_sent_by_topic == {"out": 1}
    monitor.on_commit_completed(None, monitor.on_commit_initiated(None))  # type: ignore[arg-type]
    assert len(monitor.commit_latency) == 1
    monitor.on_tp_commit({TP0: 4})
    monitor.track_tp_end_offset(TP0, 9)
    assert monitor.topic_committed_offsets == {"orders": {0: 4}}
    assert monitor.topic_end_offsets == {"orders": {0: 9}}


def test_assignment_rebalance_web(monitor: Monitor) -> None:
    state = monitor.on_assignment_start(None)
    monitor.on_assignment_completed(None, state)
    monitor.on_assignment_error(None, state, KeyError())
    assert (monitor.assignments_completed, monitor.assignments_failed) == (1, 1)
    assert len(monitor.assignment_latency) == 2
    app = _app({TP0})
    monitor.on_message_in(TP1, 1, None)  # type: ignore[arg-type]
    monitor.on_message_in(TP("gone", 0), 1, None)  # type: ignore[arg-type]
    state = monitor.on_rebalance_start(app)
    assert monitor.rebalances == 3
    monitor.on_rebalance_return(app, state)
    monitor.on_rebalance_end(app, state)
    # offsets of partitions no longer assigned are forgotten
    assert monitor.topic_read_offsets == {}
    assert len(monitor.rebalance_end_latency) == 1
    web_state = monitor.on_web_request_start(app, None)
    monitor.on_web_request_end(app, None, SimpleNamespace(status=404), web_state)
    monitor.on_web_request_end(app, None, None, {})  # crashed before a response
    assert monitor.http_response_codes == {404: 1}
    assert len(monitor.http_response_latency) == 1


def test_histories_are_bounded() -> None:
    monitor = Monitor(max_avg_history=3, max_commit_latency_history=2)
    for _ in range(10):
        monitor.on_commit_completed(None, monitor.on_commit_initiated(None))  # type: ignore[arg-type]
        monitor.on_web_request_end(None, None, None, 0.0)  # type: ignore[arg-type]
    assert len(monitor.commit_latency) == 2
    assert len(monitor.http_response_latency) == 3
    assert monitor.latency_total("commit_latency")[0] == 10


def test_sampler_rates(monitor: Monitor) -> None:
    for _ in range(4):
        monitor.on_message_in(TP0, 1, None)  # type: ignore[arg-type]
    monitor._sample()
    assert monitor.messages_s == 4
    monitor._sample()
    assert monitor.messages_s == 0


def test_asdict_is_json_friendly(monitor: Monitor) -> None:
    from faust.utils.json import dumps

    monitor.count("x", 2)
    monitor.on_topic_buffer_full(TP0)
    data = monitor.asdict()
    assert data["metric_counts"] == {"x": 2}
    assert data["topic_buffer_full"] == {"orders:0": 1}
    assert dumps(data)


def test_collect_metrics_lag(monitor: Monitor) -> None:
    monitor.on_message_in(TP0, 9, None)  # type: ignore[arg-type]
    monitor.on_message_in(TP1, 4, None)  # type: ignore[arg-type]
    monitor.on_tp_commit({TP0: 8})
    families = {f.name: f for f in monitor.collect_metrics(_app({TP0, TP1}))}
    lag = {
        dict(s.labels)["partition"]: s.value
        for s in families["faust_consumer_lag"].samples
    }
    # TP0: end 20 - committed 8; TP1: nothing committed: 20 - (read 4 + 1)
    assert lag == {"0": 12, "1": 15}
    summary = families["faust_commit_latency_seconds"]
    assert [s.suffix for s in summary.samples][-2:] == ["_count", "_sum"]


def test_collect_metrics_without_a_running_consumer(monitor: Monitor) -> None:
    monitor.track_tp_end_offset(TP0, 3)
    families = {f.name: f for f in monitor.collect_metrics(_app(set(), started=False))}
    assert families["faust_topic_partition_end_offset"].samples[0].value == 3
    assert families["faust_consumer_lag"].samples == []


class TestFaustAttributes:
    def test_constructor_takes_faust_arguments(self) -> None:
        monitor = Monitor(
            max_avg_history=3,
            max_commit_latency_history=2,
            messages_sent=10,
            events_total=4,
            events_runtime=[1.0, 2.0, 3.0, 4.0],
            time=lambda: 100.0,
        )
        assert (monitor.messages_sent, monitor.events_total) == (10, 4)
        assert list(monitor.events_runtime) == [2.0, 3.0, 4.0]  # max_avg_history
        assert monitor.max_commit_latency_history == 2
        assert monitor.commit_latency.maxlen == 2
        assert monitor.max_send_latency_history == 30  # Faust's default

    def test_averages_follow_the_histories(self, monitor: Monitor) -> None:
        assert monitor.events_runtime_avg == 0.0
        monitor.events_runtime.extend([1.0, 3.0])
        monitor.rebalance_return_latency.append(0.5)
        monitor.rebalance_end_latency.extend([1.0, 2.0])
        monitor.http_response_latency.append(0.25)
        assert monitor.events_runtime_avg == 2.0
        assert monitor.rebalance_return_avg == 0.5
        assert monitor.rebalance_end_avg == 1.5
        assert monitor.http_response_latency_avg == 0.25

    def test_offsets_by_tp(self, monitor: Monitor) -> None:
        monitor.on_message_in(TP0, 5, None)  # type: ignore[arg-type]
        monitor.on_tp_commit({TP0: 4, TP1: 7})
        monitor.track_tp_end_offset(TP1, 9)
        assert monitor.tp_read_offsets == {TP0: 5}
        assert monitor.tp_committed_offsets == {TP0: 4, TP1: 7}
        assert monitor.tp_end_offsets == {TP1: 9}

    def test_time_helpers(self) -> None:
        monitor = Monitor(time=lambda: 12.5)
        assert monitor.secs_since(10.0) == 2.5
        assert monitor.ms_since(10.0) == 2500.0
        assert monitor.secs_to_ms(0.25) == 250.0

    def test_stream_inbound_time(self, monitor: Monitor) -> None:
        stream = SimpleNamespace(shortlabel="s", task_owner="t")
        state = monitor.on_stream_event_in(TP0, 1, stream, None)  # type: ignore[arg-type]
        assert monitor.stream_inbound_time[TP0] == state
