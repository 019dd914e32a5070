"""processing_guarantee='exactly_once' end to end on the embedded broker.

Output and source offsets are committed in one transaction per source
partition: a read_committed reader sees each event's output exactly once,
even when a worker dies after producing output and before committing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from unittest.mock import AsyncMock

import pytest

import faust
from faust.transport.drivers.memory.broker import MemoryBroker
from faust.transport.transaction import TransactionManager
from faust.types import TP

N = 40


async def wait_for(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def make_worker(
    broker_url: str,
    app_id: str,
    tmp_path,
    seen: list[int],
    *,
    embedded: bool = False,
    commit_interval: float = 0.05,
) -> faust.App:
    app = faust.App(
        app_id,
        broker=broker_url,
        web_enabled=False,
        datadir=str(tmp_path),
        topic_partitions=2,
        processing_guarantee="exactly_once",
        broker_commit_interval=commit_interval,
    )
    # what `faust worker` sets; an embedded app (``await app.start()``) runs
    # exactly-once without it
    app.in_worker = not embedded
    source = app.topic("numbers", key_type=str, value_type=int)
    out = app.topic("doubled", key_type=str, value_type=int)

    @app.agent(source)
    async def double(stream):
        async for key, value in stream.items():
            seen.append(value)
            await out.send(key=key, value=value * 2)

    return app


def committed_output(broker: MemoryBroker) -> Counter[bytes]:
    values: Counter[bytes] = Counter()
    for partition in range(broker.partitions_for("doubled") or 0):
        result = broker.fetch(
            TP("doubled", partition), 0, max_records=10_000, read_committed=True
        )
        values.update(record[2] for record in result.records)
    return values


async def produce_input(app: faust.App) -> None:
    topic = app.topic("numbers", key_type=str, value_type=int)
    for i in range(N):
        await topic.send(key=str(i), value=i)


async def test_embedded_app_processes_exactly_once_too(broker_url, tmp_path) -> None:
    # ``await app.start()`` in the user's own program, no ``faust worker``:
    # output stays invisible to read_committed readers until its
    # transaction commits (Faust silently ran such an app at-least-once)
    app_id = f"eos-{uuid.uuid4().hex[:8]}"
    broker = MemoryBroker.for_url(broker_url)
    broker.create_topic("numbers", 2)
    broker.create_topic("doubled", 2)
    seen: list[int] = []
    app = make_worker(broker_url, app_id, tmp_path / "a", seen, embedded=True,
                      commit_interval=3600.0)  # fmt: skip
    try:
        await app.start()
        assert app.in_transaction
        await produce_input(app)
        await wait_for(lambda: len(seen) == N)
        await app.maybe_flush_producer()
        assert committed_output(broker) == Counter()  # not committed yet
        assert await app.consumer.commit()
        assert committed_output(broker) == Counter(
            str(i * 2).encode() for i in range(N)
        )
    finally:
        await app.stop()


async def test_a_client_never_opens_transactions(broker_url) -> None:
    app = faust.App(f"eos-{uuid.uuid4().hex[:8]}", broker=broker_url,
                    web_enabled=False, processing_guarantee="exactly_once")  # fmt: skip
    try:
        await app.start_client()
        assert not app.in_transaction
        assert await app.maybe_start_producer() is app.producer
    finally:
        await app.stop()


async def test_output_and_offsets_commit_together(broker_url, tmp_path) -> None:
    app_id = f"eos-{uuid.uuid4().hex[:8]}"
    broker = MemoryBroker.for_url(broker_url)
    broker.create_topic("numbers", 2)
    broker.create_topic("doubled", 2)
    seen: list[int] = []
    app = make_worker(broker_url, app_id, tmp_path / "a", seen)
    try:
        await app.start()
        assert app.in_transaction
        assert isinstance(await app.maybe_start_producer(), TransactionManager)
        await produce_input(app)
        await wait_for(lambda: len(seen) == N)
        # everything but the event each stream holds is committed...
        await wait_for(lambda: sum(committed_output(broker).values()) >= N - 2)
        manager = app.consumer.transactions
        # (one per partition of 'numbers'; the reply topic, subscribed at
        # start on memory://, has its own)
        assert {
            f"{app_id}-{app.assignor.group_for_topic('numbers')}-{p}" for p in (0, 1)
        } <= set(manager.transactional_ids.values())
    finally:
        await app.stop()
    # ...and the rest at stop; exactly once each
    output = committed_output(broker)
    assert output == Counter(str(i * 2).encode() for i in range(N))
    committed = broker.committed_offsets(app_id, [TP("numbers", 0), TP("numbers", 1)])
    assert sum(c.offset for c in committed.values()) == N


async def test_a_worker_dying_before_commit_leaves_no_duplicates(
    broker_url, tmp_path
) -> None:
    app_id = f"eos-{uuid.uuid4().hex[:8]}"
    broker = MemoryBroker.for_url(broker_url)
    broker.create_topic("numbers", 2)
    broker.create_topic("doubled", 2)
    first: list[int] = []
    doomed = make_worker(broker_url, app_id, tmp_path / "a", first)
    await doomed.start()
    # this worker processes everything but never gets to commit
    doomed.consumer.commit = AsyncMock(return_value=False)
    doomed.consumer.force_commit = AsyncMock(return_value=False)
    await produce_input(doomed)
    await wait_for(lambda: len(first) == N)
    uncommitted = sum(
        broker.fetch(TP("doubled", p), 0, max_records=10_000).high_watermark
        for p in (0, 1)
    )
    assert uncommitted >= N  # the output was written...
    assert committed_output(broker) == Counter()  # ...but is not visible
    await doomed.stop()  # dies: its open transactions are aborted

    second: list[int] = []
    successor = make_worker(broker_url, app_id, tmp_path / "b", second)
    try:
        await successor.start()
        await wait_for(lambda: len(second) == N)  # everything again
    finally:
        await successor.stop()
    assert committed_output(broker) == Counter(str(i * 2).encode() for i in range(N))


TOTAL = 20_000


def make_busy_worker(broker_url: str, app_id: str, tmp_path, seen: list[int]):
    """A worker that commits often, with events in flight at every commit."""
    app = faust.App(
        app_id,
        broker=broker_url,
        web_enabled=False,
        datadir=str(tmp_path),
        topic_partitions=4,
        processing_guarantee="exactly_once",
        broker_commit_interval=0.02,
        broker_session_timeout=3.0,
    )
    app.in_worker = True
    source = app.topic("many", value_type=int)
    out = app.topic("copies", value_type=int)

    @app.agent(source, concurrency=2)
    async def copy(stream):
        async for value in stream:
            seen.append(value)
            if value % 2:
                await out.send(value=value)
            else:
                out.send_soon(value=value)
            await asyncio.sleep(0)  # other work runs mid-event (commits too)

    return app


def copies(broker: MemoryBroker) -> Counter[bytes]:
    values: Counter[bytes] = Counter()
    for partition in range(broker.partitions_for("copies") or 0):
        tp = TP("copies", partition)
        offset = 0
        while True:
            result = broker.fetch(tp, offset, max_records=10_000, read_committed=True)
            if not result.records:
                break
            values.update(record[2] for record in result.records)
            offset = result.next_offset
    return values


@pytest.mark.parametrize("ending", ["stop", "crash"])
async def test_two_workers_one_leaving_mid_stream_commit_each_output_once(
    broker_url, tmp_path, ending: str
) -> None:
    app_id = f"eos-{uuid.uuid4().hex[:8]}"
    broker = MemoryBroker.for_url(broker_url)
    broker.create_topic("many", 4)
    broker.create_topic("copies", 4)
    for i in range(TOTAL):
        broker.produce("many", None, str(i).encode(), partition=i % 4)
    first: list[int] = []
    second: list[int] = []
    leaving = make_busy_worker(broker_url, app_id, tmp_path / "a", first)
    staying = make_busy_worker(broker_url, app_id, tmp_path / "b", second)
    try:
        await leaving.start()
        await staying.start()
        await wait_for(lambda: len(first) >= TOTAL // 4, timeout=60.0)
        if ending == "crash":  # dies without committing anything more
            leaving.consumer.commit = AsyncMock(return_value=False)
            leaving.consumer.force_commit = AsyncMock(return_value=False)
        await leaving.stop()
        expected = {str(i).encode() for i in range(TOTAL)}
        await wait_for(lambda: set(copies(broker)) >= expected, timeout=120.0)
    finally:
        await leaving.stop()
        await staying.stop()
    output = copies(broker)
    assert sum(output.values()) == TOTAL
    assert set(output) == expected
    assert len(first) + len(second) >= TOTAL
