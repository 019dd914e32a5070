"""Helpers of the table worker tests (``table_app.py`` workers).

Event ``i`` has key ``k<i % KEYS>`` and goes to partition
``(i % KEYS) % 4``: a key's events are all in one partition, processed in
order by whoever owns it. :func:`table_workers` makes the fixture that
starts workers on a broker (the session's, or the 3-node cluster).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from collections.abc import Callable, Iterator
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
    servers,
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
    """(value, key) of every event ``worker`` processed (-1: a deletion)."""
    path = out / f"{worker.proc.pid}.log"
    if not path.exists():
        return []
    found = []
    for line in complete_lines(path):
        value, key = line.split()
        found.append((-1 if value == b"del" else int(value), key.decode()))
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


def table_workers(url_fixture: str, name: str = "tables") -> Callable[..., Any]:
    """A fixture ``name`` starting table workers on ``url_fixture``'s broker.

    ``tables.start(datadir, **env)`` starts a worker (``IT_*`` variables of
    ``table_app.py`` in ``env``); every worker is killed at the end.
    """

    @pytest.fixture(name=name)
    def fixture(request, faust_bin, unique_id, unique_topic, tmp_path) -> Iterator[Any]:
        url = request.getfixturevalue(url_fixture)
        url = url if isinstance(url, str) else url.url
        topic = unique_topic("events")
        out = tmp_path / "out"
        out.mkdir()
        workers: list[Worker] = []

        def start(datadir: str = "a", **extra: str) -> Worker:
            env = {
                **os.environ,
                "IT_BROKER": url,
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
        state.group, state.url = unique_id, url
        yield state
        for worker in workers:
            worker.stop(signal.SIGKILL)

    return fixture
