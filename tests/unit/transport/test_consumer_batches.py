"""Consumer._to_messages: a fetched batch converted and tracked in bulk."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from consumer_fakes import CannedConsumer
from hypothesis import given
from hypothesis import strategies as st

import faust
from faust.transport.offsets import PartitionOffsets
from faust.transport.utils import DefaultSchedulingStrategy
from faust.transport.utils import round_robin as _round_robin
from faust.types import TP


class FakeConsumer(CannedConsumer):
    """A driver returning canned records (offsets)."""

    def __init__(self, app: faust.App, records: dict[TP, list[int]]) -> None:
        super().__init__(app)
        self.records = records

    def assignment(self) -> set[TP]:
        return set(self.records)

    async def _getmany(self, active_partitions: set[TP], timeout: float) -> Any:
        return {
            tp: recs for tp, recs in self.records.items() if tp in active_partitions
        }


@pytest.fixture
def app() -> faust.App:
    return faust.App("unit-batches", broker="memory://unit-batches")


def _records() -> dict[TP, list[int]]:
    return {TP("a", 0): [1, 2, 3], TP("a", 1): [10], TP("b", 0): [20, 21]}


async def test_batch_is_in_the_default_schedulers_order(app: faust.App) -> None:
    records = _records()
    consumer = FakeConsumer(app, records)
    app.topics.acks_enabled_for = lambda topic: True  # type: ignore[method-assign]
    messages = await consumer.fetch_messages(0.0)
    expected = list(DefaultSchedulingStrategy().iterate(records))
    assert [(m.tp, m.offset) for m in messages] == expected
    # every message is tracked, with the generation of the fetch
    assert all(m.tracked for m in messages)
    assert len(consumer.unacked) == 6
    assert {m.generation_id for m in messages} == {app.consumer_generation_id}


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("xyz"), st.integers(0, 3)),
        st.lists(st.integers(0, 99), min_size=1, max_size=6),
        max_size=6,
    )
)
def test_round_robin_matches_the_default_strategy(raw: dict[Any, list[int]]) -> None:
    by_tp: dict[TP, list[Any]] = {TP(t, p): offsets for (t, p), offsets in raw.items()}
    expected = [m for _tp, m in DefaultSchedulingStrategy().iterate(by_tp)]
    assert _round_robin(by_tp) == expected


async def test_paused_and_untracked_topics(app: faust.App) -> None:
    consumer = FakeConsumer(app, _records())
    app.topics.acks_enabled_for = lambda topic: topic == "a"  # type: ignore[method-assign]
    consumer.pause_partitions([TP("a", 1)])
    messages = await consumer.fetch_messages(0.0)
    assert TP("a", 1) not in {m.tp for m in messages}
    assert {m.tp for m in messages if m.tracked} == {TP("a", 0)}
    # acks in any order: the commit point never passes an unacked offset
    by_offset = {m.offset: m for m in messages}
    assert consumer.ack(by_offset[2])
    assert consumer._offsets[TP("a", 0)].committable() is None
    consumer.ack(by_offset[1])
    assert consumer._offsets[TP("a", 0)].committable() == 3


async def test_custom_scheduler_still_decides_the_order(app: faust.App) -> None:
    class Backwards(DefaultSchedulingStrategy):
        def iterate(self, records: Any) -> Any:
            for tp in reversed(list(records)):
                for record in records[tp]:
                    yield tp, record

    consumer = FakeConsumer(app, _records())
    consumer.scheduler = Backwards()
    messages = await consumer.fetch_messages(0.0)
    assert [m.offset for m in messages] == [20, 21, 10, 1, 2, 3]


def test_track_many_refuses_offsets_that_do_not_increase() -> None:
    offsets = PartitionOffsets()
    offsets.track_many([1, 2, 5])
    with pytest.raises(ValueError, match="must increase"):
        offsets.track_many([5, 6])
    with pytest.raises(ValueError, match="must increase"):
        offsets.track_many([7, 7])
    offsets.track_many([])
    assert list(offsets.inflight) == [1, 2, 5]
    assert offsets.ack(1) and offsets.ack(2) and offsets.ack(5)
    assert offsets.committable() == 6


async def test_idle_fetcher_wakes_on_assignment_not_on_a_timer(app: faust.App) -> None:
    consumer = FakeConsumer(app, {})
    loop = asyncio.get_running_loop()
    waiting = asyncio.ensure_future(consumer._idle(30.0))
    await asyncio.sleep(0)
    assert not waiting.done()
    started = loop.time()
    consumer.resume_flow()  # any change of what may be fetched wakes it
    await asyncio.wait_for(waiting, 1.0)
    assert loop.time() - started < 0.2
    # without a wake-up it returns after a bounded time, not a fixed sleep
    started = loop.time()
    await consumer._wait_flow(0.01)
    assert loop.time() - started < 0.2


async def test_records_of_a_partition_paused_during_the_fetch_are_read_again(
    app: faust.App,
) -> None:
    from unittest.mock import AsyncMock

    records = _records()
    consumer = FakeConsumer(app, records)
    consumer.seek = AsyncMock()  # type: ignore[method-assign]
    paused = TP("b", 0)

    async def getmany(active: set[TP], timeout: float) -> Any:
        consumer.pause_partitions([paused])  # paused while the fetch ran
        return dict(records)

    consumer._getmany = getmany  # type: ignore[method-assign]
    messages = await consumer.fetch_messages(0.0)
    assert paused not in {m.tp for m in messages}
    # not delivered, and not lost: read again from its first record
    consumer.seek.assert_awaited_once_with(paused, 20)
