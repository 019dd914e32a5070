"""The fault suite: fixtures, markers and the results file.

``scale`` says how much each test does (bounded by default; long with
``FAUST_RELIABILITY_LOOPS`` / ``FAUST_RELIABILITY_EVENTS``, as
``make reliability`` sets them). ``results`` collects every row of the
session; at the end they are written to ``results/latest.md``.
``reliability_cluster`` is a 3-node Apache Kafka cluster (KRaft,
replication 3, ``min.insync.replicas=2``) started on first use.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "extra"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from cluster_helpers import revived_after, start_kafka  # noqa: E402
from harness import Results, Scale  # noqa: E402
from kafka_broker import Cluster  # noqa: E402

_RESULTS = Results()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: the fault suite (tests/reliability)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _RESULTS.write(Scale.from_env())


@pytest.fixture(scope="session")
def scale() -> Scale:
    return Scale.from_env()


@pytest.fixture(scope="session")
def results() -> Results:
    return _RESULTS


@pytest.fixture(scope="session")
def reliability_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    cluster = start_kafka(tmp_path_factory.mktemp("rel-kafka"), nodes=3)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def kafka(reliability_cluster: Cluster) -> Iterator[Cluster]:
    """The cluster, every node running again after the test."""
    yield from revived_after(reliability_cluster)


@pytest.fixture
def faust_bin() -> str:
    found = shutil.which("faust", path=str(Path(sys.executable).parent))
    assert found, "the faust command is not installed next to this Python"
    return found
