"""Tables on the 3-node Apache Kafka cluster, with brokers killed mid-recovery.

The changelog is replicated three times (``min.insync.replicas=2``). The
test fills the changelog of ``counts`` (``table_app.py``) with 200,000
records first, so recovering it takes long enough to kill -9 a broker in the
middle: the leader of a partition being read. Recovery must go on from the
new leader and end with the exact table, the ``SetGlobalTable`` must be
complete on every worker, and a standby must take over without replay.
"""

from __future__ import annotations

import signal

import pytest
from cluster_helpers import leader_of
from table_helpers import (
    KEYS,
    counts_now,
    get_counts,
    key_of,
    partition_of,
    produce,
    reached_end,
    table_workers,
    truth,
    until_async,
)
from worker_helpers import PARTITIONS, create_topic, servers, split_between, until

import faust

pytestmark = [pytest.mark.kafka_only, pytest.mark.timeout(900)]

tables = table_workers("cluster")

PREFILL = 200_000
START = 1000  # every key's value at the end of the prefill
RECOVERING = "Recovering "
REPLICATED = {"IT_REPLICATION": "3", "IT_STANDBYS": "1", "IT_GLOBAL_SET": "1"}


async def prefill(url: str, app_id: str, tmp_path) -> str:
    """Write the changelog of ``counts`` as a worker would; returns its name."""
    app = faust.App(
        app_id, broker=url, web_enabled=False, datadir=str(tmp_path / "prefill"),
        topic_partitions=PARTITIONS, topic_replication_factor=3,
    )  # fmt: skip
    table = app.Table("counts", default=int, key_type=str, value_type=int)
    changelog = table.changelog_topic
    producer = await app.maybe_start_producer()
    try:
        await changelog.maybe_declare()
        for i in range(PREFILL):
            n = i % KEYS
            value = START - (PREFILL - 1 - i) // KEYS  # ends at START
            await changelog.send(key=key_of(n), value=value, partition=partition_of(n))
        await producer.flush()
    finally:
        await producer.stop()
    return changelog.get_topic_name()


async def kill_leader_while_recovering(cluster, worker, changelog, partition) -> int:
    """kill -9 the leader of a changelog partition once ``worker`` recovers."""
    await until(lambda: RECOVERING in worker.text(), 120, "recovery start", [worker])
    victim = await leader_of(servers(cluster.url), changelog, partition)
    before = worker.text()
    cluster.kill(victim)
    # still recovering when the broker died: the point of the test
    assert "Recovery complete" not in before, before[-3000:]
    return victim


async def test_recovery_standbys_and_global_set_survive_broker_kills(
    tables, cluster, tmp_path, record_property
) -> None:
    url = cluster.url
    changelog = await prefill(url, tables.group, tmp_path)
    await create_topic(url, tables.topic, replicas=3)
    start_values = {key_of(n): START for n in range(KEYS)}

    # A recovers 200,000 records; a broker dies meanwhile
    a = tables.start("a", **REPLICATED)
    first = await kill_leader_while_recovering(cluster, a, changelog, 0)
    await until(lambda: bool(a.recoveries()), 180, "A recovered", [a])
    read, partitions = a.recoveries()[0]
    print(f"\nA recovered {read} records with node {first} killed midway")
    # every partition of counts, and of the global set (active everywhere)
    assert (read, partitions) == (PREFILL, 2 * PARTITIONS)
    assert await counts_now(a) == start_values
    cluster.restart(first)

    total = 4000
    await produce(url, tables.topic, range(total))
    await until(lambda: reached_end(a, tables.out, total), 120, "A counted", [a])
    expected = {key: START + n for key, n in truth(total).items()}

    # B joins: its actives, A's standbys and the global set, while another
    # broker dies
    b = tables.start("b", **REPLICATED)
    second = await kill_leader_while_recovering(cluster, b, changelog, 1)
    await until(
        lambda: split_between([a, b], tables.topic, 2), 180, "A and B share", [a, b]
    )

    async def complete() -> bool:
        return await counts_now(b) == expected  # actives and standbys

    await until_async(complete, 180, "B holds the whole table", [a, b])
    keys = sorted(expected)
    assert (await get_counts(b))["seen"] == keys
    assert (await get_counts(a))["seen"] == keys
    print(f"B recovered {b.recoveries()} with node {second} killed midway")
    cluster.restart(second)

    # A dies: B takes over from its standby copy
    generation = b.assignment(tables.topic)[0]  # type: ignore[index]
    recovered_before = len(b.recoveries())
    a.stop(signal.SIGKILL)
    await until(
        lambda: (
            split_between([b], tables.topic, 1)
            and b.assignment(tables.topic)[0] > generation  # type: ignore[index]
            and len(b.recoveries()) > recovered_before
        ),
        180,
        "B takes over",
        [b],
    )
    read, _ = b.recoveries()[-1]
    record_property("cluster_standby_takeover_records_read", read)
    print(f"standby takeover on the cluster: read {read} changelog records")
    assert read == 0, b.text()[-3000:]
    assert (await get_counts(b))["counts"] == expected
