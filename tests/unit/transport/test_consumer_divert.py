"""Consumer.divert: partitions whose messages go to a handler, not to streams."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from consumer_fakes import CannedConsumer

import faust
from faust.types import TP, Message

SRC, CL = TP("src", 0), TP("cl", 0)


class FakeConsumer(CannedConsumer):
    """A driver returning canned records."""

    def __init__(self, app: faust.App, records: dict[TP, list[int]]) -> None:
        super().__init__(app)
        self.records = records
        self.assigned = {SRC, CL}
        self.asked: list[set[TP]] = []

    def assignment(self) -> set[TP]:
        return set(self.assigned)

    async def _getmany(self, active_partitions: set[TP], timeout: float) -> Any:
        self.asked.append(set(active_partitions))
        wanted = [tp for tp in self.records if tp in active_partitions]
        return {tp: self.records.pop(tp) for tp in wanted}


@pytest.fixture
def app() -> faust.App:
    return faust.App("unit-divert", broker="memory://unit-divert")


async def test_diverted_messages_go_to_the_handler(app: faust.App) -> None:
    consumer = FakeConsumer(app, {SRC: [0, 1], CL: [5, 6, 7]})
    app.topics.acks_enabled_for = lambda topic: True  # type: ignore[method-assign]
    calls: list[dict[TP, list[int]]] = []

    async def handler(batches: Mapping[TP, list[Message]]) -> None:
        calls.append({tp: [m.offset for m in msgs] for tp, msgs in batches.items()})

    consumer.divert([CL], handler)
    assert consumer.diverted == {CL}
    messages = await consumer.fetch_messages(0.0)
    assert [m.offset for m in messages] == [0, 1]  # only the source
    assert calls == [{CL: [5, 6, 7]}]
    assert len(consumer.unacked) == 2  # only the source is tracked
    consumer.records[CL] = [8]
    consumer.pause_partitions([CL])
    await consumer.fetch_messages(0.0)
    assert len(calls) == 1 and CL not in consumer.asked[-1]
    consumer.resume_partitions([CL])
    consumer.undivert([CL])
    messages = await consumer.fetch_messages(0.0)
    assert [(m.tp, m.offset) for m in messages] == [(CL, 8)]  # to streams again


async def test_unassigned_partitions_are_read_if_the_driver_can(app: faust.App) -> None:
    extra = TP("global", 1)
    consumer = FakeConsumer(app, {extra: [3]})
    seen: list[Any] = []

    async def handler(batches: Mapping[TP, list[Message]]) -> None:
        seen.extend(batches)

    consumer.divert([extra], handler)
    await consumer.fetch_messages(0.0)
    assert extra not in consumer.asked[-1] and not seen
    consumer.reads_unassigned_partitions = True  # type: ignore[misc]
    await consumer.fetch_messages(0.0)
    assert extra in consumer.asked[-1] and seen == [extra]


async def test_revoked_partitions_are_no_longer_diverted(app: faust.App) -> None:
    consumer = FakeConsumer(app, {})

    async def handler(batches: Any) -> None: ...

    consumer.divert([CL, SRC], handler)
    await consumer.on_partitions_revoked({CL})
    assert consumer.diverted == {SRC}


async def test_memory_consumer_seek_forgets_a_stale_high_watermark() -> None:
    app = faust.App("unit-divert-hw", broker="memory://unit-divert-hw")
    consumer = app.consumer
    broker = consumer.broker  # type: ignore[attr-defined]
    tp = TP("t", 0)
    broker.create_topic("t", 1)
    broker.produce("t", b"k", b"v", partition=0)
    consumer._highwaters[tp] = 0  # type: ignore[attr-defined]  # seen by an old fetch
    assert consumer.highwater(tp) == 0
    await consumer.seek(tp, 0)
    assert consumer.highwater(tp) == 1  # asks the broker again
    assert consumer.reads_unassigned_partitions  # type: ignore[attr-defined]
    broker.close()
