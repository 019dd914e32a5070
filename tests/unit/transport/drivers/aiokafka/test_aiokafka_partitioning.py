"""The producer picks a keyed message's partition like aiokafka would."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Optional

from aiokafka.partitioner import DefaultPartitioner

from faust.transport.drivers.aiokafka.producer import _default_partition


def _producer(partitions: Optional[set[int]]) -> Any:
    cluster = SimpleNamespace(partitions_for_topic=lambda topic: partitions)
    return SimpleNamespace(client=SimpleNamespace(cluster=cluster))


def test_same_partition_as_aiokafkas_default_partitioner() -> None:
    parts = list(range(7))
    theirs = DefaultPartitioner()
    for i in range(500):
        key = f"key-{i}".encode()
        assert _default_partition(_producer(set(parts)), "t", key) == theirs(
            key, parts, parts
        )


def test_unknown_topic_leaves_the_choice_to_aiokafka() -> None:
    assert _default_partition(_producer(None), "t", b"k") is None
    assert _default_partition(_producer(set()), "t", b"k") is None
    assert _default_partition(SimpleNamespace(), "t", b"k") is None
