"""Worker and broker faults on the 3-node Apache Kafka cluster, both guarantees.

Workers are ``faust worker`` processes; the broker faults kill the leader
of a source partition (kill -9) or the whole cluster for longer than the
workers' request timeout (5 s here).
"""

from __future__ import annotations

import pytest
from harness import Results, Scale
from kafka_run import KafkaRun
from scenario import run_and_judge

pytestmark = [pytest.mark.timeout(Scale.from_env().timeout)]

KAFKA_FAULTS = (
    "kill -9 worker",
    "SIGTERM + restart",
    "join + leave",
    "CPU-bound agent",
    "kill -9 leader broker",
    "cluster down > request timeout",
)
CASES = [
    (fault, guarantee)
    for fault in KAFKA_FAULTS
    for guarantee in ("at_least_once", "exactly_once")
]


@pytest.mark.parametrize(("fault", "guarantee"), CASES)
async def test_kafka_fault(
    fault: str, guarantee: str, scale: Scale, results: Results, kafka, faust_bin,
    tmp_path,
) -> None:  # fmt: skip
    cpu = fault == "CPU-bound agent"
    run = KafkaRun(
        kafka, tmp_path, faust_bin, guarantee,
        cpu_ms=5.0 if cpu else 0.0, delay=0.0 if cpu else 0.005,
        request_timeout=5.0 if fault.startswith("cluster") else 10.0,
    )  # fmt: skip
    try:
        await run.setup()
        await run_and_judge(run, fault, "kafka (3 nodes)", guarantee, scale,
                            results, cpu=cpu)  # fmt: skip
    finally:
        await run.close()
