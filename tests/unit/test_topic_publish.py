"""Topic.publish_message: a send completes its FutureMessage, sensors and callback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import faust
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
