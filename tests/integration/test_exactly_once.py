"""Exactly-once on Apache Kafka, on both transports.

Output of an agent and the offsets of its input commit in one transaction:
a ``read_committed`` reader sees each output once, and the group's committed
offsets cover exactly the input processed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from worker_helpers import (
    PARTITIONS,
    Worker,
    create_topic,
    processed,
    produce,
    servers,
    split_between,
)
from worker_helpers import until as wait_until

import faust
from faust.types import TP

pytestmark = [pytest.mark.kafka_only, pytest.mark.transports()]


async def until(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def read_committed(url: str, topic: str, partitions: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers(url), isolation_level="read_committed"
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        values: list[bytes] = []
        while any([await consumer.position(tp) < ends[tp] for tp in tps]):
            batch = await consumer.getmany(*tps, timeout_ms=1000)
            values.extend(r.value for records in batch.values() for r in records)
        return values
    finally:
        await consumer.stop()


async def test_output_and_offsets_commit_together(
    kafka_app_options, kafka_url, unique_id, unique_topic
) -> None:
    source, sink = unique_topic("eos-in"), unique_topic("eos-out")
    app = faust.App(unique_id, processing_guarantee="exactly_once", **kafka_app_options)
    src = app.topic(source, value_type=int, partitions=2)
    dst = app.topic(sink, value_type=int, partitions=2)
    seen: list[int] = []

    @app.agent(src)
    async def double(stream):
        async for value in stream:
            await dst.send(key=str(value).encode(), value=value * 10)
            seen.append(value)

    await src.maybe_declare()
    await dst.maybe_declare()
    await app.start()
    try:
        for i in range(40):
            await src.send(key=str(i).encode(), value=i)
        await until(lambda: len(seen) == 40, "40 events")

        def committed() -> int:
            return sum(
                app.consumer.committed_offset(TP(source, p)) or 0 for p in (0, 1)
            )

        await until(lambda: committed() >= 39, "the offsets commit")
    finally:
        await app.stop()
    values = await read_committed(kafka_url, sink, 2)
    assert sorted(int(v) for v in values) == [i * 10 for i in range(40)]


async def test_worker_killed_with_events_in_flight_commits_each_output_once(
    kafka_url, faust_bin, unique_id, unique_topic, tmp_path, record_property
) -> None:
    # every event writes its output, then takes 5 ms: every commit (each
    # 0.2 s) finds events in flight with their output in the transaction
    source, sink = unique_topic("eos-src"), unique_topic("eos-sink")
    await create_topic(kafka_url, source)
    await create_topic(kafka_url, sink)
    out = tmp_path / "out"
    out.mkdir()
    env = {
        **os.environ,
        "IT_BROKER": kafka_url,
        "IT_APP_ID": unique_id,
        "IT_TOPIC": source,
        "IT_OUT": str(out),
        "IT_EOS": "1",
        "IT_SINK": sink,
        "IT_DELAY": "0.005",
    }
    a = Worker(faust_bin, env, tmp_path / "a.log")
    b = Worker(faust_bin, env, tmp_path / "b.log")
    try:
        await wait_until(
            lambda: split_between([a, b], source, 2), 60, "A and B share", [a, b]
        )
        total = 2000
        # all input goes to B's partitions: A has nothing in flight when it
        # takes them over (a worker keeping partitions with events in flight
        # across a rebalance skipped some of them, on main too: a separate
        # issue this test does not exercise)
        mine = sorted(b.assignment(source)[1])  # type: ignore[index]
        producing = asyncio.ensure_future(
            produce(
                kafka_url,
                source,
                range(total),
                pace=0.001,
                partition=lambda i: mine[i % len(mine)],
            )
        )
        b_out = out / f"{b.proc.pid}.log"
        await wait_until(
            lambda: b_out.exists() and len(b_out.read_bytes().splitlines()) > 300,
            60,
            "B in the middle of the stream",
            [a, b],
        )
        b.stop(signal.SIGKILL)  # dies with events in flight, uncommitted
        await producing
        await wait_until(
            lambda: len(processed(out)) == total, 90, "A processed all", [a]
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(set(await read_committed(kafka_url, sink, PARTITIONS))) == total:
                break
        assert a.stop() == 0  # SIGTERM: the final commit
    finally:
        a.stop(signal.SIGKILL)
        b.stop(signal.SIGKILL)
    values = await read_committed(kafka_url, sink, PARTITIONS)
    counts = Counter(int(v) for v in values)
    redone = sum(c - 1 for c in processed(out).values())
    record_property("processed_twice", redone)
    print(f"\nkill -9 with events in flight: {redone} of {total} processed twice")
    assert sorted(counts) == list(range(total))
    assert sum(counts.values()) == total  # each output once
