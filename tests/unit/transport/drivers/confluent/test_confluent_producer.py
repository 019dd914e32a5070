"""The confluent:// producer, its delivery reports and librdkafka config.

Most tests use a fake librdkafka client; the positional produce() test uses
confluent-kafka itself, with no broker.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import threading

import confluent_kafka
import pytest

import faust
from faust.auth import OAuthCredentials, SASLCredentials, SSLCredentials
from faust.exceptions import (
    ImproperlyConfigured,
    MessageSizeTooLarge,
    NotReady,
    ProducerFenced,
    TransportError,
)
from faust.transport.drivers import by_url
from faust.transport.drivers.confluent import Transport, client
from faust.transport.drivers.confluent.config import (
    DEFAULT_LINGER_MS,
    linger_ms,
    producer_config,
    security_config,
)
from faust.transport.drivers.confluent.delivery import Deliveries
from faust.types import TP
from faust.utils.murmur2 import partition_for_key

KafkaError = confluent_kafka.KafkaError


class FakeMessage:
    def __init__(self, topic, partition, offset):
        self._tp = (topic, partition)
        self._offset = offset

    def topic(self):
        return self._tp[0]

    def partition(self):
        return self._tp[1]

    def offset(self):
        return self._offset

    def timestamp(self):
        return (1, 1_700_000_000_000)


class FakeClient:
    """Stands in for confluent_kafka.Producer: deliveries wait for poll()."""

    instances: list[FakeClient] = []

    def __init__(self, config):
        self.config = config
        self.queue = []  # (topic, value, key, kwargs) not yet delivered
        self.produced = []
        self.fail_with = None  # KafkaError code for the next deliveries
        self.refuse = None  # exception produce() raises once
        self.calls = []
        FakeClient.instances.append(self)

    def __len__(self):
        return len(self.queue)

    def list_topics(self, topic=None, timeout=-1):
        self.calls.append(("list_topics", topic))
        meta = type("M", (), {})()
        found = type("T", (), {"error": None, "partitions": {0: 0, 1: 1, 2: 2}})()
        meta.topics = {topic: found} if topic else {}
        return meta

    def produce(
        self,
        topic,
        value=None,
        key=None,
        partition=-1,
        callback=None,
        on_delivery=None,
        timestamp=0,
        headers=None,
    ):
        # confluent-kafka's positional order (see the real-client test below)
        if self.refuse is not None:
            exc, self.refuse = self.refuse, None
            raise exc
        kwargs = {
            "partition": partition,
            "on_delivery": on_delivery or callback,
            "timestamp": timestamp,
            "headers": headers,
        }
        self.queue.append((topic, value, key, kwargs))

    def poll(self, timeout):
        served = 0
        while self.queue:
            topic, value, key, kwargs = self.queue.pop(0)
            self.produced.append((topic, value, key, kwargs))
            partition = max(kwargs["partition"], 0)
            err = KafkaError(self.fail_with) if self.fail_with else None
            kwargs["on_delivery"](
                err, FakeMessage(topic, partition, len(self.produced))
            )
            served += 1
        return served

    def init_transactions(self, timeout):
        self.calls.append(("init_transactions",))

    def begin_transaction(self):
        self.calls.append(("begin_transaction",))

    def send_offsets_to_transaction(self, offsets, metadata, timeout):
        self.calls.append(("send_offsets", offsets, metadata))

    def commit_transaction(self, timeout):
        if self.fail_with == KafkaError._FENCED:
            raise confluent_kafka.KafkaException(KafkaError(KafkaError._FENCED))
        self.poll(0)
        self.calls.append(("commit_transaction",))

    def abort_transaction(self, timeout):
        self.calls.append(("abort_transaction",))


class FakeGroupConsumer:
    def __init__(self, config):
        self.config = config

    def consumer_group_metadata(self):
        return ("group-metadata", self.config["group.id"])

    def close(self):
        pass


@pytest.fixture
def fake_ck(monkeypatch):
    FakeClient.instances = []
    monkeypatch.setattr(confluent_kafka, "Producer", FakeClient)
    monkeypatch.setattr(confluent_kafka, "Consumer", FakeGroupConsumer)
    return FakeClient


@pytest.fixture
async def started(fake_ck, tmp_path):
    app = faust.App(
        "confluent-unit",
        broker="confluent://k1:9092;k2",
        datadir=str(tmp_path),
        web_enabled=False,
    )
    prod = app.producer
    await prod.start()
    yield prod
    await prod.stop()


def test_the_url_scheme_picks_the_transport() -> None:
    assert by_url("confluent://localhost:9092") is Transport


def test_a_missing_client_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "confluent_kafka", None)
    with pytest.raises(ImproperlyConfigured, match=r"faust-ng\[confluent\]"):
        client.ck()


def test_producer_config_matches_the_aiokafka_driver_rules() -> None:
    app = faust.App("c", broker="confluent://h:1", producer_acks=1)
    cfg = producer_config(app, ["h:1", "h2:9092"])
    assert cfg["bootstrap.servers"] == "h:1,h2:9092"
    assert cfg["acks"] == "1"
    assert cfg["partitioner"] == "murmur2_random"  # as Java and aiokafka
    assert cfg["max.in.flight.requests.per.connection"] == 1
    assert cfg["request.timeout.ms"] <= 900_000  # librdkafka's maximum
    assert cfg["security.protocol"] == "plaintext"
    # librdkafka accepts the whole config
    confluent_kafka.Producer(cfg)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_credentials(mechanism) -> None:
    creds = SASLCredentials(username="u", password="p", mechanism=mechanism)
    assert security_config(creds) == {
        "security.protocol": "sasl_plaintext",
        "sasl.mechanism": mechanism,
        "sasl.username": "u",
        "sasl.password": "p",
    }


def test_sasl_over_tls_keeps_the_verification_rules() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    creds = SASLCredentials(username="u", password="p", ssl_context=context)
    cfg = security_config(creds)
    assert cfg["security.protocol"] == "sasl_ssl"
    assert cfg["ssl.endpoint.identification.algorithm"] == "none"
    assert cfg["enable.ssl.certificate.verification"] is True


def test_ssl_context_setting() -> None:
    cfg = security_config(None, SSLCredentials().context)
    assert cfg["security.protocol"] == "ssl"
    assert cfg["ssl.endpoint.identification.algorithm"] == "https"


def test_oauth_is_refused_saying_what_to_use() -> None:
    creds = OAuthCredentials(oauth_cb=lambda: None)
    with pytest.raises(ImproperlyConfigured, match="kafka:// transport"):
        security_config(creds)


async def test_send_resolves_when_librdkafka_delivers(started) -> None:
    fut = await started.send("t", b"k", b"v", None, 1.5, {"h": b"1"})
    assert not fut.done()  # nothing awaited per message: poll() delivers
    metadata = await asyncio.wait_for(fut, 5)
    assert metadata.topic_partition == TP("t", 0)
    assert metadata.offset == 1
    ((topic, value, key, kwargs),) = FakeClient.instances[0].produced
    assert (topic, value, key) == ("t", b"v", b"k")
    assert kwargs["timestamp"] == 1500
    assert kwargs["headers"] == [("h", b"1")]


async def test_delivery_errors_reach_the_future(started) -> None:
    FakeClient.instances[0].fail_with = KafkaError._MSG_TIMED_OUT
    fut = await started.send("t", None, b"v", None, None, None)
    with pytest.raises(TransportError, match="_MSG_TIMED_OUT") as info:
        await asyncio.wait_for(fut, 5)
    assert info.value.retriable is False


async def test_too_large_message_is_refused_at_once(started) -> None:
    err = KafkaError(KafkaError.MSG_SIZE_TOO_LARGE)
    FakeClient.instances[0].refuse = confluent_kafka.KafkaException(err)
    with pytest.raises(MessageSizeTooLarge, match="producer_max_request_size"):
        await started.send("t", None, b"x" * 10, None, None, None)


async def test_a_full_queue_waits_instead_of_failing(started) -> None:
    FakeClient.instances[0].refuse = BufferError("Local: Queue full")
    fut = await started.send("t", None, b"v", None, None, None)
    assert (await asyncio.wait_for(fut, 5)).offset == 1


async def test_send_nowait_calls_back_after_delivery(started) -> None:
    done = asyncio.Event()
    seen = []

    def on_done(fut, state, metadata, exc):
        seen.append((fut, state, metadata.offset, exc))
        done.set()

    assert started.can_send_nowait("t")
    started.send_nowait("t", None, b"v", 2, None, None, on_done, "F", "S")
    await asyncio.wait_for(done.wait(), 5)
    assert seen == [("F", "S", 1, None)]
    assert FakeClient.instances[0].produced[0][3]["partition"] == 2


async def test_callbacks_from_another_thread_run_in_the_loop(started) -> None:
    loop_thread = threading.get_ident()
    ran_in = []
    done = asyncio.Event()

    def on_done(fut, state, metadata, exc):
        ran_in.append(threading.get_ident())
        done.set()

    delivered = started.callback(on_done, None, None)
    thread = threading.Thread(target=delivered, args=(None, FakeMessage("t", 0, 1)))
    thread.start()
    thread.join()
    await asyncio.wait_for(done.wait(), 5)
    assert ran_in == [loop_thread]


async def test_flush_waits_for_every_delivery(started) -> None:
    futs = [await started.send("t", None, b"v", None, None, None) for _ in range(3)]
    await started.flush()
    assert all(f.done() for f in futs)


def test_key_partition_is_kafkas_murmur2(fake_ck) -> None:
    app = faust.App("c", broker="confluent://h:1", topic_partitions=8)
    assert app.producer.key_partition("t", b"key") == TP(
        "t", partition_for_key(b"key", 8)
    )


async def test_exactly_once_commits_offsets_in_the_transaction(started) -> None:
    fut = await started.send("out", None, b"v", None, None, None, transactional_id="a")
    await started.commit_transactions({"a": {TP("in", 0): 5}}, "group")
    await asyncio.wait_for(fut, 5)
    txn = FakeClient.instances[1]
    assert txn.config["transactional.id"] == "a"
    assert txn.config["enable.idempotence"] is True
    names = [c[0] for c in txn.calls]
    assert names == [
        "init_transactions",
        "begin_transaction",
        "send_offsets",
        "commit_transaction",
        "begin_transaction",  # the next transaction
    ]
    (offsets,) = [c[1] for c in txn.calls if c[0] == "send_offsets"]
    assert [(o.topic, o.partition, o.offset) for o in offsets] == [("in", 0, 5)]
    assert txn.calls[2][2] == ("group-metadata", "group")
    await started.stop_transaction("a")
    assert txn.calls[-1] == ("abort_transaction",)


async def test_a_fenced_producer_says_so(started) -> None:
    await started.begin_transaction("b")
    FakeClient.instances[1].fail_with = KafkaError._FENCED
    with pytest.raises(ProducerFenced, match="newer producer"):
        await started.commit_transaction("b")


# -- delivery reports (.delivery) and the produce() call ---------------------


def test_produce_takes_positional_arguments() -> None:
    # the driver calls produce() positionally; this pins confluent-kafka's
    # order (topic, value, key, partition, callback, on_delivery, timestamp,
    # headers) by the type each position checks
    client = confluent_kafka.Producer({"bootstrap.servers": "127.0.0.1:1"})
    try:
        with pytest.raises(TypeError, match="integer"):
            client.produce("t", b"v", b"k", 0, None, None, "not a timestamp", None)
        with pytest.raises(TypeError, match="headers"):
            client.produce("t", b"v", b"k", 0, None, None, 5, 7)
        got = []
        client.produce(
            "t", b"v", b"k", 2, lambda err, msg: got.append(msg), None, 5, [("h", b"1")]
        )
        client.purge()
        client.poll(0)
        ((msg,),) = [got]
        assert (msg.topic(), msg.partition(), msg.key(), msg.value()) == (
            "t",
            2,
            b"k",
            b"v",
        )
    finally:
        client.purge()


def test_a_zero_linger_becomes_librdkafkas_default() -> None:
    assert linger_ms(0.0) == DEFAULT_LINGER_MS == 5
    assert linger_ms(0.02) == 20
    assert linger_ms(0.0004) == DEFAULT_LINGER_MS  # under a millisecond
    app = faust.App("c", broker="confluent://h:1")
    assert producer_config(app, ["h:1"])["linger.ms"] == DEFAULT_LINGER_MS
    app = faust.App("c", broker="confluent://h:1", producer_linger=0.05)
    assert producer_config(app, ["h:1"])["linger.ms"] == 50


async def test_metadata_shares_one_tp_per_partition() -> None:
    deliveries = Deliveries(asyncio.get_running_loop(), threading.get_ident())
    first = deliveries.metadata(FakeMessage("t", 3, 10))
    second = deliveries.metadata(FakeMessage("t", 3, 11))
    assert first.topic_partition == TP("t", 3)
    assert first.topic_partition is second.topic_partition
    assert (second.offset, second.timestamp, second.timestamp_type) == (
        11,
        1_700_000_000.0,
        1,
    )


async def test_reports_from_a_thread_wake_the_loop_once_per_burst() -> None:
    loop = asyncio.get_running_loop()
    deliveries = Deliveries(loop, threading.get_ident())
    wakeups = []
    real = loop.call_soon_threadsafe

    def counting(callback, *args):
        wakeups.append(callback)
        return real(callback, *args)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    seen = []
    ran_in = set()

    def on_done(fut, state, metadata, exc):
        ran_in.add(threading.get_ident())
        seen.append((fut, metadata.offset if metadata else exc))

    callbacks = [deliveries.callback(on_done, i, None) for i in range(100)]

    def serve():  # as commit_transaction() serves reports in the executor
        for i, cb in enumerate(callbacks):
            err = KafkaError(KafkaError._MSG_TIMED_OUT) if i == 7 else None
            cb(err, FakeMessage("t", 0, i))

    try:
        thread = threading.Thread(target=serve)
        thread.start()
        thread.join()
        assert deliveries.queued == 100
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    finally:
        del loop.call_soon_threadsafe
    assert len(wakeups) == 1
    assert [fut for fut, _ in seen] == list(range(100))  # in report order
    assert isinstance(seen[7][1], TransportError)
    assert ran_in == {threading.get_ident()}
    assert deliveries.queued == 0


async def test_a_failing_callback_does_not_drop_the_others() -> None:
    deliveries = Deliveries(asyncio.get_running_loop(), threading.get_ident())
    seen = []

    def on_done(fut, state, metadata, exc):
        if fut == 0:
            raise RuntimeError("boom")
        seen.append(fut)

    thread = threading.Thread(
        target=lambda: [
            deliveries.callback(on_done, i, None)(None, FakeMessage("t", 0, i))
            for i in range(3)
        ]
    )
    thread.start()
    thread.join()
    deliveries.drain()
    assert seen == [1, 2]


async def test_send_nowait_on_a_full_queue_is_not_ready(started) -> None:
    FakeClient.instances[0].refuse = BufferError("Local: Queue full")

    def on_done(fut, state, metadata, exc):  # pragma: no cover (not sent)
        raise AssertionError

    with pytest.raises(NotReady, match="queue is full"):
        started.send_nowait("t", None, b"v", None, None, None, on_done, None, None)
    # the next one goes through, without a partition: librdkafka's partitioner
    started.send_nowait("t", b"k", b"v", None, None, None, lambda *a: None, 1, 2)
    ((topic, value, key, kwargs),) = FakeClient.instances[0].queue
    assert kwargs["partition"] == -1
    assert (kwargs["timestamp"], kwargs["headers"]) == (0, None)
