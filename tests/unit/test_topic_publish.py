"""Topic.publish_message: a send completes its FutureMessage, sensors and callback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import faust
from faust.exceptions import MessageSizeTooLarge
from faust.sensors import Sensor


class FakeProducer:
    """Started; ``send`` returns a pending future the test resolves."""

    started = True

    def __init__(self) -> None:
        self.pending: list[asyncio.Future[Any]] = []

    async def send(self, topic, key, value, partition, timestamp, headers):
        fut = asyncio.get_running_loop().create_future()
        self.pending.append(fut)
        return fut

    def can_send_nowait(self, topic):
        return False

    async def wait_send_nowait(self, topic):
        return False


class Buffer:
    def __init__(self) -> None:
        self.idle = True
        self.put: list[Any] = []


class NowaitProducer:
    """Takes messages with ``send_nowait`` once ``ready``; the test completes them."""

    started = True

    def __init__(self) -> None:
        self.ready = True
        self.taken: list[tuple[Any, ...]] = []
        self.buffer = Buffer()
        self.became_ready = asyncio.Event()

    def can_send_nowait(self, topic):
        return self.ready

    async def wait_send_nowait(self, topic):
        await self.became_ready.wait()
        self.ready = True
        return True

    def send_nowait(
        self, topic, key, value, partition, timestamp, headers, on_done, fut, state
    ):
        assert self.ready
        self.taken.append((topic, value, on_done, fut, state))

    def send_soon(self, fut):
        self.buffer.put.append(fut)

    def complete(self, offset_start=0, exc=None):
        for i, (_, _, on_done, fut, state) in enumerate(self.taken):
            on_done(fut, state, None if exc else ("md", offset_start + i), exc)


class Recorder(Sensor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []

    def on_send_initiated(self, producer, topic, message, keysize, valsize):
        self.calls.append(("initiated", topic))
        return "state"

    def on_send_completed(self, producer, state, metadata):
        self.calls.append(("completed", state))

    def on_send_error(self, producer, exc, state):
        self.calls.append(("error", state))


@pytest.fixture
def app() -> faust.App:
    app = faust.App("publish-test", broker="memory://", web_enabled=False)
    app.__dict__["producer"] = FakeProducer()
    return app


async def test_delivered_message_resolves_future_sensor_and_callback(app) -> None:
    recorder = Recorder()
    app.sensors.add(recorder)
    called: list[Any] = []
    topic = app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"v", callback=called.append)
    assert not fut.done()
    app.producer.pending[0].set_result("metadata")
    await asyncio.sleep(0)  # done callbacks run on the next loop iteration
    assert fut.done()
    assert fut.result() == "metadata"
    assert called == [fut]
    assert recorder.calls == [("initiated", "out"), ("completed", "state")]


async def test_failed_delivery_sets_the_exception_and_tells_sensors(app) -> None:
    recorder = Recorder()
    app.sensors.add(recorder)
    called: list[Any] = []
    topic = app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"v", callback=called.append)
    app.producer.pending[0].set_exception(RuntimeError("broker said no"))
    await asyncio.sleep(0)
    assert fut.done()
    with pytest.raises(RuntimeError, match="broker said no"):
        fut.result()
    assert called == []  # the callback is for delivered messages
    assert recorder.calls == [("initiated", "out"), ("error", "state")]


async def test_cancelled_send_cancels_the_future_message(app) -> None:
    topic = app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"v")
    app.producer.pending[0].cancel()
    await asyncio.sleep(0)
    assert fut.cancelled()


@pytest.fixture
def nowait_app() -> faust.App:
    app = faust.App("publish-nowait", broker="memory://", web_enabled=False)
    app.__dict__["producer"] = NowaitProducer()
    return app


async def test_nowait_send_is_completed_by_the_producer_callback(nowait_app) -> None:
    recorder = Recorder()
    nowait_app.sensors.add(recorder)
    called: list[Any] = []
    topic = nowait_app.topic("out", value_serializer="raw")
    first = await topic.send(value=b"a", callback=called.append)
    second = await topic.send(value=b"b", callback=called.append)
    producer = nowait_app.producer
    assert [t[1] for t in producer.taken] == [b"a", b"b"]
    assert not first.done()
    producer.complete(offset_start=10)
    assert (first.result(), second.result()) == (("md", 10), ("md", 11))
    assert called == [first, second]
    assert recorder.calls == [
        ("initiated", "out"),
        ("initiated", "out"),
        ("completed", "state"),
        ("completed", "state"),
    ]


async def test_nowait_failure_sets_the_exception_and_tells_sensors(nowait_app) -> None:
    recorder = Recorder()
    nowait_app.sensors.add(recorder)
    topic = nowait_app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"a")
    nowait_app.producer.complete(exc=RuntimeError("broker said no"))
    with pytest.raises(RuntimeError, match="broker said no"):
        fut.result()
    assert recorder.calls == [("initiated", "out"), ("error", "state")]


async def test_a_send_waits_until_the_producer_takes_it(nowait_app) -> None:
    recorder = Recorder()
    nowait_app.sensors.add(recorder)
    producer = nowait_app.producer
    producer.ready = False  # e.g. the topic's metadata is not known yet
    topic = nowait_app.topic("out", value_serializer="raw")
    sending = asyncio.ensure_future(topic.send(value=b"a"))
    await asyncio.sleep(0)
    assert not sending.done() and producer.taken == []
    producer.became_ready.set()
    fut = await sending
    assert [t[1] for t in producer.taken] == [b"a"]
    producer.complete()
    assert fut.result() == ("md", 0)
    assert recorder.calls == [("initiated", "out"), ("completed", "state")]  # once


async def test_send_soon_bypasses_only_an_idle_buffer(nowait_app) -> None:
    producer = nowait_app.producer
    topic = nowait_app.topic("out", value_serializer="raw")
    topic.send_soon(value=b"direct")
    assert [t[1] for t in producer.taken] == [b"direct"]
    producer.buffer.idle = False  # older messages wait there: keep the order
    queued = topic.send_soon(value=b"queued")
    assert producer.buffer.put == [queued]
    producer.buffer.idle = True
    producer.ready = False  # no metadata yet: the buffer's task waits for it
    later = topic.send_soon(value=b"later")
    assert producer.buffer.put == [queued, later]
    assert len(producer.taken) == 1


async def test_send_soon_reports_a_refused_message_on_its_future(
    nowait_app, caplog
) -> None:
    producer = nowait_app.producer

    def refuse(*args):
        raise MessageSizeTooLarge("too big")

    producer.send_nowait = refuse
    topic = nowait_app.topic("out", value_serializer="raw")
    fut = topic.send_soon(value=b"x")
    assert isinstance(fut.exception(), MessageSizeTooLarge)
    assert "Failed to publish buffered message" in caplog.text


async def test_a_send_waits_again_when_others_took_the_room_first(nowait_app) -> None:
    recorder = Recorder()
    nowait_app.sensors.add(recorder)
    producer = nowait_app.producer
    producer.ready = False
    waits = []

    async def wait_send_nowait(topic):
        waits.append(topic)
        producer.ready = len(waits) > 1  # the first room went to another sender
        return True

    producer.wait_send_nowait = wait_send_nowait
    topic = nowait_app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"a")
    assert waits == ["out", "out"]
    assert [t[1] for t in producer.taken] == [b"a"]
    producer.complete()
    assert fut.result() == ("md", 0)
    assert recorder.calls == [("initiated", "out"), ("completed", "state")]
