"""Raw aiokafka: filling the input topics, and the S8 ceiling loops.

Filling uses ``create_batch``/``send_batch`` (whole batches per partition,
keys partitioned like the Java client), so the input of a scenario is ready
in seconds. The S8 loops are what an application without any framework
would write: a ``getmany`` loop (optionally decoding JSON) and a ``send``
loop; run as ``python benchmarks/raw.py consume|consume-json|produce``,
they write the same JSON result as the scenario apps. With
``--client confluent`` the same loops run on confluent-kafka
(``raw_confluent.py``), the ceiling of the ``confluent://`` transport.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    TopicPartition,
)
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.partitioner import DefaultPartitioner

PARTITIONS = 4
ORDER_NS = "scenarios.common.Order"
RAW_VALUE = b"x" * 100
ACCOUNTS = 1000

Record = tuple[bytes | None, bytes]


def raw_records(count: int) -> Iterator[Record]:
    for i in range(count):
        yield b"a%d" % (i % ACCOUNTS), RAW_VALUE


def order_records(count: int) -> Iterator[Record]:
    for i in range(count):
        account = f"a{i % ACCOUNTS}"
        value = {
            "id": f"o{i}",
            "account_id": account,
            "amount": float(i % 997) + 0.5,
            "quantity": i % 7,
            "country": "NO",
            "__faust": {"ns": ORDER_NS},
        }
        yield account.encode(), json.dumps(value).encode()


def changelog_records(count: int) -> Iterator[Record]:
    keys = max(count // 10, 1)
    for i in range(count):
        yield json.dumps(f"k{i % keys}").encode(), b"%d" % i


def distinct_records(keys: int, start: int, stop: int) -> Iterator[Record]:
    """S9's input, records ``start`` to ``stop``, keys cycling over ``keys``."""
    for i in range(start, stop):
        yield b"k%d" % (i % keys), b"1"


def table_changelog_records(keys: int, start: int, stop: int) -> Iterator[Record]:
    """S10's changelog (JSON keys and values, as a table writes it)."""
    for i in range(start, stop):
        yield b'"k%d"' % (i % keys), b"%d" % i


async def create_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)
            for name in names
            if name not in existing
        ]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


async def fill(bootstrap: str, topic: str, records: Iterator[Record]) -> int:
    """Produce ``records`` in whole batches; returns how many were sent."""
    await create_topics(bootstrap, [topic])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_batch_size=1 << 20, linger_ms=50
    )
    await producer.start()
    partitioner = DefaultPartitioner()
    parts = list(range(PARTITIONS))
    batches: dict[int, Any] = {}
    pending: list[Any] = []
    sent = 0
    try:
        for key, value in records:
            p = partitioner(key, parts, parts) if key is not None else sent % PARTITIONS
            batch = batches.get(p)
            if batch is None:
                batch = batches[p] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None) is None:
                batch.close()
                pending.append(await producer.send_batch(batch, topic, partition=p))
                batch = batches[p] = producer.create_batch()
                batch.append(key=key, value=value, timestamp=None)
            sent += 1
            if len(pending) > 16:
                await asyncio.gather(*pending)
                pending.clear()
        for p, batch in batches.items():
            batch.close()
            pending.append(await producer.send_batch(batch, topic, partition=p))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


# -- S8: the ceiling -------------------------------------------------------


def _result(path: str, events: int, seconds: float, cpu: float) -> None:
    data = {
        "events": events,
        "seconds": seconds,
        "cpu": cpu,
        "first_event_after": 0.0,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    with open(path + ".tmp", "w") as f:
        json.dump(data, f)
    os.replace(path + ".tmp", path)


async def consume(bootstrap: str, topic: str, count: int, decode: bool) -> tuple:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        loads: Callable[[bytes], Any] = json.loads
        n = 0
        t0 = c0 = 0.0
        first = 0
        while n < count:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                if decode:
                    for record in records:
                        loads(record.value)
                n += len(records)
            if not first and n:
                # measure from the first batch on, like the scenario meters
                # (which start at their first event): it does not count
                first = n
                t0, c0 = time.perf_counter(), time.process_time()
        return n - first, time.perf_counter() - t0, time.process_time() - c0
    finally:
        await consumer.stop()


async def produce(bootstrap: str, topic: str, count: int) -> tuple:
    await create_topics(bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        send = producer.send
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(count):
            await send(topic, RAW_VALUE, key=b"a%d" % (i % ACCOUNTS))
        await producer.flush()
        return count, time.perf_counter() - t0, time.process_time() - c0
    finally:
        await producer.stop()


# -- startup: the consumer-group join itself --------------------------------


async def join(bootstrap: str, topic: str, group: str, spawn: float) -> dict:
    """Join ``group`` on ``topic`` and read one record; when each step ended.

    What any Kafka application pays before its first event: the group join
    (FindCoordinator, JoinGroup, SyncGroup), the committed-offset lookup and
    the first fetch. ``benchmarks/startup.py`` compares a faust worker's
    process start to first event with it.
    """
    assigned = asyncio.Event()

    class Listener(ConsumerRebalanceListener):  # type: ignore[misc]
        async def on_partitions_revoked(self, revoked: Any) -> None:
            pass

        async def on_partitions_assigned(self, tps: Any) -> None:
            if tps:
                assigned.set()

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest"
    )
    t0 = time.perf_counter()
    started_after = time.time() - spawn
    await consumer.start()
    try:
        consumer.subscribe([topic], listener=Listener())
        first = asyncio.ensure_future(consumer.getone())  # joins, then fetches
        await assigned.wait()
        join_s = time.perf_counter() - t0
        await first
        return {
            "python_ready_after": started_after,  # interpreter + aiokafka import
            "join": join_s,  # start() to partitions assigned
            "join_to_first_record": time.perf_counter() - t0,
            "first_record_after": time.time() - spawn,
        }
    finally:
        await consumer.stop()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["consume", "consume-json", "produce", "join"])
    parser.add_argument("--group", default="startup")
    parser.add_argument("--spawn", type=float, default=0.0)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--client", choices=["aiokafka", "confluent"])
    args = parser.parse_args(argv)
    if args.client == "confluent" and args.mode != "join":
        _result(args.result, *_confluent(args))
        return
    if args.mode == "join":
        data = asyncio.run(join(args.bootstrap, args.topic, args.group, args.spawn))
        with open(args.result, "w") as f:
            json.dump(data, f)
        return
    if args.mode == "produce":
        n, secs, cpu = asyncio.run(produce(args.bootstrap, args.topic, args.count))
    else:
        decode = args.mode == "consume-json"
        n, secs, cpu = asyncio.run(
            consume(args.bootstrap, args.topic, args.count, decode)
        )
    _result(args.result, n, secs, cpu)


def _confluent(args: argparse.Namespace) -> tuple:
    import raw_confluent  # benchmarks/raw_confluent.py: needs confluent-kafka

    if args.mode == "produce":
        asyncio.run(create_topics(args.bootstrap, [args.topic]))  # untimed
        return raw_confluent.produce(
            args.bootstrap, args.topic, args.count, RAW_VALUE, ACCOUNTS
        )
    decode = args.mode == "consume-json"
    return raw_confluent.consume(
        args.bootstrap, args.topic, args.count, decode, PARTITIONS
    )


if __name__ == "__main__":
    main(sys.argv[1:])
