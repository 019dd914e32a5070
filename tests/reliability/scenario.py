"""One fault test from start to verdict, whatever the broker.

:func:`run_faults` starts two workers, then, for each loop, writes a chunk
of numbered events, waits until about a third of the chunk reached the
output (so the workers are mid-processing) and injects the fault; a last
chunk is written with no fault. It waits for every event to reach the
output, stops the workers gracefully, reads the output and the table's
changelog once more and returns the :class:`~harness.Check`.

A *run* (``memory_run.MemoryRun`` or ``kafka_run.KafkaRun``) supplies the
broker-specific operations: ``start_worker()``, ``kill(worker)``,
``terminate(worker)``, ``produce(records)``, ``readers``,
``supervise()`` (restart a worker that exited by itself, noting it), and
for the cluster faults ``kill_leader()`` / ``stop_cluster()``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from harness import Check, Scale, expected_counts, numbered

Fault = Callable[[Any, int], Awaitable[None]]
COMPLETE_TIMEOUT = 120.0
PROGRESS_TIMEOUT = 90.0


async def kill_worker(run: Any, loop: int) -> None:
    victim = run.workers.pop(loop % len(run.workers))
    await run.kill(victim)
    run.workers.append(await run.start_worker())


async def terminate_and_restart(run: Any, loop: int) -> None:
    victim = run.workers.pop(loop % len(run.workers))
    await run.terminate(victim)
    run.workers.append(await run.start_worker())


async def join_and_leave(run: Any, loop: int) -> None:
    newcomer = await run.start_worker()
    await run.until_assigned(newcomer)
    await run.terminate(newcomer)


async def cpu_bound(run: Any, loop: int) -> None:
    # the agent burns CPU (run.cpu_ms); a worker joining makes the group
    # rebalance while it does
    await join_and_leave(run, loop)


async def kill_leader(run: Any, loop: int) -> None:
    await run.kill_leader()


async def stop_cluster(run: Any, loop: int) -> None:
    await run.stop_cluster()


FAULTS: dict[str, Fault] = {
    "kill -9 worker": kill_worker,
    "SIGTERM + restart": terminate_and_restart,
    "join + leave": join_and_leave,
    "CPU-bound agent": cpu_bound,
    "kill -9 leader broker": kill_leader,
    "cluster down > request timeout": stop_cluster,
}


async def run_faults(run: Any, fault: Fault, scale: Scale) -> tuple[Check, float]:
    """Run ``fault`` ``scale.loops`` times under load; (verdict, seconds)."""
    began = time.monotonic()
    readers = run.readers
    run.workers = [await run.start_worker(), await run.start_worker()]
    written = 0
    for loop in range(scale.loops + 1):
        chunk = scale.chunk(loop)
        await run.produce(numbered(chunk, scale.keys))
        if loop == scale.loops:
            written += len(chunk)
            break
        await until(run, written + len(chunk) // 3)
        written += len(chunk)
        await fault(run, loop)
    await until(run, written, COMPLETE_TIMEOUT, must=False)
    for worker in run.workers:
        await run.terminate(worker)
    run.workers = []
    await readers.poll()
    check = Check.of(readers.seen, expected_counts(scale.events, scale.keys))
    return check, time.monotonic() - began


async def until(
    run: Any, total: int, timeout: float = PROGRESS_TIMEOUT, must: bool = True
) -> None:
    """Wait for ``total`` events in the output, restarting crashed workers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await run.supervise()
        if await run.readers.until_complete(total, 1.0):
            return
    if must:
        raise AssertionError(
            f"only {run.readers.seen.distinct()} of {total} events reached the "
            f"output within {timeout:.0f} s; {run.notes}"
        )
