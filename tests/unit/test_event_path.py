"""The per-event shortcuts of delivery, decoding, group_by and table sensors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mode.utils.locks import Event as ModeEvent

import faust
from faust.exceptions import Skip, ValueDecodeError
from faust.sensors import Sensor
from faust.serializers import Registry
from faust.streams.hooks import _flag
from faust.streams.operators import _repartitioner
from faust.transport.conductor import Conductor, _loaders
from faust.types.tuples import Message


def msg(topic: str, offset: int) -> Message:
    return Message(topic, 0, offset, 0.0, 0, None, b"k", b"v", None)


class Handler:
    def __init__(self, calls: list[Any], queue_ids: Any = None) -> None:
        self.calls = calls
        if queue_ids is not None:
            self.queue_ids = frozenset(queue_ids)

    async def many(self, messages: list[Message]) -> None:
        self.calls.append([(m.topic, m.offset) for m in messages])


@pytest.fixture
def app() -> faust.App:
    return faust.App("event-path", broker="memory://", web_enabled=False)


async def test_topics_feeding_their_own_queues_are_delivered_a_topic_at_a_time(
    app,
) -> None:
    conductor = Conductor(app)
    calls: list[Any] = []
    conductor._handlers.update(a=Handler(calls, {1}), b=Handler(calls, {2}))
    batch = [msg("a", 0), msg("b", 0), msg("a", 1), msg("b", 1), msg("a", 2)]
    await conductor.on_messages(batch)
    assert calls == [[("a", 0), ("a", 1), ("a", 2)], [("b", 0), ("b", 1)]]


async def test_topics_sharing_a_queue_keep_the_fetched_order(app) -> None:
    conductor = Conductor(app)
    calls: list[Any] = []
    conductor._handlers.update(a=Handler(calls, {1}), b=Handler(calls, {1, 2}))
    await conductor.on_messages([msg("a", 0), msg("b", 0), msg("a", 1)])
    assert calls == [[("a", 0)], [("b", 0)], [("a", 1)]]


async def test_handlers_without_queues_keep_the_fetched_order(app) -> None:
    conductor = Conductor(app)
    calls: list[Any] = []
    seen: list[Any] = []

    async def plain(message: Message) -> None:  # a handler without many()
        seen.append((message.topic, message.offset))

    conductor._handlers.update(a=Handler(calls, {1}), b=plain)
    await conductor.on_messages([msg("a", 0), msg("b", 0), msg("a", 1), msg("b", 1)])
    assert calls == [[("a", 0)], [("a", 1)]]
    assert seen == [("b", 0), ("b", 1)]


async def test_a_single_topic_batch_is_delivered_as_it_is(app) -> None:
    conductor = Conductor(app)
    got: list[Any] = []

    class Keep(Handler):
        async def many(self, messages: list[Message]) -> None:
            got.append(messages)

    conductor._handlers["a"] = Keep([], {1})
    batch = [msg("a", 0), msg("a", 1)]
    await conductor.on_messages(batch)
    assert got == [batch] and got[0] is batch


def test_raw_keys_pass_their_loader(app) -> None:
    raw = app.topic("raw-keys", key_serializer="raw", value_serializer="raw")
    loaders, passthrough = _loaders(raw.schema, app)
    assert passthrough and loaders[0](b"k") == b"k"
    keyed = app.topic("json-keys", key_serializer="json", value_serializer="raw")
    assert _loaders(keyed.schema, app)[1] is False


class Point(faust.Record, serializer="json"):
    x: int


@pytest.mark.parametrize("data", [b'{"x": 1}', b"[1]", b"not json", None])
def test_model_loader_matches_the_general_path(data: Any) -> None:
    registry = Registry()
    load = registry.loader(Point, "json", key=False)
    assert load is not None
    try:
        expected: Any = registry.loads_value(Point, data, serializer="json")
    except Exception as exc:
        with pytest.raises(type(exc)):
            load(data)
        return
    assert load(data) == expected
    assert load(data) == expected  # the generated loader, once looked up


def test_model_loader_names_the_failure() -> None:
    load = Registry().loader(Point, "json", key=False)
    assert load is not None
    with pytest.raises(ValueDecodeError):
        load(b"{")


# -- group_by's processor -----------------------------------------------------


class FakeStream:
    def __init__(self, event: Any) -> None:
        self._current_event = event


class FakeEvent:
    def __init__(self) -> None:
        self.message = msg("src", 7)


class Target:
    def __init__(self, pending: Any = None) -> None:
        self.sent: list[Any] = []
        self.pending = pending

    def send_or_wait(self, key: Any, value: Any, headers: Any) -> Any:
        self.sent.append((key, value, headers))
        return self.pending

    async def send(self, **kwargs: Any) -> None:
        self.sent.append(("send", kwargs["key"]))


async def test_group_by_sends_without_a_coroutine_when_it_can() -> None:
    target = Target()
    process = _repartitioner(FakeStream(FakeEvent()), target, str.upper, "n")
    assert process("value") == "value"
    assert target.sent == [("VALUE", b"v", None)]


async def test_group_by_awaits_a_send_that_must_wait() -> None:
    done = asyncio.get_running_loop().create_future()
    target = Target(pending=done)
    process = _repartitioner(FakeStream(FakeEvent()), target, str.upper, "n")
    result = process("value")
    assert asyncio.iscoroutine(result)
    task = asyncio.ensure_future(result)
    await asyncio.sleep(0)
    assert not task.done()
    done.set_result(None)
    assert await task == "value"


async def test_group_by_to_a_channel_without_send_or_wait() -> None:
    class Plain:
        def __init__(self) -> None:
            self.sent: list[Any] = []

        async def send(self, **kwargs: Any) -> None:
            self.sent.append(kwargs["key"])

    target = Plain()
    process = _repartitioner(FakeStream(FakeEvent()), target, str.upper, "n")
    assert await process("value") == "value"
    assert target.sent == ["VALUE"]


async def test_group_by_with_an_async_key_and_failing_keys() -> None:
    async def key_of(value: str) -> str:
        if value == "bad":
            raise KeyError(value)
        return value.upper()

    target = Target()
    process = _repartitioner(FakeStream(FakeEvent()), target, key_of, "n")
    assert await process("value") == "value"
    assert target.sent == [("send", "VALUE")]
    with pytest.raises(Skip):
        await process("bad")

    def broken(value: str) -> str:
        raise ValueError(value)

    process = _repartitioner(FakeStream(FakeEvent()), target, broken, "n")
    with pytest.raises(Skip):
        process("value")
    with pytest.raises(RuntimeError):
        _repartitioner(FakeStream(None), target, str.upper, "n")("value")


# -- table sensors, stream flags ----------------------------------------------


class TableRecorder(Sensor):
    def __init__(self, calls: list[Any]) -> None:
        super().__init__()
        self.calls = calls

    def on_table_get(self, table: Any, key: Any) -> None:
        self.calls.append((id(self), "get", key))

    def on_table_set(self, table: Any, key: Any, value: Any) -> None:
        self.calls.append((id(self), "set", key, value))


def test_table_hooks_follow_the_sensor_set(app) -> None:
    table = app.Table("t", default=int)
    for sensor in list(app.sensors):
        app.sensors.remove(sensor)
    calls: list[Any] = []
    first = TableRecorder(calls)
    app.sensors.add(first)
    table.on_key_get("a")
    table.on_key_set("a", 1)
    assert calls == [(id(first), "get", "a"), (id(first), "set", "a", 1)]
    second = TableRecorder(calls)
    app.sensors.add(second)
    calls.clear()
    table.on_key_get("b")
    assert calls == [(id(first), "get", "b"), (id(second), "get", "b")]
    app.sensors.remove(first)
    app.sensors.remove(second)
    calls.clear()
    table.on_key_set("c", 2)
    assert calls == []


async def test_stream_flags_read_events_of_any_class() -> None:
    event = ModeEvent()
    assert _flag(event) is event
    other = asyncio.Event()
    flag = _flag(other)
    assert flag._value is False
    other.set()
    assert flag._value is True


def test_aiokafka_records_convert_as_one_by_one() -> None:
    from types import SimpleNamespace

    from faust.transport.drivers.aiokafka.consumer import Consumer as AioConsumer
    from faust.types import TP

    consumer = AioConsumer.__new__(AioConsumer)
    tp = TP("t", 1)
    records = [
        SimpleNamespace(
            topic="t",
            partition=1,
            offset=offset,
            timestamp=timestamp,
            timestamp_type=0,
            headers=[("h", b"1")],
            key=b"k",
            value=b"v",
            checksum=None,
            serialized_key_size=1,
            serialized_value_size=1,
        )
        for offset, timestamp in [(5, 1_500), (6, None)]
    ]
    fields = Message.__slots__[:-1]  # (not __weakref__)
    batch = consumer._to_message_list(tp, records)
    single = [consumer._to_message(tp, record) for record in records]
    for a, b in zip(batch, single, strict=True):
        assert type(a) is type(b)
        assert all(getattr(a, f) == getattr(b, f) for f in fields)
    assert batch[0].timestamp == 1.5 and batch[1].timestamp is None
