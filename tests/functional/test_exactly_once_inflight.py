"""Exactly-once: a commit carries exactly the output of the offsets it commits.

Every way an agent or a table produces output is checked with an event still
being processed when the commit starts, and more events processed while the
commit waits for it: a ``read_committed`` reader sees exactly the output of
the events whose offsets the transaction committed, no more and no less.

The event in flight is held by a second agent reading the same topic (an
event is acked when every stream that got it is done), so the agent under
test has produced the event's output while its offset cannot be committed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import faust
from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types import TP

HOLD = 3  # the event in flight when the commit starts
FIRST, MORE = 5, 3  # events before the commit, and while it waits


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


def read(broker: MemoryBroker, topic: str, *, committed: bool) -> Counter[int]:
    values: Counter[int] = Counter()
    for partition in range(broker.partitions_for(topic) or 0):
        result = broker.fetch(
            TP(topic, partition), 0, max_records=100_000, read_committed=committed
        )
        values.update(int(json.loads(record[2])) for record in result.records)
    return values


class Pipeline:
    """An app with the agent under test and an agent holding event HOLD."""

    def __init__(self, broker_url: str, tmp_path: Any, path: str) -> None:
        self.app_id = f"eos-{uuid.uuid4().hex[:8]}"
        self.broker = MemoryBroker.for_url(broker_url)
        app = self.app = faust.App(
            self.app_id,
            broker=broker_url,
            web_enabled=False,
            datadir=str(tmp_path),
            topic_partitions=1,
            processing_guarantee="exactly_once",
            broker_commit_interval=30.0,  # commits happen when the test says
        )
        app.in_worker = True
        self.source = app.topic("numbers", key_type=str, value_type=int)
        self.out = app.topic("out", key_type=str, value_type=int)
        self.gate = asyncio.Event()
        self.reached = asyncio.Event()
        self.held_done = 0
        self.output_topic = "out"
        getattr(self, f"_agent_{path}")()

        @app.agent(self.source)
        async def holder(stream: Any) -> None:
            async for value in stream:
                if value == HOLD:
                    self.reached.set()
                    await self.gate.wait()
                self.held_done += 1

    # -- one agent per output path -----------------------------------------

    def _agent_send(self) -> None:
        @self.app.agent(self.source)
        async def send(stream: Any) -> None:
            async for key, value in stream.items():
                await self.out.send(key=key, value=value)

    def _agent_send_soon(self) -> None:
        @self.app.agent(self.source)
        async def send_soon(stream: Any) -> None:
            async for key, value in stream.items():
                self.out.send_soon(key=key, value=value)

    def _agent_forward(self) -> None:
        @self.app.agent(self.source)
        async def forward(stream: Any) -> None:
            async for event in stream.events():
                await event.forward(self.out)

    def _agent_send_wait(self) -> None:
        self.delivered: list[int] = []

        @self.app.agent(self.source)
        async def send_wait(stream: Any) -> None:
            async for key, value in stream.items():
                fut = await self.out.send(key=key, value=value)
                await fut  # waits for the broker's ack of its own output
                self.delivered.append(value)

    def _agent_sink(self) -> None:
        @self.app.agent(self.source, sink=[self.out])
        async def sink(stream: Any) -> Any:
            async for value in stream:
                yield value

    def _agent_group_by(self) -> None:
        @self.app.agent(self.source)
        async def regroup(stream: Any) -> None:
            async for _ in stream.group_by(lambda v: str(v), name="byvalue"):
                pass

        self.output_topic = "repartition"  # named when the agent starts

    def _agent_changelog(self) -> None:
        table = self.app.Table("totals", default=int, partitions=1)

        @self.app.agent(self.source)
        async def count(stream: Any) -> None:
            async for key, value in stream.items():
                table[key] = value

        self.output_topic = table.changelog_topic_name

    # -- checks ------------------------------------------------------------

    async def produce(self, values: range) -> None:
        for i in values:
            await self.source.send(key=str(i), value=i)

    def output(self, *, committed: bool = True) -> Counter[int]:
        topic = self.output_topic
        if topic == "repartition":
            (topic,) = [t for t in self.broker._topics if t.endswith("-repartition")]
        return read(self.broker, topic, committed=committed)

    def committed_offset(self) -> int:
        tp = TP("numbers", 0)
        committed = self.broker.committed_offsets(self.app_id, [tp])
        return committed[tp].offset if tp in committed else 0


PATHS = ["send", "send_soon", "forward", "sink", "group_by", "changelog"]


@pytest.mark.parametrize("path", PATHS)
async def test_commit_carries_only_output_of_committed_offsets(
    broker_url: str, tmp_path: Any, path: str
) -> None:
    pipe = Pipeline(broker_url, tmp_path, path)
    app = pipe.app
    pipe.broker.create_topic("numbers", 1)
    pipe.broker.create_topic("out", 1)
    manager = None
    try:
        await app.start()
        manager = app.consumer.transactions
        await pipe.produce(range(FIRST))
        await pipe.reached.wait()
        # every event has its output written, HOLD and after are not acked
        await wait_for(lambda: sum(pipe.output(committed=False).values()) == FIRST)
        commit = asyncio.ensure_future(app.consumer.commit())
        await wait_for(lambda: bool(manager.ledger.cuts))
        # events processed while the commit waits for HOLD
        await pipe.produce(range(FIRST, FIRST + MORE))
        await wait_for(
            lambda: (
                sum(pipe.output(committed=False).values()) + manager.ledger.held_count()
                == FIRST + MORE
            )
        )
        pipe.gate.set()
        assert await commit
        offset = pipe.committed_offset()
        assert pipe.output() == Counter(range(offset))
        assert offset == FIRST
        await wait_for(lambda: pipe.held_done == FIRST + MORE)
    finally:
        pipe.gate.set()
        await app.stop()
    # the rest is committed at stop, each output once
    assert pipe.committed_offset() == FIRST + MORE
    assert pipe.output() == Counter(range(FIRST + MORE))


async def test_awaiting_own_output_while_a_commit_waits_does_not_hang(
    broker_url: str, tmp_path: Any
) -> None:
    pipe = Pipeline(broker_url, tmp_path, "send_wait")
    app = pipe.app
    pipe.broker.create_topic("numbers", 1)
    pipe.broker.create_topic("out", 1)
    try:
        await app.start()
        manager = app.consumer.transactions
        await pipe.produce(range(FIRST))
        await pipe.reached.wait()
        await wait_for(lambda: len(pipe.delivered) == FIRST)
        commit = asyncio.ensure_future(app.consumer.commit())
        await wait_for(lambda: bool(manager.ledger.cuts))
        await pipe.produce(range(FIRST, FIRST + MORE))
        # the next event's output is held until the commit: its agent waits
        await wait_for(lambda: manager.ledger.held_count() == 1)
        pipe.gate.set()
        assert await asyncio.wait_for(commit, 10)
        await wait_for(lambda: len(pipe.delivered) == FIRST + MORE)
        assert pipe.output() == Counter(range(FIRST))
    finally:
        pipe.gate.set()
        await app.stop()
    assert pipe.output() == Counter(range(FIRST + MORE))


async def test_ask_from_an_agent_under_exactly_once_does_not_hang(
    broker_url: str, tmp_path: Any
) -> None:
    app = faust.App(
        f"eos-{uuid.uuid4().hex[:8]}",
        broker=broker_url,
        web_enabled=False,
        datadir=str(tmp_path),
        topic_partitions=1,
        processing_guarantee="exactly_once",
        broker_commit_interval=0.05,
        reply_create_topic=True,
    )
    app.in_worker = True
    source = app.topic("numbers", value_type=int)
    replies: list[int] = []

    @app.agent()
    async def double(stream: Any) -> Any:
        async for value in stream:
            yield value * 2

    @app.agent(source)
    async def asker(stream: Any) -> None:
        async for value in stream:
            replies.append(await double.ask(value))

    try:
        await app.start()
        for i in range(20):
            await source.send(value=i)
        await wait_for(lambda: len(replies) == 20)
    finally:
        await app.stop()
    assert replies == [i * 2 for i in range(20)]
