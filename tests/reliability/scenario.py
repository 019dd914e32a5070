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

from harness import Check, Results, Row, Scale, expected_counts, numbered

Fault = Callable[[Any, int], Awaitable[None]]


class WorkerFault(AssertionError):
    """A worker failed in a way no fault excuses (an agent crashed)."""


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
    run.workers = [await run.start_worker(), await run.start_worker()]
    await _drive(run, fault, scale)
    for worker in run.workers:
        await run.terminate(worker)
    run.workers = []
    await run.readers.poll()
    check = Check.of(run.readers.seen, expected_counts(scale.events, scale.keys))
    return check, time.monotonic() - began


async def _drive(run: Any, fault: Fault, scale: Scale) -> None:
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
    timeout = COMPLETE_TIMEOUT + 0.01 * scale.events
    if not await until(run, written, timeout, must=False):
        # stalled: what every worker is waiting for goes into its log
        await run.dump_stacks()


async def until(
    run: Any, total: int, timeout: float = PROGRESS_TIMEOUT, must: bool = True
) -> bool:
    """Wait for ``total`` events in the output, restarting crashed workers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await run.supervise()
        if await run.readers.until_complete(total, 1.0):
            return True
    if must:
        raise AssertionError(
            f"only {run.readers.seen.distinct()} of {total} events reached the "
            f"output within {timeout:.0f} s; {run.notes}"
        )
    return False


async def run_and_judge(
    run: Any, fault: str, broker: str, guarantee: str, scale: Scale,
    results: Results, *, cpu: bool = False,
) -> None:  # fmt: skip
    """Run ``fault``, add its row to ``results``, then assert the targets.

    At-least-once: nothing lost, nothing out of order. Exactly-once: also
    nothing duplicated. Under the CPU-bound agent: the event loop never
    waits 1 s or more for a turn.
    """
    began = time.monotonic()
    try:
        check, seconds = await run_faults(run, FAULTS[fault], scale)
    except WorkerFault as exc:
        results.add(Row(fault, broker, guarantee, scale.loops, scale.events, 0, 0,
                        0, time.monotonic() - began, f"aborted: {exc}"[:200],
                        aborted=True))  # fmt: skip
        raise
    notes = [check.duplicates_where(), *run.notes]
    if cpu:
        gap = run.longest_gap()
        notes.insert(0, f"longest loop gap {gap:.3f} s")
        results.measure(f"longest loop gap, CPU-bound agent ({guarantee})",
                        broker, gap, "< 1 s")  # fmt: skip
    results.add(Row(fault, broker, guarantee, scale.loops, scale.events,
                    check.lost, check.duplicated, check.out_of_order, seconds,
                    "; ".join(n for n in notes if n)[:300]))  # fmt: skip
    assert check.lost == 0, check.faulty_keys()
    assert check.out_of_order == 0, check.faulty_keys()
    if guarantee == "exactly_once":
        assert check.duplicated == 0, check.faulty_keys()
    if cpu:
        assert run.longest_gap() < 1.0
