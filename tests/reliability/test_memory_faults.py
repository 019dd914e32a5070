"""Worker faults on the embedded ``memory://`` broker, both guarantees."""

from __future__ import annotations

import pytest
from harness import Results, Row, Scale
from memory_run import MemoryRun
from memory_workers import freezable_loop
from scenario import FAULTS, run_faults

GUARANTEES = ("at_least_once", "exactly_once")
MEMORY_FAULTS = ("kill -9 worker", "SIGTERM + restart", "join + leave", "CPU-bound agent")


@pytest.mark.parametrize("guarantee", GUARANTEES)
@pytest.mark.parametrize("fault", MEMORY_FAULTS)
async def test_memory_fault(
    fault: str, guarantee: str, scale: Scale, results: Results, tmp_path
) -> None:
    cpu = fault == "CPU-bound agent"
    run = MemoryRun(tmp_path, guarantee, cpu_ms=5.0 if cpu else 0.0,
                    delay=0.0 if cpu else 0.002)  # fmt: skip
    try:
        with freezable_loop():
            check, seconds = await run_faults(run, FAULTS[fault], scale)
    finally:
        await run.close()
    note = f"longest loop gap {run.longest_gap():.3f} s" if cpu else ""
    results.add(Row(fault, "memory", guarantee, scale.loops, scale.events,
                    check.lost, check.duplicated, check.out_of_order, seconds, note))  # fmt: skip
    assert check.lost == 0, check.faulty_keys()
    assert check.out_of_order == 0, check.faulty_keys()
    if guarantee == "exactly_once":
        assert check.duplicated == 0, check.faulty_keys()
    if cpu:
        assert run.longest_gap() < 1.0
