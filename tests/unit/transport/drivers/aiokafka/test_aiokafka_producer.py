"""The aiokafka producer driver (aiokafka replaced by mocks)."""

from __future__ import annotations

import asyncio
from unittest.mock import AsyncMock, Mock

import pytest
from aiokafka.errors import KafkaTimeoutError
from fake_aio import FakeAIOProducer

import faust
from faust.exceptions import MessageSizeTooLarge, NotReady, TransportError
from faust.transport.drivers.aiokafka import Producer, Transport
from faust.transport.drivers.aiokafka.producer import headers_list
from faust.types import TP
from faust.utils.murmur2 import partition_for_key


def custom_partitioner(key, all_partitions, available):
    return all_partitions[-1]


@pytest.fixture
def kafka_app():
    return faust.App(
        "test-producer",
        broker="kafka://broker1:9093;broker2",
        web_enabled=False,
        producer_acks=1,
        producer_linger=0.25,
        producer_max_batch_size=1000,
        producer_max_request_size=2000,
        producer_compression_type="gzip",
        producer_request_timeout=30,
        broker_credentials=faust.SASLCredentials(username="u", password="p"),
    )


@pytest.fixture
def producer(kafka_app):
    transport = Transport(kafka_app.conf.broker, kafka_app)
    return Producer(transport)


def started(producer: Producer, fut_result=None) -> Mock:
    fake = Mock(name="AIOKafkaProducer")
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(fut_result)
    fake.send = AsyncMock(return_value=fut)
    fake.flush = AsyncMock()
    fake.stop = AsyncMock()
    producer._producer = fake
    return fake


def test_settings_follow_the_app_configuration(producer) -> None:
    s = producer.producer_settings()
    assert s["bootstrap_servers"] == ["broker1:9093", "broker2:9092"]
    assert s["acks"] == 1
    assert s["linger_ms"] == 250
    assert s["max_batch_size"] == 1000
    assert s["max_request_size"] == 2000
    assert s["compression_type"] == "gzip"
    assert s["request_timeout_ms"] == 30000
    assert s["security_protocol"] == "SASL_PLAINTEXT"
    assert s["sasl_plain_username"] == "u"
    assert "partitioner" not in s  # aiokafka's default (murmur2)


def test_custom_partitioner_is_passed(kafka_app) -> None:
    kafka_app.conf.producer_partitioner = custom_partitioner
    producer = Producer(Transport(kafka_app.conf.broker, kafka_app))
    assert producer.producer_settings()["partitioner"] is custom_partitioner


def test_headers_list() -> None:
    assert headers_list(None) is None
    assert headers_list({}) is None
    assert headers_list({"a": b"1", "b": "2", "c": None}) == [
        ("a", b"1"),
        ("b", b"2"),
        ("c", b""),
    ]
    assert headers_list([("a", b"1")]) == [("a", b"1")]


def with_fake(producer: Producer, **partitions: int) -> FakeAIOProducer:
    fake = FakeAIOProducer(partitions or {"t": 4})
    fake.stop = AsyncMock()
    fake.flush = AsyncMock()
    producer._producer = fake  # type: ignore[assignment]
    producer.batcher.attach(fake)  # type: ignore[arg-type]
    return fake


async def test_send_converts_timestamp_and_headers(producer) -> None:
    fake = with_fake(producer)
    fut = await producer.send("t", b"k", b"v", 2, 1.5, {"h": b"x"})
    await producer.batcher.hand_over()
    (sent,) = fake.sent
    assert sent.partition == 2
    (record,) = sent.records()
    assert (record.key, record.value) == (b"k", b"v")
    assert record.timestamp == 1500
    assert record.headers == [("h", b"x")]
    sent.ack(41)
    metadata = await fut
    assert (metadata.topic, metadata.partition, metadata.offset) == ("t", 2, 41)


async def test_every_topic_sent_to_is_tracked_once_by_the_client(producer) -> None:
    # aiokafka refreshes metadata only for tracked topics; an untracked topic
    # would lose its leader and its pending batches would never be sent
    fake = with_fake(producer, a=1, b=1)
    for topic in ("a", "b", "a", "a"):
        await producer.send(topic, None, b"v", 0, None, None)
    assert [c.args for c in fake.client.add_topic.call_args_list] == [("a",), ("b",)]


async def test_send_waits_for_the_metadata_of_a_new_topic(producer) -> None:
    fake = with_fake(producer)
    fake.metadata_arrives["new"] = 3
    fut = await producer.send("new", b"k", b"v", None, None, None)
    await producer.batcher.hand_over()
    assert fake.sent[0].partition == partition_for_key(b"k", 3)
    fake.sent[0].ack(0)
    assert (await fut).offset == 0


async def waiting_send(producer: Producer, fake: FakeAIOProducer) -> asyncio.Future:
    """``send_and_wait`` started, and its batch handed to aiokafka."""
    waiting = asyncio.ensure_future(
        producer.send_and_wait("t", None, b"v", 0, None, None)
    )
    while not fake.sent:
        await producer.batcher.hand_over()
        await asyncio.sleep(0)
    return waiting


async def test_send_and_wait_returns_metadata(producer) -> None:
    fake = with_fake(producer)
    waiting = await waiting_send(producer, fake)
    fake.sent[0].ack(5)
    assert (await waiting).offset == 5


async def test_too_large_message_is_refused_loudly(producer) -> None:
    fake = with_fake(producer)
    with pytest.raises(MessageSizeTooLarge) as info:
        await producer.send("t", b"k", b"x" * 3000, None, None, None)
    message = str(info.value)
    assert "producer_max_request_size (2000)" in message
    assert "nothing was sent" in message
    await producer.batcher.hand_over()
    assert fake.sent == []


async def test_delivery_failure_is_a_transport_error(producer) -> None:
    fake = with_fake(producer)
    waiting = await waiting_send(producer, fake)
    fake.sent[0].future.set_exception(KafkaTimeoutError("no ack"))
    with pytest.raises(TransportError, match="Sending to 't' failed"):
        await waiting
    # refused by aiokafka's accumulator: the send's future fails
    fake.send_error = KafkaTimeoutError("full")
    fut = await producer.send("t", None, b"v", 0, None, None)
    await producer.batcher.hand_over()
    with pytest.raises(KafkaTimeoutError):
        await fut


async def test_send_nowait_completes_through_the_callback(producer) -> None:
    fake = with_fake(producer)
    calls = []
    assert producer.can_send_nowait("t")
    producer.send_nowait(
        "t", b"k", b"v", 1, 2.0, None, lambda *a: calls.append(a), "fut", "state"
    )
    await producer.batcher.hand_over()
    fake.sent[0].ack(9)
    await asyncio.sleep(0)
    ((fut, state, metadata, exc),) = calls
    assert (fut, state, metadata.offset, exc) == ("fut", "state", 9, None)
    assert fake.sent[0].records()[0].timestamp == 2000


async def test_send_nowait_is_refused_before_start(producer) -> None:
    assert not producer.can_send_nowait("t")
    with pytest.raises(NotReady):
        producer.send_nowait("t", None, b"v", 0, None, None, print, None, None)


async def test_send_before_start_is_not_ready(producer) -> None:
    with pytest.raises(NotReady):
        await producer.send("t", None, b"v", None, None, None)


async def test_flush_publishes_buffer_then_batches_then_waits(producer) -> None:
    fake = started(producer)
    order = []
    producer.buffer.flush = AsyncMock(side_effect=lambda: order.append("buffer"))
    producer.batcher.flush = AsyncMock(side_effect=lambda: order.append("batches"))
    fake.flush.side_effect = lambda: order.append("aiokafka")
    await producer.flush()
    assert order == ["buffer", "batches", "aiokafka"]


async def test_stop_flushes_and_closes(producer) -> None:
    fake = started(producer)
    await producer.on_stop()
    fake.flush.assert_awaited_once()
    fake.stop.assert_awaited_once()
    assert producer._producer is None


async def test_stop_closes_even_when_flush_fails(producer, caplog) -> None:
    fake = started(producer)
    fake.flush.side_effect = KafkaTimeoutError("broker gone")
    await producer.on_stop()
    fake.stop.assert_awaited_once()
    assert "Flushing the producer at stop failed" in caplog.text


def test_key_partition_uses_metadata_and_murmur2(producer) -> None:
    fake = Mock()
    fake.client.cluster.partitions_for_topic.return_value = {0, 1, 2, 3, 4, 5}
    fake.client.cluster.available_partitions_for_topic.return_value = {0, 1}
    producer._producer = fake
    assert producer.key_partition("t", b"key") == TP("t", partition_for_key(b"key", 6))
    producer.partitioner = custom_partitioner
    assert producer.key_partition("t", b"key") == TP("t", 5)


def test_key_partition_of_unknown_topic_uses_topic_partitions(producer) -> None:
    n = producer.app.conf.topic_partitions
    assert producer.key_partition("t", b"key") == TP("t", partition_for_key(b"key", n))


async def test_create_topic_delegates_to_the_topic_creator(producer) -> None:
    producer._topics.create_topic = AsyncMock()
    await producer.create_topic("t", 4, 1, compacting=True)
    producer._topics.create_topic.assert_awaited_once()
    assert producer._topics.create_topic.await_args.kwargs["compacting"] is True


# -- transactions ----------------------------------------------------------


class FakeTxnProducer:
    instances: list[FakeTxnProducer] = []

    def __init__(self, **settings):
        self.settings = settings
        self.calls: list[tuple] = []
        self.fenced = False
        self.client = Mock(name="client")
        FakeTxnProducer.instances.append(self)

    async def start(self):
        self.calls.append(("start",))

    async def stop(self):
        self.calls.append(("stop",))

    async def begin_transaction(self):
        self._check()
        self.calls.append(("begin",))

    async def commit_transaction(self):
        self._check()
        self.calls.append(("commit",))

    async def abort_transaction(self):
        self._check()
        self.calls.append(("abort",))

    async def send_offsets_to_transaction(self, offsets, group_id):
        self._check()
        self.calls.append(("offsets", offsets, group_id))

    async def send(self, topic, value, **kwargs):
        self.calls.append(("send", topic))
        fut = asyncio.get_running_loop().create_future()
        fut.set_result("md")
        return fut

    def _check(self):
        if self.fenced:
            from aiokafka.errors import ProducerFenced as AIOFenced

            raise AIOFenced()


@pytest.fixture
async def txn_producer(producer, monkeypatch):
    FakeTxnProducer.instances = []
    monkeypatch.setattr(
        "faust.transport.drivers.aiokafka.producer.AIOKafkaProducer", FakeTxnProducer
    )
    started(producer)
    return producer


async def test_one_transactional_producer_per_id(txn_producer) -> None:
    await txn_producer.maybe_begin_transaction("app-0-1")
    await txn_producer.maybe_begin_transaction("app-0-1")  # already open
    (p,) = FakeTxnProducer.instances
    assert p.settings["transactional_id"] == "app-0-1"
    assert p.settings["enable_idempotence"] is True and p.settings["acks"] == -1
    assert p.calls == [("start",), ("begin",)]
    await txn_producer.send(
        "out", b"k", b"v", None, None, None, transactional_id="app-0-1"
    )
    assert p.calls[-1] == ("send", "out")
    p.client.add_topic.assert_called_once_with("out")


async def test_commit_transactions_sends_offsets_then_commits(txn_producer) -> None:
    await txn_producer.commit_transactions({"app-0-1": {TP("src", 1): 8}}, "app")
    (p,) = FakeTxnProducer.instances
    from aiokafka import TopicPartition

    assert p.calls == [
        ("start",),
        ("begin",),
        ("offsets", {TopicPartition("src", 1): 8}, "app"),
        ("commit",),
        ("begin",),  # the next transaction
    ]


async def test_stop_transaction_aborts_and_closes(txn_producer) -> None:
    await txn_producer.begin_transaction("t")
    await txn_producer.stop_transaction("t")
    (p,) = FakeTxnProducer.instances
    assert p.calls[-2:] == [("abort",), ("stop",)]
    await txn_producer.stop_transaction("t")  # nothing left: no error
    await txn_producer.commit_transaction("t")
    await txn_producer.abort_transaction("t")


async def test_fenced_transactional_producer_raises_faust_error(txn_producer) -> None:
    from faust.exceptions import ProducerFenced

    await txn_producer.begin_transaction("t")
    FakeTxnProducer.instances[0].fenced = True
    with pytest.raises(ProducerFenced, match="taken over"):
        await txn_producer.commit_transactions({"t": {TP("src", 0): 1}}, "app")
    await txn_producer.stop_transaction("t")  # abort fails, closes anyway
    assert FakeTxnProducer.instances[0].calls[-1] == ("stop",)
