"""Real worker processes (``faust -A worker_app worker``) sharing a Kafka group.

Every processed event is written to a file by the worker before it is acked
(see ``worker_app.py``), so the tests can check that no event was lost and
count how many were processed twice.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from worker_helpers import (
    HERE,
    PARTITIONS,
    Worker,
    create_topic,
    processed,
    produce,
    split_between,
    until,
)


@pytest.fixture
def cluster(kafka_url, faust_bin, unique_id, unique_topic, tmp_path) -> Iterator:
    """Start workers of one app; every worker is killed at the end."""
    topic = unique_topic("events")
    out = tmp_path / "out"
    out.mkdir()
    workers: list[Worker] = []

    def start(**extra: str) -> Worker:
        env = {
            **os.environ,
            "IT_BROKER": kafka_url,
            "IT_APP_ID": unique_id,
            "IT_TOPIC": topic,
            "IT_OUT": str(out),
            **extra,
        }
        worker = Worker(faust_bin, env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    state = type("Cluster", (), {})()
    state.topic, state.out, state.start, state.workers = topic, out, start, workers
    yield state
    for worker in workers:
        worker.stop(signal.SIGKILL)


async def test_workers_join_split_and_leave(cluster, kafka_url) -> None:
    await create_topic(kafka_url, cluster.topic)
    a = cluster.start()
    await until(
        lambda: split_between([a], cluster.topic, 1), 30, "worker A assigned", [a]
    )
    await produce(kafka_url, cluster.topic, range(0, 200))
    await until(lambda: len(processed(cluster.out)) == 200, 30, "batch 1", [a])

    b = cluster.start()  # joining takes partitions from A
    await until(
        lambda: split_between([a, b], cluster.topic, 2), 30, "A and B share", [a, b]
    )
    await produce(kafka_url, cluster.topic, range(200, 600))
    await until(lambda: len(processed(cluster.out)) == 600, 30, "batch 2", [a, b])
    by_worker = [
        len((cluster.out / f"{w.proc.pid}.log").read_bytes().splitlines())
        for w in (a, b)
    ]
    assert by_worker[1] > 0  # B did part of batch 2

    assert b.stop() == 0  # leaving gives the partitions back to A
    await until(
        lambda: (
            split_between([a], cluster.topic, 1) and a.assignment(cluster.topic)[0] > 1
        ),  # type: ignore[index]
        30,
        "A takes over",
        [a],
    )
    await produce(kafka_url, cluster.topic, range(600, 800))
    await until(lambda: len(processed(cluster.out)) == 800, 30, "batch 3", [a])
    counts = processed(cluster.out)
    assert sorted(counts) == list(range(800))
    # graceful hand-overs commit first: at most the event in flight per
    # partition is seen twice
    assert sum(c - 1 for c in counts.values()) <= PARTITIONS


async def test_restart_resumes_from_committed_offsets(cluster, kafka_url) -> None:
    await create_topic(kafka_url, cluster.topic)
    a = cluster.start()
    await until(lambda: split_between([a], cluster.topic, 1), 30, "assigned", [a])
    await produce(kafka_url, cluster.topic, range(0, 300))
    await until(lambda: len(processed(cluster.out)) == 300, 30, "first run", [a])
    assert a.stop() == 0
    await produce(kafka_url, cluster.topic, range(300, 400))
    a2 = cluster.start()
    await until(lambda: len(processed(cluster.out)) == 400, 30, "second run", [a2])
    second = (cluster.out / f"{a2.proc.pid}.log").read_bytes().splitlines()
    # the new process starts after what the first one committed: it reads
    # the 100 new events, plus at most the last event of each partition
    assert 100 <= len(second) <= 100 + PARTITIONS
    assert sorted(processed(cluster.out)) == list(range(400))


async def test_kill_9_mid_stream_loses_nothing(
    cluster, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, cluster.topic)
    a = cluster.start(IT_DELAY="0.002")
    b = cluster.start(IT_DELAY="0.002")
    await until(
        lambda: split_between([a, b], cluster.topic, 2), 30, "A and B share", [a, b]
    )
    total = 3000
    producing = asyncio.ensure_future(
        produce(kafka_url, cluster.topic, range(total), pace=0.0005)
    )
    b_out = cluster.out / f"{b.proc.pid}.log"
    await until(
        lambda: b_out.exists() and len(b_out.read_bytes().splitlines()) > 300,
        30,
        "B in the middle of the stream",
        [a, b],
    )
    b.stop(signal.SIGKILL)
    await producing
    await until(lambda: len(processed(cluster.out)) == total, 60, "all events", [a])
    counts = processed(cluster.out)
    assert sorted(counts) == list(range(total))  # nothing lost
    twice = sum(c - 1 for c in counts.values())
    record_property("processed_twice_after_kill_9", twice)
    print(f"\nkill -9: {total} events, {twice} processed twice")


async def test_blocked_event_loop_warns_and_recovers(cluster, kafka_url) -> None:
    await create_topic(kafka_url, cluster.topic)
    # whichever worker processes event 50 blocks its event loop for 3x the
    # session timeout (once per process; the other worker, taking over the
    # partition, may process event 50 again and block too): the group gives
    # a blocked worker's partitions away, and the worker must rejoin
    a = cluster.start(IT_BLOCK_AT="50", IT_BLOCK_FOR="9")
    b = cluster.start(IT_BLOCK_AT="50", IT_BLOCK_FOR="9")
    await until(
        lambda: split_between([a, b], cluster.topic, 2), 30, "A and B share", [a, b]
    )
    generation = a.assignment(cluster.topic)[0]  # type: ignore[index]
    await produce(kafka_url, cluster.topic, range(0, 200))
    await until(
        lambda: any("event loop was blocked" in w.text() for w in (a, b)),
        30,
        "the warning",
        [a, b],
    )
    blocked = a if "event loop was blocked" in a.text() else b
    assert re.search(r"\[ERROR\].*event loop was blocked for \d", blocked.text())
    assert "longer than broker_session_timeout" in blocked.text()
    await until(lambda: len(processed(cluster.out)) == 200, 45, "recovery", [a, b])
    # the blocked worker is back in the group, sharing the partitions again
    await until(
        lambda: (
            split_between([a, b], cluster.topic, 2)
            and a.assignment(cluster.topic)[0] > generation
        ),  # type: ignore[index]
        45,
        "rejoin",
        [a, b],
    )
    await produce(kafka_url, cluster.topic, range(200, 400))
    await until(
        lambda: len(processed(cluster.out)) == 400, 30, "after recovery", [a, b]
    )
    assert sorted(processed(cluster.out)) == list(range(400))


async def test_unreachable_broker_exits_non_zero(
    faust_bin, unique_id, tmp_path
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connection refused
        port = sock.getsockname()[1]
        env = {
            **os.environ,
            "IT_BROKER": f"kafka://127.0.0.1:{port}",
            "IT_APP_ID": unique_id,
            "IT_OUT": str(tmp_path),
            "IT_REQUEST_TIMEOUT": "3",
            "IT_SESSION_TIMEOUT": "3",
        }
        started = time.monotonic()
        result = subprocess.run(
            [faust_bin, "-A", "worker_app", "worker", "--without-web"],
            cwd=HERE,
            env=env,
            capture_output=True,
            timeout=60,
        )
        elapsed = time.monotonic() - started
    output = (result.stdout + result.stderr).decode(errors="replace")
    assert result.returncode != 0, output
    assert f"127.0.0.1:{port}" in output
    assert "Cannot connect" in output
    assert elapsed < 20, f"took {elapsed:.1f}s"


async def test_three_workers_split_the_partitions(cluster, kafka_url) -> None:
    await create_topic(kafka_url, cluster.topic)
    workers = [cluster.start() for _ in range(3)]
    await until(
        lambda: split_between(workers, cluster.topic, 3),
        45,
        "three workers share the partitions",
        workers,
    )
    await produce(kafka_url, cluster.topic, range(0, 600))
    await until(lambda: len(processed(cluster.out)) == 600, 30, "all events", workers)
    counts = processed(cluster.out)
    assert sorted(counts) == list(range(600))
    assert all(c == 1 for c in counts.values())  # no rebalance: exactly once
    by_worker = [
        len((cluster.out / f"{w.proc.pid}.log").read_bytes().splitlines())
        for w in workers
    ]
    assert all(n > 0 for n in by_worker)  # every worker took part
