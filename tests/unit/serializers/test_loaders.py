"""Registry.loader / Schema.data_loaders: the conductor's per-message decoding.

A loader must decode exactly like ``loads_key``/``loads_value`` (same
values, same errors), only faster.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import faust
from faust.exceptions import KeyDecodeError, ValueDecodeError
from faust.serializers import Registry, Schema
from faust.serializers.codecs import get_codec
from faust.types.tuples import Message


class Pt(faust.Record, serializer="json", namespace="test_loaders.Pt"):
    x: int
    y: int = 0


CASES: list[tuple[Any, Any, Any]] = [
    (None, "raw", b"abc"),
    (None, "raw", None),
    (bytes, None, b"abc"),
    (str, None, b"abc"),
    (str, "json", b'"abc"'),
    (int, "json", b"12"),
    (Decimal, "json", b"1.5"),
    (None, "json", b'{"x": 1, "__faust": {"ns": "test_loaders.Pt"}}'),
    (Pt, "json", b'{"x": 1, "y": 2}'),
    (Pt, None, b'{"x": 3}'),
    (None, "raw|binary", b"YWJj"),
]


def _outcome(fun: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return ("ok", fun(*args, **kwargs))
    except Exception as exc:
        return ("error", type(exc), str(exc))


@pytest.mark.parametrize(("typ", "serializer", "data"), CASES)
@pytest.mark.parametrize("key", [True, False])
def test_loader_decodes_like_loads(typ: Any, serializer: Any, data: Any, key: bool):
    reg = Registry(key_serializer=None, value_serializer="json")
    load = reg.loader(typ, serializer, key=key)
    assert load is not None
    method = reg.loads_key if key else reg.loads_value
    expected = _outcome(method, typ, data, serializer=serializer)
    assert _outcome(load, data) == expected


@pytest.mark.parametrize(
    ("typ", "serializer", "data"),
    [(Pt, "json", b"{not json"), (Pt, "json", None), (int, "json", b'"x"')],
)
@pytest.mark.parametrize("key", [True, False])
def test_loader_raises_like_loads(typ: Any, serializer: Any, data: Any, key: bool):
    reg = Registry()
    error = KeyDecodeError if key else ValueDecodeError
    method = reg.loads_key if key else reg.loads_value
    with pytest.raises(error) as expected:
        method(typ, data, serializer=serializer)
    load = reg.loader(typ, serializer, key=key)
    assert load is not None
    with pytest.raises(error) as raised:
        load(data)
    assert str(raised.value) == str(expected.value)


def test_raw_bytes_pass_through_untouched() -> None:
    load = Registry().loader(None, "raw", key=False)
    assert load is not None
    data = b"payload"
    assert load(data) is data
    assert load(bytearray(b"ab")) == b"ab"  # other buffers still converted


def test_a_registry_that_overrides_decoding_gets_no_loader() -> None:
    class Custom(Registry):
        def loads_value(self, typ: Any, value: Any, *, serializer: Any = None) -> Any:
            return "custom"

    assert Custom().loader(None, "raw", key=False) is None


def _message(key: Any, value: Any) -> Message:
    return Message("t", 0, 7, 0.0, 0, None, key, value, None)


def test_schema_loaders_follow_the_schema_and_allow_empty() -> None:
    app = faust.App("test-loaders", broker="memory://")
    schema = Schema(key_type=str, value_type=Pt, allow_empty=True)
    loaders = schema.data_loaders(app)
    assert loaders is not None
    load_key, load_value = loaders
    assert load_key(b"k") == "k"
    assert load_value(b'{"x": 5}') == Pt(x=5)
    assert load_value(None) is None  # a tombstone, not an error
    strict = Schema(value_type=Pt)
    strict_loaders = strict.data_loaders(app)
    assert strict_loaders is not None
    with pytest.raises(ValueDecodeError):
        strict_loaders[1](None)


def test_schema_subclass_keeps_its_own_decoding() -> None:
    class Headers(Schema):
        def loads_value(self, app: Any, message: Any, **kwargs: Any) -> Any:
            return "from headers"

    app = faust.App("test-loaders-sub", broker="memory://")
    assert Headers().data_loaders(app) is None


def test_json_codec_output_is_right_sized() -> None:
    import tracemalloc

    codec = get_codec("json")
    tracemalloc.start()
    try:
        kept = [codec.dumps({"n": i}) for i in range(200)]
        size = sum(
            stat.size for stat in tracemalloc.take_snapshot().statistics("lineno")
        )
    finally:
        tracemalloc.stop()
    assert kept[3] == b'{"n":3}'
    # about 40 bytes each (orjson's own result keeps a 4 KiB allocation)
    assert size < 200 * 400
