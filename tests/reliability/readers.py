"""Read back the output and the table's changelog as ``read_committed``.

:class:`Readers` follows both topics of one test incrementally into a
:class:`~harness.Collected`; :meth:`Readers.until_complete` polls until every
event reached the output (or a deadline passes: then the check reports
what is missing). One implementation per broker: :class:`MemoryReaders`
fetches from the embedded broker, :class:`KafkaReaders` uses an aiokafka
consumer with ``isolation_level="read_committed"``.

Also here: the producers of numbered events (idempotent, ``acks=all`` on
Kafka, so the producer itself never duplicates or loses).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from harness import Collected

from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types import TP

PARTITIONS = 4


def changelog_of(app_id: str) -> str:
    return f"{app_id}-counts-changelog"


class Readers:
    """Output and changelog of one test, read so far."""

    def __init__(self, output: str, changelog: str) -> None:
        self.output = output
        self.changelog = changelog
        self.seen = Collected()

    async def poll(self) -> None:
        raise NotImplementedError

    async def until_complete(self, total: int, timeout: float) -> bool:
        """Poll until ``total`` distinct events reached the output."""
        deadline = time.monotonic() + timeout
        while True:
            await self.poll()
            if self.seen.distinct() >= total:
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        pass


class MemoryReaders(Readers):
    def __init__(self, broker_url: str, output: str, changelog: str) -> None:
        super().__init__(output, changelog)
        self.broker = MemoryBroker.for_url(broker_url)
        self.positions: dict[TP, int] = {}

    async def poll(self) -> None:
        for topic, add in (
            (self.output, self.seen.add_output),
            (self.changelog, self.seen.add_changelog),
        ):
            if topic not in self.broker.list_topics():
                continue
            for p in range(self.broker.list_topics()[topic]):
                tp = TP(topic, p)
                while True:
                    found = self.broker.fetch(
                        tp, self.positions.get(tp, 0), read_committed=True,
                        max_records=10_000,
                    )  # fmt: skip
                    for record in found.records:
                        add(record[1], record[2])
                    if found.next_offset == self.positions.get(tp, 0):
                        break
                    self.positions[tp] = found.next_offset


class KafkaReaders(Readers):
    def __init__(self, bootstrap: str, output: str, changelog: str) -> None:
        super().__init__(output, changelog)
        self.bootstrap = bootstrap
        self.consumer: AIOKafkaConsumer | None = None

    async def _consumer(self) -> AIOKafkaConsumer:
        if self.consumer is None:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap,
                isolation_level="read_committed",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            await consumer.start()
            tps = [
                TopicPartition(topic, p)
                for topic in (self.output, self.changelog)
                for p in range(PARTITIONS)
            ]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            self.consumer = consumer
        return self.consumer

    async def poll(self) -> None:
        consumer = await self._consumer()
        while True:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            if not batch:
                return
            for tp, records in batch.items():
                add = (
                    self.seen.add_output
                    if tp.topic == self.output
                    else self.seen.add_changelog
                )
                for record in records:
                    add(record.key, record.value)

    async def close(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
            self.consumer = None


def produce_memory(
    broker_url: str, topic: str, records: Sequence[tuple[bytes, bytes]]
) -> None:
    broker = MemoryBroker.for_url(broker_url)
    if topic not in broker.list_topics():
        broker.create_topic(topic, PARTITIONS)
    for key, value in records:
        broker.produce(topic, key, value)


async def produce_kafka(
    bootstrap: str, topic: str, records: Sequence[tuple[bytes, bytes]]
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all",
        linger_ms=5,
    )  # fmt: skip
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value, key=key) for key, value in records
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
