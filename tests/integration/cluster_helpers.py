"""Apache Kafka clusters of the tests: start one, revive it, find a leader.

Shared by the integration tier (``conftest.py``, ``test_cluster_tables.py``)
and the fault suite (``tests/reliability``), which both start clusters of
``extra/kafka_broker.py`` and kill their nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from kafka_broker import Cluster

#: seconds a cluster may take to start (the first run fetches Kafka's jars)
KAFKA_START_TIMEOUT = 180.0


def start_kafka(workdir: Path, **options: Any) -> Cluster:
    """Start an Apache Kafka :class:`Cluster`; print what it costs."""
    cluster = Cluster(workdir, **options)
    try:
        cluster.start(KAFKA_START_TIMEOUT)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    print(f"\n{cluster.summary()}", flush=True)
    return cluster


def revived_after(cluster: Cluster) -> Iterator[Cluster]:
    """Yield ``cluster``; then start again every node a test killed."""
    yield cluster
    dead = [node.node_id for node in cluster.nodes if not node.alive]
    if dead:
        cluster.restart(*dead)


async def leader_of(bootstrap_servers: str, topic: str, partition: int) -> int:
    """Node id of the leader of ``topic:partition``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        (desc,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    for part in desc["partitions"]:
        if part["partition"] == partition:
            return int(part["leader"])
    raise AssertionError(f"no partition {partition} in {desc}")
