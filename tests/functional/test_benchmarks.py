"""The benchmark's meter and its startup figure, on memory:// (quick).

The rates themselves are machine-dependent and not checked here; what is
checked is what the figures mean: the fair meter stops after the last
processed event, once the outputs are acknowledged, and a worker reaches its
first event without a fixed wait on the way (a rebalance delay or a sleep
of seconds would show).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import run

        yield run
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_meter_reads_processed_then_acknowledged(bench: Any) -> None:
    scen = next(s for s in bench.SCENARIOS if s.sid == "S3")
    with tempfile.TemporaryDirectory() as tmp:
        run = bench.run_worker(
            "ours", sys.executable, scen, 500, "memory://", "bench-orders", Path(tmp)
        )
    assert run.ok, run.note
    assert run.events == 500
    assert 0 < run.processed_seconds <= run.seconds
    assert run.processed_rate >= run.rate > 0


def test_startup_on_memory_has_no_fixed_wait(bench: Any) -> None:
    startup_scenario = bench.Scenario(
        "S0", "startup", "scenarios.s1_raw", "startup", 1, 1
    )
    with tempfile.TemporaryDirectory() as tmp:
        run = bench.run_worker(
            "ours", sys.executable, startup_scenario, 1, "memory://", "t", Path(tmp)
        )
    assert run.ok, run.note
    # under 1 s on an idle machine (docs/devguide/benchmarks.rst); the bound
    # leaves room for a loaded one and still catches a wait of seconds
    assert 0 < run.first_event_after < 3.0


def test_transports_run_our_side_once_per_scheme(bench: Any) -> None:
    args = argparse.Namespace(
        quick=True,
        rounds=1,
        side="both",
        ours_python=sys.executable,
        theirs_python=sys.executable,
        only="S3,S8",
        broker="kafka",
        transports="kafka,confluent",
        no_save=True,
    )
    suite = bench.Suite(args)
    shutil.rmtree(suite.workdir, ignore_errors=True)
    suite.broker = argparse.Namespace(url="kafka://127.0.0.1:9092")  # not started
    assert suite.sides == ["ours", "ours-confluent", "theirs"]
    assert suite.broker_url("ours").startswith("kafka://")
    assert suite.broker_url("ours-confluent").startswith("confluent://")
    assert suite.broker_url("theirs").startswith("kafka://")
    report = bench.render(suite, 0.0)
    assert "| S3 agent updates a Table |" in report
    assert "| S3 agent updates a Table on confluent:// |" in report
    assert "| S8 raw confluent-kafka produce loop |" in report
