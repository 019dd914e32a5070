"""A stand-in for ``AIOKafkaProducer`` as the batcher uses it (no network).

Batches are real aiokafka ``BatchBuilder``s, so tests read back exactly the
records that would go on the wire; ``send_batch`` records each batch with a
future the test resolves (``ack``/``fail``) as the broker would.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional
from unittest.mock import Mock

from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.record.default_records import DefaultRecordBatch
from aiokafka.structs import RecordMetadata, TopicPartition


class FakeCluster:
    """Topic -> partition count, with aiokafka's listener protocol."""

    def __init__(self, partitions: dict[str, int]) -> None:
        self.counts = dict(partitions)
        self.unavailable: set[int] = set()
        self.listeners: set[Any] = set()

    def partitions_for_topic(self, topic: str) -> Optional[set[int]]:
        n = self.counts.get(topic)
        return set(range(n)) if n else None

    def available_partitions_for_topic(self, topic: str) -> Optional[set[int]]:
        known = self.partitions_for_topic(topic)
        return None if known is None else known - self.unavailable

    def add_listener(self, listener: Any) -> None:
        self.listeners.add(listener)

    def remove_listener(self, listener: Any) -> None:
        self.listeners.remove(listener)

    def update(self, topic: str, count: int) -> None:
        self.counts[topic] = count
        for listener in list(self.listeners):
            listener(self)


class SentBatch:
    def __init__(self, topic: str, partition: int, builder: Any) -> None:
        self.topic = topic
        self.partition = partition
        self.builder = builder
        self.future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def records(self) -> list[Any]:
        return list(DefaultRecordBatch(bytes(self.builder._build())))

    def ack(self, base_offset: int, timestamp: int = -1) -> None:
        tp = TopicPartition(self.topic, self.partition)
        self.future.set_result(
            RecordMetadata(
                self.topic,
                self.partition,
                tp,
                base_offset,
                timestamp,
                0 if timestamp == -1 else 1,
                0,
            )
        )


class FakeAIOProducer:
    """``create_batch``, ``send_batch``, ``partitions_for`` and the cluster."""

    def __init__(self, partitions: Optional[dict[str, int]] = None, batch_size=16384):
        self.batch_size = batch_size
        self.client = Mock(name="client")
        self.client.cluster = FakeCluster(partitions or {})
        self.sent: list[SentBatch] = []
        self.send_error: Optional[BaseException] = None
        self.metadata_arrives: dict[str, int] = {}  # topic -> count on request
        self.flush = Mock()

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(self.batch_size, 0)

    async def send_batch(self, builder: Any, topic: str, *, partition: int) -> Any:
        if self.send_error is not None:
            raise self.send_error
        sent = SentBatch(topic, partition, builder)
        self.sent.append(sent)
        return sent.future

    async def partitions_for(self, topic: str) -> set[int]:
        count = self.metadata_arrives.pop(topic, None)
        if count is not None:
            self.client.cluster.update(topic, count)
        known = self.client.cluster.partitions_for_topic(topic)
        if known is None:
            raise RuntimeError(f"no metadata for {topic}")
        return known
