"""Worker faults on the embedded ``memory://`` broker, both guarantees.

Workers are apps in the test's process; kill -9 freezes an app for good
(``memory_workers.py`` says how).
"""

from __future__ import annotations

import pytest
from harness import Results, Scale
from memory_run import MemoryRun
from memory_workers import freezable_loop
from scenario import run_and_judge

MEMORY_FAULTS = (
    "kill -9 worker",
    "SIGTERM + restart",
    "join + leave",
    "CPU-bound agent",
)
pytestmark = [pytest.mark.timeout(Scale.from_env().timeout)]
CASES = [
    (fault, guarantee)
    for fault in MEMORY_FAULTS
    for guarantee in ("at_least_once", "exactly_once")
]


@pytest.mark.parametrize(("fault", "guarantee"), CASES)
async def test_memory_fault(
    fault: str, guarantee: str, scale: Scale, results: Results, tmp_path
) -> None:
    cpu = fault == "CPU-bound agent"
    run = MemoryRun(tmp_path, guarantee, cpu_ms=5.0 if cpu else 0.0,
                    delay=0.0 if cpu else 0.002)  # fmt: skip
    try:
        with freezable_loop():
            await run_and_judge(run, fault, "memory", guarantee, scale, results,
                                cpu=cpu)  # fmt: skip
    finally:
        await run.close()
