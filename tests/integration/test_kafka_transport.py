"""The Kafka transports against a real broker, in this process.

Every test runs on ``kafka://`` (aiokafka) and ``confluent://`` (librdkafka).
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from worker_helpers import read_all, servers, topic_configs

import faust
from faust.exceptions import BrokerUnavailable, MessageSizeTooLarge, TopicConflict
from faust.types import TP

pytestmark = pytest.mark.transports()

DRIVERS = {"kafka": "aiokafka", "confluent": "confluent"}


async def test_the_url_scheme_picks_the_transport(kafka_app, transport_scheme) -> None:
    # guards the parametrization: a confluent run quietly falling back to
    # aiokafka would pass every other test of this module unnoticed
    driver = f"faust.transport.drivers.{DRIVERS[transport_scheme]}"
    producer = await kafka_app.maybe_start_producer()
    assert type(kafka_app.transport).__module__.startswith(driver)
    assert type(producer).__module__.startswith(driver)
    # both transports consume with the kafka:// driver's consumer
    consumer_module = type(kafka_app.consumer).__module__
    assert consumer_module.startswith("faust.transport.drivers.aiokafka")


async def test_topic_creation_and_conflict(kafka_app, kafka_url, unique_topic) -> None:
    name = unique_topic("created")
    producer = await kafka_app.maybe_start_producer()
    await producer.create_topic(
        name, 3, 1, retention=60.0, compacting=True, config={"max.message.bytes": 9999}
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(kafka_url))
    await admin.start()
    try:
        (desc,) = await admin.describe_topics([name])
        assert len(desc["partitions"]) == 3
    finally:
        await admin.close()
    configs = await topic_configs(kafka_url, name)
    assert configs["cleanup.policy"] == "compact"
    assert configs["retention.ms"] == "60000"
    assert configs["max.message.bytes"] == "9999"
    # existing topics are left alone...
    await producer.create_topic(name, 3, 1)
    # ...unless they conflict
    with pytest.raises(TopicConflict, match="exists with 3 partitions, but 5"):
        await producer.create_topic(name, 5, 1)


async def test_topic_declare_through_the_app(kafka_app, unique_topic) -> None:
    topic = kafka_app.topic(unique_topic("declared"), partitions=2, internal=True)
    await topic.maybe_declare()
    await kafka_app.maybe_start_producer()
    with pytest.raises(TopicConflict):
        await kafka_app.topic(topic.get_topic_name(), partitions=6).declare()


@pytest.mark.parametrize("compression", [None, "gzip"])
async def test_send_keys_headers_timestamps(
    kafka_app, kafka_url, unique_topic, compression
) -> None:
    kafka_app.conf.producer_compression_type = compression
    name = unique_topic("sent")
    producer = await kafka_app.maybe_start_producer()
    await producer.create_topic(name, 4, 1)
    topic = kafka_app.topic(name, key_type=bytes, value_type=bytes)
    futs = []
    for i in range(20):
        futs.append(
            await topic.send(
                key=f"key-{i}".encode(),
                value=f"value-{i}".encode(),
                headers={"n": str(i).encode()},
                timestamp=1_700_000_000.0 + i,
            )
        )
    metadata = [await fut for fut in futs]
    records = await read_all(kafka_url, name, 4, 20)
    assert len(records) == 20
    by_key = {r.key: r for r in records}
    for i, md in enumerate(metadata):
        rec = by_key[f"key-{i}".encode()]
        assert rec.value == f"value-{i}".encode()
        assert dict(rec.headers) == {"n": str(i).encode()}
        assert rec.timestamp == (1_700_000_000 + i) * 1000
        assert (
            rec.partition
            == md.partition
            == producer.key_partition(name, rec.key).partition
        )
        assert rec.offset == md.offset


async def test_send_soon_and_flush(kafka_app, kafka_url, unique_topic) -> None:
    kafka_app.conf.producer_linger = 0.05
    name = unique_topic("soon")
    producer = await kafka_app.maybe_start_producer()
    await producer.create_topic(name, 1, 1)
    topic = kafka_app.topic(name, value_type=bytes)
    futs = [topic.send_soon(value=b"x%d" % i) for i in range(50)]
    await producer.flush()
    assert all(f.done() for f in futs)
    assert [f.result().offset for f in futs] == list(range(50))
    assert len(await read_all(kafka_url, name, 1, 50)) == 50


async def test_pending_batch_survives_a_new_topic(
    kafka_app, kafka_url, unique_topic
) -> None:
    # The producer learns an existing topic from its first (all-topics)
    # metadata refresh; sending to a new topic then narrows the refresh to
    # the topics it tracks. A batch still lingering for the first topic
    # must not lose its leader (aiokafka would wait for it forever).
    first, second = unique_topic("known"), unique_topic("new")
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(kafka_url))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(first, 2, 1)])
    finally:
        await admin.close()
    kafka_app.conf.producer_linger = 0.3
    producer = await kafka_app.maybe_start_producer()
    pending = [
        await producer.send(first, b"k%d" % i, b"v", None, None, None)
        for i in range(10)
    ]
    await producer.create_topic(second, 1, 1)
    await producer.send_and_wait(second, None, b"x", None, None, None)
    await asyncio.wait_for(producer.flush(), timeout=10)
    assert all(f.done() and not f.exception() for f in pending)
    assert len(await read_all(kafka_url, first, 2, 10)) == 10


async def test_too_large_message_is_refused_not_dropped(
    kafka_app, unique_topic, caplog
) -> None:
    kafka_app.conf.producer_max_request_size = 10_000
    name = unique_topic("large")
    producer = await kafka_app.maybe_start_producer()
    await producer.create_topic(name, 1, 1)
    topic = kafka_app.topic(name, value_type=bytes)
    with pytest.raises(MessageSizeTooLarge, match="producer_max_request_size"):
        await topic.send(value=b"x" * 50_000)
    # buffered sends report the error on their future and in the log
    fut = topic.send_soon(value=b"y" * 50_000)
    with caplog.at_level(logging.ERROR):
        await producer.flush()
    assert isinstance(fut.exception(), MessageSizeTooLarge)
    assert "Failed to publish buffered message" in caplog.text
    # and nothing reached the broker
    await topic.send(value=b"small")
    consumer = AIOKafkaConsumer(bootstrap_servers=producer.transport.servers)
    await consumer.start()
    try:
        tp = TopicPartition(name, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        batch = await consumer.getmany(tp, timeout_ms=2000)
        assert [r.value for r in batch[tp]] == [b"small"]
    finally:
        await consumer.stop()


async def test_unreachable_broker_fails_within_the_timeout(
    unique_id, transport_scheme
) -> None:
    with socket_closed_port() as port:
        app = faust.App(
            unique_id,
            broker=f"{transport_scheme}://127.0.0.1:{port}",
            broker_request_timeout=1.5,
            broker_session_timeout=1.5,
            web_enabled=False,
        )
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable, match=f"127.0.0.1:{port}") as info:
            await app.maybe_start_producer()
        elapsed = time.monotonic() - started
    assert 1.0 < elapsed < 5.0
    assert "broker_request_timeout" in str(info.value)


class socket_closed_port:
    """A loopback port nothing listens on (bound, not listening)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


async def test_highwater_comes_from_fetch_responses(
    kafka_app, kafka_url, unique_topic
) -> None:
    name = unique_topic("hw")
    producer = AIOKafkaProducer(bootstrap_servers=servers(kafka_url), linger_ms=100)
    await producer.start()
    try:
        # one produce request carrying a batch of 10 records, twice
        for _ in range(2):
            futs = [await producer.send(name, b"x", partition=0) for _ in range(10)]
            await asyncio.gather(*futs)
    finally:
        await producer.stop()
    await kafka_app.consumer.start()
    try:
        tp = TP(name, 0)
        assert await kafka_app.consumer.highwaters(tp) == {tp: 20}
        assert kafka_app.consumer.highwater(tp) == 20
        assert await kafka_app.consumer.earliest_offsets(tp) == {tp: 0}
    finally:
        await kafka_app.consumer.stop()


async def wait_for(predicate, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_agent_consumes_commits_and_resumes(
    kafka_app_options, unique_id, unique_topic
) -> None:
    name = unique_topic("flow")
    seen: list[int] = []

    def make_app() -> faust.App:
        app = faust.App(unique_id, **kafka_app_options)
        topic = app.topic(name, value_type=int, partitions=2)

        @app.agent(topic)
        async def process(stream):
            async for value in stream:
                seen.append(value)

        return app

    app = make_app()
    topic = app.topic(name, value_type=int, partitions=2)
    # declared before the worker subscribes: a subscription to a missing
    # topic lets the broker create it with its default partition count
    await topic.maybe_declare()
    await app.start()
    try:
        for i in range(100):
            await topic.send(key=str(i).encode(), value=i)
        await wait_for(lambda: len(seen) == 100, what="100 events")
        assert app.is_leader()
        assert app.consumer.assignment() >= {TP(name, 0), TP(name, 1)}
        # the stream acks an event when it takes the next one: all but the
        # last are committed while it runs, the last one at stop
        await wait_for(
            lambda: (
                sum(app.consumer.committed_offset(TP(name, p)) or 0 for p in (0, 1))
                >= 99
            ),
            what="commit",
        )
    finally:
        await app.stop()
    assert sorted(seen) == list(range(100))
    # a new incarnation of the worker resumes after the committed offsets
    seen.clear()
    app = make_app()
    await app.start()
    try:
        topic = app.topic(name, value_type=int)
        for i in range(100, 110):
            await topic.send(key=str(i).encode(), value=i)
        await wait_for(lambda: len(seen) >= 10, what="10 new events")
        await asyncio.sleep(0.5)  # would any old event come back?
    finally:
        await app.stop()
    assert sorted(seen) == list(range(100, 110))


async def test_pattern_subscription(kafka_app, unique_topic) -> None:
    prefix = unique_topic("pat")
    received: list[str] = []
    await kafka_app.maybe_start_producer()
    await kafka_app.producer.create_topic(f"{prefix}-a", 1, 1)
    await kafka_app.producer.create_topic(f"{prefix}-b", 1, 1)

    @kafka_app.agent(kafka_app.topic(pattern=f"{prefix}-.*", value_type=str))
    async def process(stream):
        async for event in stream.events():
            received.append(f"{event.message.topic}:{event.value}")

    await kafka_app.start()
    await kafka_app.topic(f"{prefix}-a", value_type=str).send(value="1")
    await kafka_app.topic(f"{prefix}-b", value_type=str).send(value="2")
    await kafka_app.topic(f"other-{prefix}", value_type=str).send(value="3")
    await wait_for(lambda: len(received) == 2, what="pattern events")
    assert sorted(received) == [f"{prefix}-a:1", f"{prefix}-b:2"]


async def test_two_apps_share_the_group_and_elect_one_leader(
    kafka_app_options, unique_id, unique_topic
) -> None:
    name = unique_topic("shared")
    counts: dict[str, int] = {"a": 0, "b": 0}
    apps = []
    for label in ("a", "b"):
        app = faust.App(unique_id, **kafka_app_options)

        def agent(label=label):
            async def process(stream):
                async for _ in stream:
                    counts[label] += 1

            return process

        app.agent(app.topic(name, value_type=int, partitions=4), name=f"p{label}")(
            agent()
        )
        apps.append(app)
    await apps[0].start()
    await apps[0].topic(name, value_type=int, partitions=4).maybe_declare()
    await apps[1].start()
    try:
        await wait_for(
            lambda: all(len(a.consumer.assignment()) >= 2 for a in apps),
            what="both members assigned",
        )
        assert sorted(a.is_leader() for a in apps) == [False, True]
        mine = [
            {tp for tp in a.consumer.assignment() if tp.topic == name} for a in apps
        ]
        assert mine[0].isdisjoint(mine[1]) and len(mine[0] | mine[1]) == 4
        topic = apps[0].topic(name, value_type=int)
        for i in range(200):
            await topic.send(key=str(i).encode(), value=i)
        await wait_for(lambda: counts["a"] + counts["b"] == 200, what="200 events")
        assert counts["a"] and counts["b"]
    finally:
        for app in apps:
            await app.stop()


async def test_assignor_copartitions_tables_with_standbys(
    kafka_app_options, unique_id, unique_topic, tmp_path
) -> None:
    source = unique_topic("src")
    apps = []
    for n in range(2):
        app = faust.App(
            unique_id,
            **{
                **kafka_app_options,
                "datadir": str(tmp_path / f"w{n}"),
                "table_standby_replicas": 1,
                "canonical_url": f"http://worker{n}:6066",
            },
        )
        counts = app.Table("counts", default=int, partitions=4)
        totals = app.GlobalTable("totals", default=int, partitions=2)

        async def count(stream, counts=counts, totals=totals):
            async for key, _ in stream.items():
                counts[key] += 1
                totals["all"] += 1

        app.agent(app.topic(source, key_type=str, value_type=str, partitions=4))(count)
        apps.append(app)
    for app in apps:
        await app.start()
    try:
        changelog = f"{unique_id}-counts-changelog"
        global_log = f"{unique_id}-totals-changelog"

        def split() -> bool:
            # the source topic is created by the first subscription (the
            # broker's auto-create): wait for the generation that has it
            for topic in (changelog, source):
                actives = [
                    {tp for tp in a.assignor.assigned_actives() if tp.topic == topic}
                    for a in apps
                ]
                if not all(actives) or len(actives[0] | actives[1]) != 4:
                    return False
            return True

        await wait_for(split, what="both workers assigned")
        for me in apps:
            actives = me.assignor.assigned_actives()
            mine = {tp.partition for tp in actives if tp.topic == source}
            # co-partitioned: the changelog partitions follow the source ones
            assert {tp.partition for tp in actives if tp.topic == changelog} == mine
            # the other worker's changelog partitions are standbys here
            standbys = {
                tp.partition
                for tp in me.assignor.assigned_standbys()
                if tp.topic == changelog
            }
            assert standbys == set(range(4)) - mine
            assert me.consumer.assignment() >= {TP(changelog, p) for p in range(4)}
            # the global table's changelog is everywhere, in full
            assert me.consumer.assignment() >= {TP(global_log, 0), TP(global_log, 1)}
            url = str(me.conf.canonical_url)
            assert me.assignor.tables_metadata()[url][changelog] == sorted(mine)
        assert apps[0].assignor.tables_metadata() == apps[1].assignor.tables_metadata()
    finally:
        for app in apps:
            await app.stop()
