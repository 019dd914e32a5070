from typing import Any, NamedTuple

import pytest

import faust
from faust.exceptions import KeyDecodeError, SecurityWarning, ValueDecodeError
from faust.serializers import Registry, Schema
from faust.types.tuples import Message


class Point(faust.Record, serializer="json", namespace="test_schemas.Point"):
    x: int
    y: int = 0


class Tagged(faust.Record, serializer="json|binary", namespace="test_schemas.Tagged"):
    name: str


class FakeEvent(NamedTuple):
    key: Any
    value: Any
    headers: Any
    message: Message


class FakeApp:
    """What Schema needs from an app: ``serializers`` and ``create_event``."""

    def __init__(self, **kwargs):
        self.serializers = Registry(**kwargs)

    def create_event(self, key, value, headers, message):
        return FakeEvent(key, value, headers, message)


def message(key=None, value=None, headers=None):
    return Message("topic", 3, 42, 1.0, 0, headers, key, value, None)


@pytest.fixture
def app():
    return FakeApp(key_serializer="raw", value_serializer="json")


def test_defaults_from_model():
    schema = Schema(key_type=str, value_type=Tagged)
    assert schema.value_serializer == "json|binary"
    assert schema.key_serializer is None
    assert schema.allow_empty is False
    assert "VT=Tagged (json|binary)" in repr(schema)


def test_explicit_serializer_wins():
    assert Schema(value_type=Tagged, value_serializer="json").value_serializer == "json"


def test_update_only_changes_given():
    schema = Schema(key_type=str, value_type=Point, allow_empty=True)
    schema.update(key_serializer="json")
    assert schema.key_type is str
    assert schema.value_type is Point
    assert schema.key_serializer == "json"
    assert schema.allow_empty is True
    schema.update(allow_empty=False, value_type=Tagged)
    assert schema.allow_empty is False
    assert schema.value_type is Tagged


def test_pickle_warns():
    with pytest.warns(SecurityWarning):
        Schema(value_serializer="pickle")


def test_loads(app):
    schema = Schema(key_type=str, value_type=Point)
    msg = message(b"k", Point(1, 2).dumps())
    assert schema.loads_key(app, msg) == "k"
    assert schema.loads_value(app, msg) == Point(1, 2)
    calls = []
    assert (
        schema.loads_value(
            app, msg, loads=lambda *a, **kw: calls.append((a, kw)) or "X"
        )
        == "X"
    )
    assert calls == [((Point, msg.value), {"serializer": "json"})]


def test_loads_errors_carry_origin(app):
    schema = Schema(key_type=int, value_type=Point)
    with pytest.raises(KeyDecodeError) as excinfo:
        schema.loads_key(app, message(b"nope", b"{}"))
    err = excinfo.value
    assert (err.topic, err.partition, err.offset) == ("topic", 3, 42)
    assert "(topic='topic' partition=3 offset=42)" in str(err)
    with pytest.raises(ValueDecodeError) as excinfo:
        schema.loads_value(app, message(b"1", b"{bad json"))
    assert excinfo.value.offset == 42


def test_dumps(app):
    schema = Schema(key_type=str, value_type=Point)
    assert schema.dumps_key(app, "k", headers={"a": b"1"}) == (b"k", {"a": b"1"})
    payload, headers = schema.dumps_value(app, Point(1), headers=None)
    assert payload == Point(1).dumps()
    assert headers is None
    assert (
        schema.dumps_value(app, {"a": 1}, serializer="json|binary")[0]
        == b"eyJhIjoxfQ=="
    )


def test_header_hooks(app):
    class WithHeaders(Schema):
        def on_dumps_key_prepare_headers(self, key, headers):
            return [*(headers or []), ("key-type", type(key).__name__.encode())]

        def on_dumps_value_prepare_headers(self, value, headers):
            return {**dict(headers or {}), "content-type": b"json"}

    schema = WithHeaders(value_type=Point)
    assert schema.dumps_key(app, "k", headers=None)[1] == [("key-type", b"str")]
    assert schema.dumps_value(app, Point(1), headers={"x": b"1"})[1] == {
        "x": b"1",
        "content-type": b"json",
    }


async def test_decode(app):
    schema = Schema(key_type=str, value_type=Point)
    msg = message(b"k", Point(5).dumps(), headers=[("h", b"v")])
    event = await schema.decode(app, msg)
    assert event == FakeEvent("k", Point(5), [("h", b"v")], msg)


async def test_compile_decode_errors_call_handlers(app):
    seen = []

    async def on_key(exc, msg):
        seen.append(("key", type(exc), msg.offset))

    async def on_value(exc, msg):
        seen.append(("value", type(exc), msg.offset))

    schema = Schema(key_type=int, value_type=Point)
    decode = schema.compile(
        app, on_key_decode_error=on_key, on_value_decode_error=on_value
    )
    assert await decode(message(b"x", b"{}")) is None
    assert await decode(message(b"1", b"[")) is None
    assert seen == [("key", KeyDecodeError, 42), ("value", ValueDecodeError, 42)]
    with pytest.raises(ValueDecodeError, match="offset=42"):
        await decode(message(b"1", b"["), propagate=True)
    with pytest.raises(KeyDecodeError):
        await decode(message(b"x", b"{}"), propagate=True)


async def test_compile_default_propagate(app):
    decode = Schema(value_type=Point).compile(app, default_propagate=True)
    with pytest.raises(ValueDecodeError):
        await decode(message(None, b"{}"))
    assert (await decode(message(None, b"{}"), propagate=False)) is None


async def test_tombstones(app):
    msg = message(b"k", None)
    with pytest.raises(ValueDecodeError, match="received None"):
        await Schema(key_type=str, value_type=Point).decode(app, msg, propagate=True)
    event = await Schema(key_type=str, value_type=Point, allow_empty=True).decode(
        app, msg, propagate=True
    )
    assert (event.key, event.value) == ("k", None)
    # with no model type a tombstone is just None
    event = await Schema(key_type=str).decode(app, msg, propagate=True)
    assert event.value is None


async def test_custom_loads_value_is_used_by_decode(app):
    class Autodetect(Schema):
        def loads_value(self, app, message, *, loads=None, serializer=None):
            if dict(message.headers or ()).get("type") == b"point":
                return Point.loads(message.value)
            return super().loads_value(app, message, loads=loads, serializer=serializer)

    decode = Autodetect().compile(app)
    event = await decode(message(None, b'{"x":1}', headers=[("type", b"point")]))
    assert event.value == Point(1)
    event = await decode(message(None, b'{"x":1}'))
    assert event.value == {"x": 1}


async def test_compiled_decoder_follows_update(app):
    schema = Schema(key_type=str, value_type=Point)
    decode = schema.compile(app)
    schema.update(value_type=Tagged, value_serializer="json|binary")
    event = await decode(message(b"k", Tagged("n").dumps()))
    assert event.value == Tagged("n")
