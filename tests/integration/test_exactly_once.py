"""Exactly-once on Apache Kafka, on both transports.

Output of an agent and the offsets of its input commit in one transaction:
a ``read_committed`` reader sees each output once, and the group's committed
offsets cover exactly the input processed.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from worker_helpers import servers

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
