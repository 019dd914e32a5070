"""Worker and broker faults on the 3-node Apache Kafka cluster, both guarantees.

Workers are ``faust worker`` processes; the broker faults kill the leader
of a source partition (kill -9) or the whole cluster for longer than the
workers' request timeout.
"""

from __future__ import annotations

import pytest
from harness import Results, Row, Scale
from kafka_run import KafkaRun
from scenario import FAULTS, run_faults

pytestmark = [pytest.mark.timeout(600)]

GUARANTEES = ("at_least_once", "exactly_once")
KAFKA_FAULTS = (
    "kill -9 worker",
    "SIGTERM + restart",
    "join + leave",
    "CPU-bound agent",
    "kill -9 leader broker",
    "cluster down > request timeout",
)


@pytest.mark.parametrize("guarantee", GUARANTEES)
@pytest.mark.parametrize("fault", KAFKA_FAULTS)
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
        check, seconds = await run_faults(run, FAULTS[fault], scale)
    finally:
        await run.close()
    notes = [check.duplicates_where(), *run.notes]
    if cpu:
        notes.insert(0, f"longest loop gap {run.longest_gap():.3f} s")
    results.add(Row(fault, "kafka (3 nodes)", guarantee, scale.loops, scale.events,
                    check.lost, check.duplicated, check.out_of_order, seconds,
                    "; ".join(n for n in notes if n)[:300]))  # fmt: skip
    assert check.lost == 0, check.faulty_keys()
    assert check.out_of_order == 0, check.faulty_keys()
    if guarantee == "exactly_once":
        assert check.duplicated == 0, check.faulty_keys()
    if cpu:
        assert run.longest_gap() < 1.0
