"""Raw confluent-kafka (librdkafka): the S8 ceiling loops of ``confluent://``.

The counterparts of the aiokafka loops in ``raw.py``, with the same topics,
message counts and sizes: a ``consume()`` loop (optionally decoding JSON)
and a ``produce()`` loop, written the way an application that uses
confluent-kafka directly would write them: synchronous calls, librdkafka's
own threads doing the network work, ``poll()`` to serve delivery reports.
Run through ``raw.py --client confluent consume|consume-json|produce``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

#: messages per ``consume()`` call: big enough that the per-call cost does
#: not count, as aiokafka's ``getmany()`` returns what it has buffered
BATCH = 1000


def consume(
    bootstrap: str, topic: str, count: int, decode: bool, partitions: int
) -> tuple[int, float, float]:
    """Read ``count`` records of ``topic`` from the start; (events, s, cpu s).

    The clock starts at the first batch, as in the aiokafka loop.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            # a group id is required by the client; nothing is committed
            "group.id": f"raw-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)]
        )
        loads: Callable[[bytes], Any] = json.loads
        n = first = 0
        t0 = c0 = 0.0
        while n < count:
            for msg in consumer.consume(BATCH, timeout=1.0):
                if msg.error() is not None:
                    raise RuntimeError(str(msg.error()))
                if decode:
                    loads(msg.value())
                n += 1
            if not first and n:
                first = n
                t0, c0 = time.perf_counter(), time.process_time()
        return n - first, time.perf_counter() - t0, time.process_time() - c0
    finally:
        consumer.close()


def produce(
    bootstrap: str, topic: str, count: int, value: bytes, accounts: int
) -> tuple[int, float, float]:
    """Send ``count`` keyed records and wait for every delivery report.

    The same settings as the aiokafka loop (5 ms linger, acks from the
    leader) and the Java client's key partitioning (murmur2).
    """
    failed: list[Any] = []

    def on_delivery(err: Any, msg: Any) -> None:
        if err is not None:
            failed.append(err)

    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 5,
            "acks": 1,
            "partitioner": "murmur2_random",
        }
    )
    send = producer.produce
    poll = producer.poll
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(count):
        while True:
            try:
                send(topic, value, b"a%d" % (i % accounts), on_delivery=on_delivery)
                break
            except BufferError:  # librdkafka's queue is full: serve reports
                poll(0.01)
        if not i % 1000:
            poll(0)
    left = producer.flush(60)
    if left or failed:
        raise RuntimeError(f"{left} undelivered, {len(failed)} failed: {failed[:3]}")
    return count, time.perf_counter() - t0, time.process_time() - c0
