"""The aiokafka consumer driver (aiokafka replaced by a fake)."""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from unittest.mock import AsyncMock, Mock

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaConnectionError,
    KafkaError,
    UnknownMemberIdError,
)
from aiokafka.structs import OffsetAndMetadata

import faust
from faust.exceptions import ImproperlyConfigured, TransportError
from faust.transport.drivers.aiokafka import (
    Consumer,
    ConsumerRebalanceListener,
    Transport,
)
from faust.transport.drivers.aiokafka.consumer import READ_AHEAD_RECORDS
from faust.transport.drivers.aiokafka.subscription import subscription_for
from faust.types import TP
from faust.utils.murmur2 import partition_for_key

T0, T1, T2 = TP("t", 0), TP("t", 1), TP("t", 2)


def aio(tp: TP) -> TopicPartition:
    return TopicPartition(tp.topic, tp.partition)


def record(offset: int, tp: TP = T0, **kw):
    fields = dict(
        topic=tp.topic,
        partition=tp.partition,
        offset=offset,
        timestamp=1500,
        timestamp_type=0,
        key=b"k",
        value=b"v",
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=1,
        headers=(("h", b"1"),),
    )
    fields.update(kw)
    return SimpleNamespace(**fields)


class FakeAIOConsumer:
    def __init__(self) -> None:
        self.assigned: set[TopicPartition] = set()
        self._coordinator = SimpleNamespace(
            generation=7,
            commit_offsets=AsyncMock(),
            fetch_committed_offsets=AsyncMock(return_value={}),
        )
        self._subscription = SimpleNamespace(
            subscription=SimpleNamespace(assignment="ASSIGNMENT")
        )
        self._client = Mock(name="client")
        self.getmany = AsyncMock(return_value={})
        self.seeks: dict[TopicPartition, int] = {}
        self.paused: set[TopicPartition] = set()
        self.subscribe = Mock()
        self.unsubscribe = Mock()
        self.stop = AsyncMock()
        self.highwaters: dict[TopicPartition, int] = {}

    def assignment(self):
        return set(self.assigned)

    def seek(self, tp, offset):
        if tp not in self.assigned:
            raise IllegalStateError("not assigned")
        self.seeks[tp] = offset

    async def seek_to_beginning(self, *tps):
        self._reset(tps, "beginning")

    async def seek_to_end(self, *tps):
        self._reset(tps, "end")

    def _reset(self, tps, where):
        if not set(tps) <= self.assigned:
            raise IllegalStateError("not assigned")
        self.seeks.update(dict.fromkeys(tps, where))

    def pause(self, *tps):
        assert all(tp in self.assigned for tp in tps)
        self.paused.update(tps)

    def resume(self, *tps):
        assert all(tp in self.assigned for tp in tps)
        self.paused.difference_update(tps)

    def highwater(self, tp):
        assert tp in self.assigned, "Partition is not assigned"
        return self.highwaters.get(tp)

    def partitions_for_topic(self, topic):
        return {0, 1, 2} if topic == "t" else None

    async def beginning_offsets(self, tps):
        return {tp: 3 for tp in tps}

    async def position(self, tp):
        if tp not in self.assigned:
            raise IllegalStateError("not assigned")
        return 42


@pytest.fixture
def kafka_app():
    return faust.App(
        "test-consumer",
        broker="kafka://h:1",
        web_enabled=False,
        broker_session_timeout=10,
        broker_request_timeout=20,
        broker_heartbeat_interval=1,
        broker_rebalance_timeout=30,
        broker_max_poll_records=50,
        broker_max_poll_interval=100,
        consumer_max_fetch_size=1234,
        consumer_auto_offset_reset="latest",
        consumer_group_instance_id="static-1",
    )


@pytest.fixture
def handlers():
    return SimpleNamespace(revoked=AsyncMock(), assigned=AsyncMock())


@pytest.fixture
def consumer(kafka_app, handlers):
    transport = Transport(kafka_app.conf.broker, kafka_app)
    c = Consumer(
        transport,
        callback=AsyncMock(),
        on_partitions_revoked=handlers.revoked,
        on_partitions_assigned=handlers.assigned,
    )
    c._consumer = FakeAIOConsumer()
    return c


def fake(consumer) -> FakeAIOConsumer:
    return consumer._consumer


def test_settings_follow_the_app_configuration(consumer, kafka_app) -> None:
    s = consumer.consumer_settings()
    assert s["bootstrap_servers"] == ["h:1"]
    assert s["group_id"] == "test-consumer"
    assert s["group_instance_id"] == "static-1"
    assert s["enable_auto_commit"] is False
    assert s["auto_offset_reset"] == "latest"
    assert s["max_poll_records"] == 50
    # a fetch in flight holds up the partitions it does not cover: short
    assert s["fetch_max_wait_ms"] == 100
    assert s["max_poll_interval_ms"] == 100_000
    assert s["max_partition_fetch_bytes"] == 1234
    assert s["session_timeout_ms"] == 10_000
    assert s["request_timeout_ms"] == 20_000
    assert s["rebalance_timeout_ms"] == 30_000
    assert s["heartbeat_interval_ms"] == 1000
    assert s["isolation_level"] == "read_uncommitted"
    assert s["partition_assignment_strategy"] == [kafka_app.assignor]
    assert s["security_protocol"] == "PLAINTEXT"


def test_exactly_once_reads_committed(handlers) -> None:
    app = faust.App("eos", broker="kafka://h:1", processing_guarantee="exactly_once")
    c = Consumer(
        Transport(app.conf.broker, app),
        callback=AsyncMock(),
        on_partitions_revoked=handlers.revoked,
        on_partitions_assigned=handlers.assigned,
    )
    assert c.consumer_settings()["isolation_level"] == "read_committed"


def test_session_timeout_above_request_timeout_is_refused(handlers) -> None:
    app = faust.App(
        "bad",
        broker="kafka://h:1",
        broker_session_timeout=30,
        broker_request_timeout=10,
    )
    with pytest.raises(ImproperlyConfigured, match="broker_session_timeout"):
        Consumer(
            Transport(app.conf.broker, app),
            callback=AsyncMock(),
            on_partitions_revoked=handlers.revoked,
            on_partitions_assigned=handlers.assigned,
        )


# -- subscription ----------------------------------------------------------


def test_subscription_without_patterns() -> None:
    topics = [SimpleNamespace(pattern=None)]
    assert subscription_for(["b", "a", "a"], topics) == (["a", "b"], None)


def test_subscription_folds_names_into_the_pattern() -> None:
    topics = [SimpleNamespace(pattern=re.compile(r"logs-\d+")), object()]
    names, pattern = subscription_for(["x.y"], topics)
    assert names == ["x.y"]
    regex = re.compile(pattern)
    assert regex.match("x.y")
    assert not regex.match("xzy")  # names are escaped
    assert not regex.match("x.y.z")  # and anchored
    assert regex.match("logs-12")
    assert not regex.match("other")


async def test_subscribe_passes_names_or_pattern(consumer, kafka_app) -> None:
    await consumer.subscribe(["b", "a"])
    fake(consumer).subscribe.assert_called_once_with(
        topics=["a", "b"], listener=consumer._listener
    )
    kafka_app.topics.add(kafka_app.topic(pattern="p.*"))
    await consumer.subscribe(["a"])
    kwargs = fake(consumer).subscribe.call_args.kwargs
    assert re.compile(kwargs["pattern"]).match("pxx")
    kafka_app.topics._topics.clear()
    await consumer.subscribe([])
    fake(consumer).unsubscribe.assert_called_once_with()


# -- rebalancing -----------------------------------------------------------


async def test_assignment_is_applied_outside_the_aiokafka_callback(
    consumer, handlers
) -> None:
    listener = ConsumerRebalanceListener(consumer)
    fake(consumer).assigned = {aio(T0), aio(T1)}
    await listener.on_partitions_revoked(set())
    handlers.revoked.assert_awaited_once_with(set())
    await listener.on_partitions_assigned({aio(T0), aio(T1)})
    handlers.assigned.assert_not_awaited()  # the callback only records it
    assert consumer.assignment() == set()
    assert await consumer.apply_pending_assignment() is True
    handlers.assigned.assert_awaited_once_with({T0, T1}, 7)
    assert consumer.assignment() == {T0, T1}
    assert await consumer.apply_pending_assignment() is False


async def test_revoke_cancels_an_assignment_never_applied(consumer, handlers) -> None:
    consumer.on_rebalance_assigned([aio(T0)])
    await consumer.on_rebalance_revoked()
    assert await consumer.apply_pending_assignment() is False
    handlers.assigned.assert_not_awaited()


async def test_revoke_waits_for_a_running_assign_handler(consumer, handlers) -> None:
    fake(consumer).assigned = {aio(T0)}
    release = asyncio.Event()
    events = []

    async def slow_assigned(assigned, generation):
        events.append("assign-start")
        await release.wait()
        events.append("assign-end")

    async def revoked(tps):
        events.append(("revoke", frozenset(tps)))

    handlers.assigned.side_effect = slow_assigned
    handlers.revoked.side_effect = revoked
    consumer.on_rebalance_assigned([aio(T0)])
    applying = asyncio.ensure_future(consumer.apply_pending_assignment())
    await asyncio.sleep(0)
    revoking = asyncio.ensure_future(consumer.on_rebalance_revoked())
    await asyncio.sleep(0)
    assert events == ["assign-start"]
    release.set()
    await asyncio.gather(applying, revoking)
    assert events == ["assign-start", "assign-end", ("revoke", frozenset({T0}))]
    assert consumer.assignment() == set()


async def test_failing_revoke_handler_is_logged(consumer, handlers, caplog) -> None:
    consumer._assignment = frozenset({T0})
    handlers.revoked.side_effect = RuntimeError("boom")
    await consumer.on_rebalance_revoked()
    assert "Revoking partitions failed" in caplog.text
    assert consumer.assignment() == set()


async def test_assign_seeks_to_committed_offsets(consumer, handlers) -> None:
    fake(consumer).assigned = {aio(T0), aio(T1)}
    fake(consumer)._coordinator.fetch_committed_offsets.return_value = {
        aio(T0): OffsetAndMetadata(10, "")
    }
    consumer.on_rebalance_assigned([aio(T0), aio(T1)])
    await consumer.apply_pending_assignment()
    # T1, with nothing committed, follows auto_offset_reset ("latest" here)
    assert fake(consumer).seeks == {aio(T0): 10, aio(T1): "end"}
    assert consumer.committed_offset(T0) == 10
    assert consumer.committed_offset(T1) is None


async def test_kept_partition_without_commit_is_read_again_from_the_reset(
    kafka_app, consumer
) -> None:
    # a partition kept through a rebalance, nothing committed yet: records
    # read ahead from the old position are forgotten and the position is
    # reset (else whatever was fetched and not delivered would be skipped)
    kafka_app.conf.consumer_auto_offset_reset = "earliest"
    fake(consumer).assigned = {aio(T0)}
    consumer._assignment = frozenset({T0})
    consumer._ahead.add(T0, [record(7), record(8)])
    await consumer.seek_to_committed({T0}, {T0: None})
    assert fake(consumer).seeks == {aio(T0): "beginning"}
    assert consumer._ahead.first_offset(T0) is None


# -- fetching --------------------------------------------------------------


async def test_getmany_fetches_active_partitions_only(consumer) -> None:
    consumer._assignment = frozenset({T0, T1})
    fake(consumer).getmany.return_value = {
        aio(T0): [record(1)],
        aio(T2): [record(5, T2)],  # fetched for an older assignment
    }
    result = await consumer._getmany({T0}, 0.5)
    assert result == {T0: [record(1)]}
    args, kwargs = fake(consumer).getmany.await_args
    assert args == (aio(T0),)
    # aiokafka decodes at most this many: the rest stays compact bytes, so a
    # broker that answers with a partition's whole backlog cannot fill memory
    assert kwargs == {"timeout_ms": 500, "max_records": READ_AHEAD_RECORDS}


async def test_getmany_reads_ahead_and_hands_over_batches(consumer) -> None:
    consumer._assignment = frozenset({T0})
    fake(consumer).getmany.return_value = {aio(T0): [record(i) for i in range(120)]}
    first = await consumer._getmany({T0}, 0.5)
    assert [r.offset for r in first[T0]] == list(range(50))  # one batch
    # the rest was taken from aiokafka at once, so it fetches again now
    assert await consumer.position(T0) == 50
    fake(consumer).getmany.return_value = {}
    second = await consumer._getmany({T0}, 0.5)
    assert [r.offset for r in second[T0]] == list(range(50, 100))
    # a partition with records read ahead is not drained again: at most
    # two fetches of it are held (ours, and aiokafka's next one)
    assert fake(consumer).getmany.await_count == 1


async def test_read_ahead_tops_up_partitions_that_ran_out(consumer) -> None:
    consumer._assignment = frozenset({T0, T1})
    fake(consumer).getmany.return_value = {
        aio(T0): [record(i) for i in range(120)],
        aio(T1): [record(i, T1) for i in range(10)],
    }
    await consumer._getmany({T0, T1}, 0.5)  # T1 fully handed over
    fake(consumer).getmany.return_value = {}
    await consumer._getmany({T0, T1}, 0.5)
    args, kwargs = fake(consumer).getmany.await_args
    assert args == (aio(T1),)  # only the partition that ran out
    # without waiting: T0 has records
    assert kwargs == {"timeout_ms": 0, "max_records": READ_AHEAD_RECORDS}


async def test_read_ahead_is_forgotten_on_seek_and_kept_while_paused(
    consumer,
) -> None:
    consumer._assignment = frozenset({T0})
    fake(consumer).getmany.return_value = {aio(T0): [record(i) for i in range(80)]}
    await consumer._getmany({T0}, 0.5)
    fake(consumer).getmany.return_value = {}
    # paused: nothing handed over, nothing lost
    assert await consumer._getmany(set(), 0.0) == {}
    assert await consumer.position(T0) == 50
    await consumer.seek(T0, 10)
    assert consumer._ahead.first_offset(T0) is None  # read from the old position


async def test_getmany_survives_rebalance_errors(consumer) -> None:
    consumer._assignment = frozenset({T0})
    fake(consumer).getmany.side_effect = UnknownMemberIdError()
    assert await consumer._getmany({T0}, 0.1) == {}
    fake(consumer).getmany.side_effect = KafkaConnectionError("retry me")
    assert await consumer._getmany({T0}, 0.1) == {}
    fake(consumer).getmany.side_effect = KafkaError("fatal")
    with pytest.raises(TransportError, match="Fetching from Kafka failed"):
        await consumer._getmany({T0}, 0.1)


def test_to_message(consumer) -> None:
    message = consumer._to_message(T0, record(9))
    assert (message.topic, message.partition, message.offset) == ("t", 0, 9)
    assert message.timestamp == 1.5
    assert message.headers == (("h", b"1"),)
    assert (message.key, message.value) == (b"k", b"v")
    assert message.tp == T0
    assert consumer._to_message(T0, record(1, timestamp=None)).timestamp is None


# -- offsets ---------------------------------------------------------------


async def test_commit_goes_through_the_coordinator(consumer) -> None:
    assert await consumer._commit({T0: 11}) is True
    fake(consumer)._coordinator.commit_offsets.assert_awaited_once_with(
        "ASSIGNMENT", {aio(T0): OffsetAndMetadata(11, "")}
    )


async def test_commit_refused_after_rebalance_returns_false(consumer, caplog) -> None:
    fake(consumer)._coordinator.commit_offsets.side_effect = CommitFailedError()
    assert await consumer._commit({T0: 11}) is False
    assert "Commit refused" in caplog.text
    fake(consumer)._coordinator.commit_offsets.side_effect = KafkaError("x")
    assert await consumer._commit({T0: 11}) is False


async def test_committed_offsets(consumer) -> None:
    fake(consumer)._coordinator.fetch_committed_offsets.return_value = {
        aio(T0): OffsetAndMetadata(4, "")
    }
    assert await consumer._committed_offsets({T0, T1}) == {T0: 4, T1: None}
    assert await consumer._committed_offsets(set()) == {}


async def test_seek_position_and_unassigned_partitions(consumer) -> None:
    fake(consumer).assigned = {aio(T0)}
    await consumer.seek(T0, 5)
    await consumer.seek(T1, 5)  # not assigned: ignored
    await consumer.seek_wait({T0: 6})
    assert fake(consumer).seeks == {aio(T0): 6}
    assert await consumer.position(T0) == 42
    assert await consumer.position(T1) is None


async def test_highwater_from_fetch_responses(consumer, monkeypatch) -> None:
    fake(consumer).assigned = {aio(T0)}
    assert consumer.highwater(T0) == 0  # nothing fetched yet
    fake(consumer).highwaters[aio(T0)] = 12
    assert consumer.highwater(T0) == 12

    async def fetch(client, partitions, *, read_committed, timeout):
        assert client is fake(consumer)._client
        assert timeout == consumer.app.conf.broker_request_timeout  # retries last
        return {tp: 30 for tp in partitions}

    monkeypatch.setattr(
        "faust.transport.drivers.aiokafka.consumer.fetch_highwaters", fetch
    )
    assert await consumer.highwaters(T1) == {T1: 30}
    assert consumer.highwater(T1) == 30  # remembered for unassigned partitions


async def test_earliest_offsets(consumer) -> None:
    assert await consumer.earliest_offsets(T0) == {T0: 3}
    assert await consumer.earliest_offsets() == {}


def test_pause_and_resume_reach_aiokafka(consumer) -> None:
    fake(consumer).assigned = {aio(T0)}
    consumer.pause_partitions([T0, T1])
    assert fake(consumer).paused == {aio(T0)}
    assert consumer._active_partitions() == set()
    consumer.resume_partitions([T0, T1])
    assert fake(consumer).paused == set()


def test_topic_partitions_and_key_partition(consumer) -> None:
    assert consumer.topic_partitions("t") == 3
    assert consumer.topic_partitions("unknown") is None
    assert consumer.key_partition("t", b"x", partition=2) == 2
    assert consumer.key_partition("t", b"x") == partition_for_key(b"x", 3)
    assert consumer.key_partition("unknown", b"x") is None
    assert consumer.key_partition("t", None) is None


async def test_shutdown_stops_aiokafka(consumer) -> None:
    aiokafka_consumer = fake(consumer)
    await consumer.on_shutdown()
    aiokafka_consumer.stop.assert_awaited_once()
    assert consumer._consumer is None
    consumer.close()  # nothing left to close


def test_blocked_loop_message_explains_what_happened(consumer, caplog) -> None:
    consumer.on_loop_lag(3.0)
    assert not caplog.records
    consumer.on_loop_lag(6.0)
    assert "blocked for 6.0 seconds" in caplog.text
    assert caplog.records[-1].levelname == "WARNING"
    consumer.on_loop_lag(12.0)
    assert caplog.records[-1].levelname == "ERROR"
    assert "removed this worker from the consumer group" in caplog.text
    assert "processed twice" in caplog.text


async def test_partition_paused_during_the_fetch_keeps_its_records(consumer) -> None:
    consumer._assignment = frozenset({T0, T1})

    async def getmany(*args, **kwargs):
        # the app pauses T1 while the fetch is in flight (table recovery)
        consumer.pause_partitions([T1])
        return {aio(T0): [record(1)], aio(T1): [record(2, T1)]}

    fake(consumer).getmany.side_effect = getmany
    assert await consumer._getmany({T0, T1}, 0.5) == {T0: [record(1)]}
    fake(consumer).getmany.side_effect = None
    fake(consumer).getmany.return_value = {}
    consumer.resume_partitions([T1])
    # nothing was lost: T1's record is handed over once it is resumed
    assert await consumer._getmany({T0, T1}, 0.5) == {T1: [record(2, T1)]}


async def test_records_fetched_while_a_rebalance_begins_are_read_again(
    consumer,
) -> None:
    # the fetch waits inside aiokafka across a whole rebalance and returns
    # records of the new assignment before processing resumes: they are not
    # delivered, and the position goes back to the first of them
    fake(consumer).assigned = {aio(T0), aio(T1)}
    consumer._assignment = frozenset({T0, T1})

    async def getmany(*args, **kwargs):
        consumer.stop_flow()  # a rebalance began meanwhile
        return {aio(T0): [record(278), record(279)], aio(T1): [record(5, T1)]}

    fake(consumer).getmany.side_effect = getmany
    assert await consumer.fetch_messages(0.5) == []
    assert fake(consumer).seeks == {aio(T0): 278, aio(T1): 5}
    assert not consumer.unacked  # nothing tracked: nothing waits for them
