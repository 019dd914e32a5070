"""The produce path's shortcuts (faust._sending, Topic.send_or_wait, the buffer).

Each shortcut must behave as the general path it replaces: the same bytes,
the same sensor calls, the same order, the same errors.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import pytest

import faust
from faust._sending import channel_encoders, send_hooks
from faust.channels import SerializedChannel
from faust.sensors import Sensor
from faust.serializers import Schema
from faust.transport.producer import ProducerBuffer


class Buffer:
    def __init__(self) -> None:
        self.idle = True
        self.put: list[Any] = []


class NowaitProducer:
    """Takes messages with ``send_nowait`` while ``ready``; the test completes them."""

    started = True

    def __init__(self) -> None:
        self.ready = True
        self.taken: list[tuple[Any, ...]] = []
        self.buffer = Buffer()
        self.became_ready = asyncio.Event()

    def can_send_nowait(self, topic: str) -> bool:
        return self.ready

    async def wait_send_nowait(self, topic: str) -> bool:
        await self.became_ready.wait()
        self.ready = True
        return True

    def send_nowait(
        self, topic, key, value, partition, timestamp, headers, on_done, fut, state
    ):
        assert self.ready
        self.taken.append((topic, key, value, headers, on_done, fut, state))

    def send_soon(self, fut: Any) -> None:
        self.buffer.put.append(fut)

    def complete(self, exc: Optional[BaseException] = None) -> None:
        taken, self.taken = self.taken, []
        for i, (_, _, _, _, on_done, fut, state) in enumerate(taken):
            on_done(fut, state, None if exc else ("md", i), exc)


class Recorder(Sensor):
    def __init__(self, name: str, calls: list[Any]) -> None:
        super().__init__()
        self.name = name
        self.calls = calls

    def on_send_initiated(self, producer, topic, message, keysize, valsize):
        self.calls.append((self.name, "initiated", topic, keysize, valsize))
        return f"{self.name}-state"

    def on_send_completed(self, producer, state, metadata):
        self.calls.append((self.name, "completed", state))

    def on_send_error(self, producer, exc, state):
        self.calls.append((self.name, "error", state))


@pytest.fixture
def app() -> faust.App:
    app = faust.App("send-path", broker="memory://", web_enabled=False)
    app.__dict__["producer"] = NowaitProducer()
    return app


# -- Topic.send_or_wait ------------------------------------------------------


async def test_send_or_wait_sends_at_once_when_the_producer_takes_it(app) -> None:
    topic = app.topic("out", key_serializer="raw", value_serializer="raw")
    assert topic.send_or_wait("k", b"v", [("h", b"1")]) is None
    [(name, key, value, headers, *_)] = app.producer.taken
    assert (name, key, value, headers) == ("out", b"k", b"v", [("h", b"1")])


async def test_send_or_wait_returns_what_to_await_when_it_cannot(app) -> None:
    producer = app.producer
    producer.ready = False
    topic = app.topic("out", value_serializer="raw")
    pending = topic.send_or_wait(None, b"v", None)
    assert pending is not None and producer.taken == []
    producer.became_ready.set()
    fut = await pending
    assert [t[2] for t in producer.taken] == [b"v"]
    producer.complete()
    assert fut.result() == ("md", 0)


async def test_send_or_wait_without_a_producer_is_send(app) -> None:
    del app.__dict__["producer"]
    topic = app.topic("out", value_serializer="raw")
    pending = topic.send_or_wait(None, b"v", None)
    assert asyncio.iscoroutine(pending)
    pending.close()  # (would start a producer)


async def test_send_or_wait_attaches_with_publish_on_commit(app) -> None:
    app.conf.stream_publish_on_commit = True
    attached: list[Any] = []
    app.attachments.maybe_put = lambda channel, fut: attached.append(fut) or True
    topic = app.topic("out", value_serializer="raw")
    assert topic.send_or_wait(None, b"v", None) is None
    assert len(attached) == 1 and app.producer.taken == []


# -- send hooks --------------------------------------------------------------


async def test_a_send_completes_with_the_hooks_it_was_initiated_with(app) -> None:
    calls: list[Any] = []
    app.sensors.add(Recorder("a", calls))
    topic = app.topic("out", value_serializer="raw")
    first = await topic.send(value=b"12345")
    app.sensors.add(Recorder("b", calls))  # a second sensor meanwhile
    app.producer.complete()
    assert first.result() == ("md", 0)
    # the only sensor's own state, not wrapped; b never sees a's state
    assert calls == [("a", "initiated", "out", 0, 5), ("a", "completed", "a-state")]
    calls.clear()
    second = await topic.send(value=b"x")
    app.producer.complete(exc=RuntimeError("no"))
    with pytest.raises(RuntimeError):
        second.result()
    assert calls == [
        ("a", "initiated", "out", 0, 1),
        ("b", "initiated", "out", 0, 1),
        ("a", "error", "a-state"),
        ("b", "error", "b-state"),
    ]


async def test_sends_without_sensors(app) -> None:
    for sensor in list(app.sensors):
        app.sensors.remove(sensor)
    hooks = send_hooks(app)
    assert hooks.initiated(None, "t", None, 0, 0) is None
    topic = app.topic("out", value_serializer="raw")
    called: list[Any] = []
    fut = await topic.send(value=b"v", callback=called.append)
    app.producer.complete()
    assert fut.result() == ("md", 0) and called == [fut]


async def test_a_cancelled_batch_cancels_the_future(app) -> None:
    topic = app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"v")
    app.producer.complete(exc=asyncio.CancelledError())
    assert fut.cancelled()


async def test_a_failed_output_is_reported_for_its_source(app) -> None:
    # on_failure is set by the channel for output of a tracked event
    failures: list[Any] = []
    topic = app.topic("out", value_serializer="raw")
    fut = await topic.send(value=b"v")
    fut.on_failure = lambda f, exc: failures.append((f, exc))
    exc = RuntimeError("no")
    app.producer.complete(exc=exc)
    assert failures == [(fut, exc)]


# -- encoders ----------------------------------------------------------------


class Point(faust.Record, serializer="json"):
    x: int


@pytest.mark.parametrize(
    ("options", "key", "value"),
    [
        ({}, "k", b"v"),
        ({"key_type": str, "value_type": Point}, "k", Point(x=1)),
        ({"key_serializer": "json", "value_serializer": "json"}, 1, {"a": 1}),
        ({"value_serializer": "raw"}, None, "text"),
        ({"key_serializer": "json|binary"}, "k", b"v"),
        ({"key_serializer": "binary", "value_serializer": "json|binary"}, b"k", b"v"),
    ],
)
async def test_encoders_give_the_bytes_of_the_general_path(
    app, options: dict[str, Any], key: Any, value: Any
) -> None:
    topic = app.topic("out", **options)
    fut = topic.as_future_message(key, value)
    assert "_encoders" in topic.__dict__
    general_key, _ = topic.prepare_key(key, None)
    general_value, _ = topic.prepare_value(value, None)
    assert (fut.message.key, fut.message.value) == (general_key, general_value)


async def test_encoders_follow_a_changed_serializer(app) -> None:
    topic = app.topic("out", key_serializer="raw")
    assert topic.as_future_message("k", b"v").message.key == b"k"
    topic.key_serializer = "json"
    assert topic.as_future_message("k", b"v").message.key == b'"k"'


async def test_no_encoders_when_the_encoding_is_customised(app) -> None:
    class Tagged(SerializedChannel):
        def prepare_key(self, key, key_serializer, schema=None, headers=None):
            return b"tag-" + key.encode(), headers

    class HeaderSchema(Schema):
        def on_dumps_value_prepare_headers(self, value, headers):
            return [*(headers or []), ("type", b"x")]

    assert channel_encoders(Tagged(app)) is None
    topic = app.topic("out", schema=HeaderSchema(value_serializer="raw"))
    assert channel_encoders(topic) is None
    fut = topic.as_future_message(None, b"v")
    assert fut.message.headers == [("type", b"x")]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (None, None),
        ([], []),
        ((("a", b"1"),), [("a", b"1")]),
        ({"a": b"1"}, {"a": b"1"}),
    ],
)
async def test_headers_are_copied_as_prepare_headers_does(
    app, headers: Any, expected: Any
) -> None:
    topic = app.topic("out", value_serializer="raw")
    fut = topic.as_future_message(None, b"v", headers=headers)
    assert fut.message.headers == expected
    if headers is not None:
        assert fut.message.headers is not headers  # a copy the sender may extend


# -- the send_soon buffer ------------------------------------------------------


class Channel:
    """A channel of the buffer's messages: publishes now, or only awaited."""

    def __init__(self, nowait: Any) -> None:
        self.log: list[tuple[str, Any]] = []
        if nowait is not None:
            self.publish_nowait = lambda fut: nowait(self, fut)

    async def publish_message(self, fut: Any, wait: bool = False) -> Any:
        self.log.append(("awaited", fut.value))
        return fut


class Fut(asyncio.Future):
    def __init__(self, channel: Any, value: Any) -> None:
        super().__init__()
        self.value = value
        self.message = type("M", (), {"channel": channel})()


async def test_buffer_publishes_in_order_without_awaiting_when_it_can() -> None:
    def nowait(channel: Channel, fut: Fut) -> bool:
        if fut.value == "later":
            return False  # the producer cannot take it now
        channel.log.append(("now", fut.value))
        return True

    buffer = ProducerBuffer()
    channel = Channel(nowait)
    plain = Channel(None)  # no publish_nowait: always awaited
    for value, chan in [
        ("a", channel),
        ("later", channel),
        ("b", plain),
        ("c", channel),
    ]:
        buffer.put(Fut(chan, value))
    assert not buffer.idle and buffer.size == 4
    assert await buffer.flush_atmost(3) == 3
    assert channel.log == [("now", "a"), ("awaited", "later")]
    assert plain.log == [("awaited", "b")]
    await buffer.flush()
    assert channel.log[-1] == ("now", "c")
    assert buffer.idle and buffer.size == 0


async def test_buffer_reports_an_error_of_publish_nowait() -> None:
    def nowait(channel: Channel, fut: Fut) -> bool:
        raise RuntimeError("cannot serialize")

    buffer = ProducerBuffer()
    fut = Fut(Channel(nowait), "a")
    buffer.put(fut)
    await buffer.flush()
    with pytest.raises(RuntimeError, match="cannot serialize"):
        fut.result()
