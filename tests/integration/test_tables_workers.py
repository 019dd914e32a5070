"""Tables in real worker processes (``faust -A table_app worker``) on the broker.

Each worker counts events by key into the table ``counts`` (see
``table_app.py``), logs every event it processed (after the table update) and
serves the table at ``GET /counts/``. Event ``i`` has key ``k<i % KEYS>``,
and is sent to partition ``(i % KEYS) % 4``: a key's events are all in one
partition, processed in order by whoever owns it.

The guarantees checked (at-least-once processing, the default):

- a clean run counts every event exactly once;
- after ``kill -9`` a count may include events processed again (their
  changelog record reached the broker but their offset was not committed),
  never less: for every key ``truth <= count <= times processed``;
- a standby replica taking over, and a RocksDB table restarting, read only
  the changelog records they do not hold yet (the ``Recovery complete: N
  changelog record(s)`` log line gives N).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from loopback import free_port  # extra/loopback.py, on sys.path (conftest)
from worker_helpers import (
    PARTITIONS,
    Worker,
    complete_lines,
    create_topic,
    servers,
    split_between,
    until,
)
from worker_helpers import produce as send_values

KEYS = 40


def key_of(i: int) -> str:
    return f"k{i % KEYS}"


def partition_of(i: int) -> int:
    return (i % KEYS) % PARTITIONS


def truth(total: int) -> Counter[str]:
    """The count of every key after events ``0..total-1``."""
    return Counter(key_of(i) for i in range(total))


def last_values(total: int) -> dict[int, int]:
    """The last event of every partition."""
    return {partition_of(i): i for i in range(total)}


async def produce(url: str, topic: str, values: range, pace: float = 0.0) -> None:
    """Values ``i`` keyed ``key_of(i)``, on the partition the table expects."""
    await send_values(url, topic, values, pace, key=key_of, partition=partition_of)


def lines(worker: Worker, out: Path) -> list[tuple[int, str]]:
    """(value, key) of every event ``worker`` processed."""
    path = out / f"{worker.proc.pid}.log"
    if not path.exists():
        return []
    found = []
    for line in complete_lines(path):
        value, key = line.split()
        found.append((int(value), key.decode()))
    return found


def processed_by_key(out: Path) -> Counter[str]:
    """How many times events of each key were processed, across workers."""
    counts: Counter[str] = Counter()
    for path in out.glob("*.log"):
        for line in complete_lines(path):
            counts[line.split()[1].decode()] += 1
    return counts


def reached_end(worker: Worker, out: Path, total: int) -> bool:
    """True once ``worker`` processed the last event of every partition."""
    seen = {value for value, _ in lines(worker, out)}
    return all(value in seen for value in last_values(total).values())


async def get_counts(worker: Worker) -> dict[str, Any]:
    """``GET /counts/`` of ``worker`` (it must answer 200)."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{worker.url}/counts/") as resp:
            assert resp.status == 200, await resp.text()
            return dict(await resp.json())


async def counts_now(worker: Worker) -> dict[str, int] | None:
    """The table of ``worker``, or None while it does not serve it."""
    try:
        return (await get_counts(worker))["counts"]  # type: ignore[no-any-return]
    except (aiohttp.ClientError, AssertionError):
        return None  # not listening yet, or recovering (503)


async def committed_all(url: str, group: str, topic: str, total: int) -> bool:
    """True when ``group`` committed every event of ``topic`` so far."""
    ends = Counter(partition_of(i) for i in range(total))
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(url))
    await admin.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        found = await admin.list_consumer_group_offsets(group, partitions=tps)
    finally:
        await admin.close()
    return all(tp in found and found[tp].offset == ends[tp.partition] for tp in tps)


async def until_async(predicate, timeout: float, what: str, workers=()) -> None:
    """Like ``until`` for an ``async`` predicate."""
    result = False

    async def poll() -> None:
        nonlocal result
        while not (result := await predicate()):
            await asyncio.sleep(0.2)

    task = asyncio.ensure_future(poll())
    try:
        await until(lambda: task.done(), timeout, what, workers)
    finally:
        task.cancel()
    task.result()


@pytest.fixture
def tables(kafka_url, faust_bin, unique_id, unique_topic, tmp_path) -> Iterator:
    """Start table workers of one app; every worker is killed at the end."""
    topic = unique_topic("events")
    out = tmp_path / "out"
    out.mkdir()
    workers: list[Worker] = []

    def start(datadir: str = "a", **extra: str) -> Worker:
        env = {
            **os.environ,
            "IT_BROKER": kafka_url,
            "IT_APP_ID": unique_id,
            "IT_TOPIC": topic,
            "IT_OUT": str(out),
            "IT_DATADIR": str(tmp_path / f"data-{datadir}"),
            **extra,
        }
        worker = Worker(
            faust_bin,
            env,
            tmp_path / f"worker-{len(workers)}.log",
            app="table_app",
            web_port=free_port(),
        )
        workers.append(worker)
        return worker

    state = type("Tables", (), {})()
    state.topic, state.out, state.start, state.workers = topic, out, start, workers
    state.group = unique_id
    yield state
    for worker in workers:
        worker.stop(signal.SIGKILL)


async def test_kill_9_and_restart_recovers_the_table(
    tables, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start(IT_DELAY="0.001")
    await until(lambda: split_between([a], tables.topic, 1), 30, "assigned", [a])
    total = 2000
    producing = asyncio.ensure_future(
        produce(kafka_url, tables.topic, range(total), pace=0.0005)
    )
    await until(lambda: len(lines(a, tables.out)) > 600, 30, "mid-stream", [a])
    a.stop(signal.SIGKILL)
    await producing
    before = len(lines(a, tables.out))
    assert before < total  # killed mid-stream

    a2 = tables.start()
    await until(lambda: reached_end(a2, tables.out, total), 30, "restart", [a2])
    recoveries = a2.recoveries()
    assert recoveries, a2.text()[-3000:]
    read, partitions = recoveries[0]
    assert partitions == PARTITIONS
    assert read > 0  # the table came back from the changelog

    counts = (await get_counts(a2))["counts"]
    expected = truth(total)
    seen = processed_by_key(tables.out)
    assert set(counts) == set(expected)
    for key, n in expected.items():
        # a changelog record is sent only after its line was logged
        assert n <= counts[key] <= seen[key], (key, n, counts[key], seen[key])
    twice = sum(counts.values()) - total
    record_property("table_counts_doubled_after_kill_9", twice)
    print(
        f"\nkill -9 after {before}/{total} events: recovered {read} changelog "
        f"records, {twice} event(s) counted twice"
    )


async def test_standby_takes_over_without_replay(
    tables, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start("a", IT_STANDBYS="1")
    b = tables.start("b", IT_STANDBYS="1")
    await until(
        lambda: split_between([a, b], tables.topic, 2), 30, "A and B share", [a, b]
    )
    total = 1000
    await produce(kafka_url, tables.topic, range(total))
    expected = dict(truth(total))

    # A holds B's keys too (standby), and B committed everything
    async def warm() -> bool:
        return await counts_now(a) == expected and await committed_all(
            kafka_url, tables.group, tables.topic, total
        )

    await until_async(warm, 30, "A's standby copy is complete", [a, b])
    generation = a.assignment(tables.topic)[0]  # type: ignore[index]
    recovered_before = len(a.recoveries())
    b.stop(signal.SIGKILL)

    await until(
        lambda: (
            split_between([a], tables.topic, 1)
            and a.assignment(tables.topic)[0] > generation  # type: ignore[index]
            and len(a.recoveries()) > recovered_before
        ),
        30,
        "A takes over",
        [a],
    )
    read, partitions = a.recoveries()[-1]
    record_property("standby_takeover_records_read", read)
    print(f"\nstandby takeover: read {read} of {total} changelog records")
    assert partitions == PARTITIONS
    # B's partitions: the standby copy was complete; A's own: the store knows
    # the offsets of what A wrote
    assert read == 0, a.text()[-3000:]

    more = 400
    await produce(kafka_url, tables.topic, range(total, total + more))
    await until(lambda: reached_end(a, tables.out, total + more), 30, "more", [a])
    assert (await get_counts(a))["counts"] == dict(truth(total + more))


async def test_rocksdb_restart_reads_only_the_tail(
    tables, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start("a", IT_STORE="rocksdb://")
    await until(lambda: split_between([a], tables.topic, 1), 30, "assigned", [a])
    total = 1000
    await produce(kafka_url, tables.topic, range(total))
    await until(lambda: reached_end(a, tables.out, total), 30, "first run", [a])
    assert a.stop() == 0
    assert a.recoveries()[0][0] == 0  # an empty changelog at first

    a2 = tables.start("a", IT_STORE="rocksdb://")  # the same data directory
    await until(lambda: bool(a2.recoveries()), 30, "recovery", [a2])
    read, partitions = a2.recoveries()[0]
    record_property("rocksdb_restart_records_read", read)
    print(f"\nRocksDB restart: read {read} of {total} changelog records")
    assert partitions == PARTITIONS
    # a clean stop writes every change and its changelog offset to RocksDB
    assert read == 0, a2.text()[-3000:]

    more = 200
    await produce(kafka_url, tables.topic, range(total, total + more))
    await until(lambda: reached_end(a2, tables.out, total + more), 30, "more", [a2])
    # a clean stop commits after the changelog is durable: counted once
    assert (await get_counts(a2))["counts"] == dict(truth(total + more))
