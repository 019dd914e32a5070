"""Recovery, driven by hand with a fake consumer and fake tables."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, Optional
from unittest.mock import Mock

import pytest

from faust.exceptions import ConsistencyError, RecoveryTimeout
from faust.tables.recovery import Recovery
from faust.types import TP, Message

CL = "app-t-changelog"
GL = "app-g-changelog"


class FakeConsumer:
    reads_unassigned_partitions = True

    def __init__(
        self, ends: Mapping[TP, int], starts: Optional[Mapping[TP, int]] = None
    ):
        self.ends = dict(ends)
        self.starts = dict(starts or {})
        self.positions: dict[TP, int] = {}
        self.paused: set[TP] = set()
        self.diverted: dict[TP, Any] = {}

    def pause_partitions(self, tps: Any) -> None:
        self.paused.update(tps)

    def resume_partitions(self, tps: Any) -> None:
        self.paused.difference_update(tps)

    def divert(self, tps: Any, handler: Any) -> None:
        self.diverted.update(dict.fromkeys(tps, handler))

    def undivert(self, tps: Any) -> None:
        for tp in tps:
            self.diverted.pop(tp, None)

    async def earliest_offsets(self, *tps: TP) -> dict[TP, int]:
        return {tp: self.starts.get(tp, 0) for tp in tps}

    async def highwaters(self, *tps: TP) -> dict[TP, int]:
        return {tp: self.ends.get(tp, 0) for tp in tps}

    def highwater(self, tp: TP) -> int:
        return self.ends.get(tp, 0)

    async def seek(self, tp: TP, offset: int) -> None:
        self.positions[tp] = offset

    async def position(self, tp: TP) -> Optional[int]:
        return self.positions.get(tp)

    def topic_partitions(self, topic: str) -> Optional[int]:
        return 2


class FakeTable:
    def __init__(self, topic: str, *, is_global: bool = False, buffer: int = 1000):
        self.name = topic
        self.is_global = is_global
        self.partitions = 2
        self.changelog_topic = SimpleNamespace(
            get_topic_name=lambda: topic, schema=None
        )
        self.recovery_buffer_size = buffer
        self.standby_buffer_size = buffer
        self.on_changelog_event: Any = None
        self.persisted: dict[TP, int] = {}
        self.batches: list[list[int]] = []
        self.calls: list[Any] = []
        self.fail_offsets: set[int] = set()

    @property
    def wants_changelog_events(self) -> bool:
        return self.on_changelog_event is not None

    def persisted_offset(self, tp: TP) -> Optional[int]:
        return self.persisted.get(tp)

    def apply_changelog_batch(self, batch: Any) -> None:
        offsets = [event.message.offset for event in batch]
        if self.fail_offsets & set(offsets):
            raise ValueError("cannot apply")
        self.batches.append(offsets)

    async def on_rebalance(self, assigned: Any, *args: Any) -> None:
        self.calls.append(("rebalance", set(assigned)))

    async def on_recovery_completed(self, actives: Any, standbys: Any) -> None:
        self.calls.append(("completed", set(actives), set(standbys)))

    async def call_recover_callbacks(self) -> None:
        self.calls.append("callbacks")


class FakeSignal:
    def __init__(self) -> None:
        self.sent = 0

    async def send(self, **kwargs: Any) -> None:
        self.sent += 1


def make_recovery(
    consumer: FakeConsumer,
    *tables: FakeTable,
    standbys: Any = (),
    delay: float = 0.0,
) -> Recovery:
    app = SimpleNamespace(
        consumer=consumer,
        conf=SimpleNamespace(
            stream_recovery_delay=delay,
            topic_partitions=2,
            recovery_consistency_check=True,
        ),
        assignor=SimpleNamespace(assigned_standbys=lambda: set(standbys)),
        on_rebalance_complete=FakeSignal(),
        sensors=Mock(name="sensors"),
    )
    by_topic = {t.changelog_topic.get_topic_name(): t for t in tables}
    manager = SimpleNamespace(
        _tables_by_changelog=lambda: by_topic,
        actives_ready=False,
        standbys_ready=False,
    )
    return Recovery(app, manager)  # type: ignore[arg-type]


def messages(tp: TP, offsets: range) -> list[Message]:
    return [
        Message(tp.topic, tp.partition, o, 0.0, 0, None, b"k", b"v", None, 0, 0, tp)
        for o in offsets
    ]


async def deliver(
    recovery: Recovery, consumer: FakeConsumer, tp: TP, offsets: range
) -> None:
    """What the consumer does for a fetch of a diverted partition."""
    consumer.positions[tp] = offsets.stop
    await consumer.diverted[tp]({tp: messages(tp, offsets)})


async def test_empty_changelogs_complete_before_the_next_fetch() -> None:
    tp0, tp1, source = TP(CL, 0), TP(CL, 1), TP("src", 0)
    consumer = FakeConsumer({})
    table = FakeTable(CL)
    recovery = make_recovery(consumer, table)
    await recovery.on_rebalance({tp0, tp1, source}, set(), set())
    assert recovery.completed.is_set() and recovery.tables.actives_ready
    assert consumer.paused == {tp0, tp1}  # written here: not read any more
    assert not consumer.diverted
    assert table.calls == [
        ("rebalance", {tp0, tp1}),
        ("completed", {tp0, tp1}, set()),
        "callbacks",
    ]
    # the signal is sent by the watcher, after the rebalance handler
    assert recovery.app.on_rebalance_complete.sent == 0
    await recovery._check()
    assert recovery.app.on_rebalance_complete.sent == 1


async def test_sources_wait_until_changelogs_reach_their_high_watermark() -> None:
    tp0, tp1, source = TP(CL, 0), TP(CL, 1), TP("src", 0)
    consumer = FakeConsumer({tp0: 10, tp1: 5}, starts={tp1: 2})
    table = FakeTable(CL, buffer=4)
    table.persisted = {tp0: 3}
    recovery = make_recovery(consumer, table)
    await recovery.on_rebalance({tp0, tp1, source}, set(), set())
    assert not recovery.completed.is_set()
    assert consumer.positions == {tp0: 4, tp1: 2}  # after persisted / log start
    assert consumer.paused == {source}
    assert set(consumer.diverted) == {tp0, tp1}
    await deliver(recovery, consumer, tp0, range(4, 10))
    assert table.batches == [[4, 5, 6, 7], [8, 9]]  # recovery_buffer_size
    assert recovery.pending == {tp1} and not recovery.completed.is_set()
    await deliver(recovery, consumer, tp1, range(2, 5))
    assert recovery.completed.is_set()
    assert consumer.paused == {tp0, tp1}  # source resumed, actives paused
    assert recovery._applied == 9


async def test_position_past_a_transaction_marker_completes() -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({tp0: 5})
    recovery = make_recovery(consumer, FakeTable(CL))
    await recovery.on_rebalance({tp0}, set(), set())
    await deliver(recovery, consumer, tp0, range(0, 3))
    assert not recovery.completed.is_set()
    consumer.positions[tp0] = 5  # markers at 3 and 4: no records, position moved
    await recovery._check()
    assert recovery.completed.is_set()


async def test_standbys_do_not_hold_processing_back() -> None:
    active, standby = TP(CL, 0), TP(CL, 1)
    consumer = FakeConsumer({active: 0, standby: 10})
    table = FakeTable(CL)
    recovery = make_recovery(consumer, table, standbys={standby})
    await recovery.on_rebalance({active, standby}, set(), set())
    assert recovery.completed.is_set() and not recovery.tables.standbys_ready
    assert set(consumer.diverted) == {standby}  # standbys are read all the time
    await deliver(recovery, consumer, standby, range(0, 10))
    assert recovery.tables.standbys_ready
    await deliver(recovery, consumer, standby, range(10, 12))
    assert table.batches[-1] == [10, 11]


async def test_global_tables_read_every_partition_forever() -> None:
    mine = TP(GL, 0)
    other = TP(GL, 1)  # not assigned to this worker
    consumer = FakeConsumer({mine: 1, other: 1})
    table = FakeTable(GL, is_global=True)
    recovery = make_recovery(consumer, table)
    await recovery.on_rebalance({mine}, set(), set())
    assert recovery.pending == {mine, other}
    await deliver(recovery, consumer, mine, range(0, 1))
    await deliver(recovery, consumer, other, range(0, 1))
    assert recovery.completed.is_set()
    assert set(consumer.diverted) == {mine, other}  # keeps reading
    assert table.calls[0] == ("rebalance", {mine, other})


async def test_store_ahead_of_its_changelog_fails_clearly() -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({tp0: 3})
    table = FakeTable(CL)
    table.persisted = {tp0: 7}
    recovery = make_recovery(consumer, table)
    with pytest.raises(
        ConsistencyError, match="offset 7.*ends at offset 3.*faust reset"
    ):
        await recovery.on_rebalance({tp0}, set(), set())


async def test_no_progress_fails_after_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({tp0: 100})
    recovery = make_recovery(consumer, FakeTable(CL))
    await recovery.on_rebalance({tp0}, set(), set())
    recovery.timeout = 5.0
    now = recovery._last_progress
    monkeypatch.setattr("faust.tables.recovery.time.monotonic", lambda: now + 4)
    await recovery._check()  # not yet
    monkeypatch.setattr("faust.tables.recovery.time.monotonic", lambda: now + 6)
    with pytest.raises(RecoveryTimeout, match=f"{CL}:0 \\(high watermark 100\\)"):
        await recovery._check()
    recovery.timeout = 0  # disabled
    await recovery._check()


async def test_revoke_stops_recovery() -> None:
    tp0, source = TP(CL, 0), TP("src", 0)
    consumer = FakeConsumer({tp0: 10})
    recovery = make_recovery(consumer, FakeTable(CL))
    await recovery.on_rebalance({tp0, source}, set(), set())
    await recovery.on_partitions_revoked({tp0, source})
    assert not consumer.diverted and source not in consumer.paused
    assert not recovery.pending and not recovery.completed.is_set()
    await recovery._check()  # nothing to do


async def test_records_that_cannot_be_applied_are_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({tp0: 3})
    table = FakeTable(CL)
    table.fail_offsets = {1}
    recovery = make_recovery(consumer, table)
    await recovery.on_rebalance({tp0}, set(), set())
    with caplog.at_level(logging.WARNING):
        await deliver(recovery, consumer, tp0, range(0, 3))
    assert table.batches == [[0], [2]]
    assert "offset=1" in caplog.text
    assert recovery.completed.is_set()
    # counted by the sensors, reported with the count at the end
    ((skipped_table, message, exc), _) = (
        recovery.app.sensors.on_changelog_record_skipped.call_args
    )
    assert skipped_table is table and message.offset == 1
    assert "Recovery skipped 1 changelog record(s)" in caplog.text


async def test_failing_recover_callback_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    table = FakeTable(CL)

    async def boom() -> None:
        raise RuntimeError("callback failed")

    table.call_recover_callbacks = boom  # type: ignore[method-assign]
    recovery = make_recovery(FakeConsumer({}), table)
    with caplog.at_level(logging.ERROR):
        await recovery.on_rebalance({TP(CL, 0)}, set(), set())
    assert recovery.completed.is_set()
    assert "callback failed" in caplog.text


async def test_changelog_event_callback() -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({tp0: 2})
    table = FakeTable(CL)
    seen: list[int] = []

    async def on_event(event: Any) -> None:
        seen.append(event.message.offset)

    table.on_changelog_event = on_event
    recovery = make_recovery(consumer, table)
    await recovery.on_rebalance({tp0}, set(), set())
    await deliver(recovery, consumer, tp0, range(0, 2))
    assert seen == [0, 1]


async def test_recovery_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({})
    clock = [100.0]
    monkeypatch.setattr("faust.tables.recovery.time.monotonic", lambda: clock[0])
    recovery = make_recovery(consumer, FakeTable(CL), delay=2.0)
    await recovery.on_rebalance({tp0}, set(), set())
    assert tp0 in consumer.paused and not recovery.completed.is_set()
    await recovery._check()
    assert not recovery.completed.is_set()
    clock[0] += 2.5
    await recovery._check()
    assert recovery.completed.is_set()


async def test_log_progress(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    tp0 = TP(CL, 0)
    consumer = FakeConsumer({tp0: 100})
    recovery = make_recovery(consumer, FakeTable(CL))
    await recovery.on_rebalance({tp0}, set(), set())
    await deliver(recovery, consumer, tp0, range(0, 40))
    now = recovery._last_stats + recovery.stats_interval + 1
    monkeypatch.setattr("faust.tables.recovery.time.monotonic", lambda: now)
    with caplog.at_level(logging.INFO):
        await recovery._check()
    assert f"1 partition(s) left ({CL}:0): 60 record(s) remaining" in caplog.text
    assert recovery.active_remaining_total() == 60
    assert recovery.standby_remaining_total() == 0


async def test_stop_stops_reading_changelogs() -> None:
    active, standby = TP(CL, 0), TP(CL, 1)
    consumer = FakeConsumer({active: 0, standby: 5})
    recovery = make_recovery(consumer, FakeTable(CL), standbys={standby})
    await recovery.on_rebalance({active, standby}, set(), set())
    assert standby in consumer.diverted
    await recovery.on_stop()
    assert not consumer.diverted and {active, standby} <= consumer.paused
