"""Changelog topics on Apache Kafka: how they are created, and recovery
from a changelog the broker has compacted.

Kafka keeps only the last record of each key of a compacted topic (and drops
a deleted key's tombstone after ``delete.retention.ms``), so a worker that
recovers after compaction reads fewer records than were written, with gaps
in their offsets, and must still end with the exact table: no key that was
deleted, every other key at its last value.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter

import pytest
from aiokafka import AIOKafkaProducer
from table_helpers import (
    KEYS,
    get_counts,
    key_of,
    lines,
    partition_of,
    produce,
    reached_end,
    table_workers,
    truth,
)
from worker_helpers import (
    PARTITIONS,
    create_topic,
    read_all,
    servers,
    split_between,
    topic_configs,
    until,
)

pytestmark = pytest.mark.kafka_only

tables = table_workers("kafka_url")

#: topic settings that make the broker compact a changelog within a second
#: (the test broker's log cleaner looks every 200 ms)
COMPACT_NOW = {
    "segment.ms": "100",
    "min.cleanable.dirty.ratio": "0.01",
    "min.compaction.lag.ms": "0",
    "delete.retention.ms": "100",
}


async def test_changelog_topics_are_created_with_faust_configs(
    kafka_app, kafka_url
) -> None:
    counts = kafka_app.Table(
        "counts", default=int, extra_topic_configs={"max.message.bytes": "2000000"}
    )
    hourly = kafka_app.Table("hourly", default=int).tumbling(60, expires=3600)
    await kafka_app.maybe_start_producer()
    for table in (counts, hourly.table):
        await table.changelog_topic.maybe_declare()

    plain = await topic_configs(kafka_url, counts.changelog_topic.get_topic_name())
    assert plain["cleanup.policy"] == "compact"
    assert plain["max.message.bytes"] == "2000000"
    windowed = await topic_configs(
        kafka_url, hourly.table.changelog_topic.get_topic_name()
    )
    # windows older than ``expires`` are deleted, newer ones compacted
    assert set(windowed["cleanup.policy"].split(",")) == {"compact", "delete"}
    assert windowed["retention.ms"] == "3600000"
    name = counts.changelog_topic.get_topic_name()
    assert name == f"{kafka_app.conf.id}-counts-changelog"


async def delete_keys(url: str, topic: str, keys: list[int]) -> None:
    """Events that delete keys ``k<n>`` from the table (value ``del``)."""
    producer = AIOKafkaProducer(bootstrap_servers=servers(url))
    await producer.start()
    try:
        for n in keys:
            await producer.send_and_wait(
                topic, b"del", key=key_of(n).encode(), partition=partition_of(n)
            )
    finally:
        await producer.stop()


async def test_recovery_after_compaction(tables, kafka_url, record_property) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start("a", IT_CHANGELOG_CONFIG=json.dumps(COMPACT_NOW))
    await until(lambda: split_between([a], tables.topic, 1), 60, "assigned", [a])
    # rounds apart in time, so the changelog rolls segments the cleaner
    # can compact (it never touches the segment being written)
    total, rounds = 2000, 8
    step = total // rounds
    deleted = [0, 1, 2, 3]
    for r in range(rounds):
        await produce(kafka_url, tables.topic, range(r * step, (r + 1) * step))
        if r == rounds - 2:
            await delete_keys(kafka_url, tables.topic, deleted)
        await asyncio.sleep(0.3)
    await until(lambda: reached_end(a, tables.out, total), 60, "all counted", [a])
    assert len(lines(a, tables.out)) == total + len(deleted)

    changelog = f"{tables.group}-counts-changelog"
    written = total + len(deleted)  # one record per event, tombstones included

    async def compacted() -> bool:
        kept = await read_all(kafka_url, changelog, PARTITIONS, written, timeout=2)
        return len(kept) < written

    deadline = asyncio.get_running_loop().time() + 60
    while not await compacted():
        assert asyncio.get_running_loop().time() < deadline, "never compacted"
        await asyncio.sleep(0.5)
    assert a.stop() == 0

    b = tables.start("b")  # a new data directory: everything from the changelog
    await until(lambda: bool(b.recoveries()), 60, "recovery", [b])
    read, partitions = b.recoveries()[0]
    record_property("records_read_after_compaction", read)
    print(f"\nafter compaction: recovered {read} of {written} changelog records")
    assert partitions == PARTITIONS
    assert read < written
    # the deleted keys count again from the round after their deletion
    gone = {key_of(k) for k in deleted}
    after = (rounds - 1) * step
    expected = Counter(
        key_of(i) for i in range(total) if key_of(i) not in gone or i >= after
    )
    assert len(expected) == KEYS and expected != truth(total)
    assert (await get_counts(b))["counts"] == expected
    b.stop(signal.SIGTERM)
