"""The compiled encoders give the bytes of the general path."""

from __future__ import annotations

from typing import Any

import pytest

import faust
from faust.serializers import Registry
from faust.serializers.codecs import Codec, codecs, register


class Point(faust.Record, serializer="json"):
    x: int


VALUES: list[Any] = ["a", "é", 1, 2.5, True, None, b"raw", bytearray(b"x"), Point(x=1)]


@pytest.mark.parametrize("serializer", [None, "json", "raw", "json|binary"])
@pytest.mark.parametrize("typ", [None, str, bytes, Point])
@pytest.mark.parametrize("key", [True, False])
def test_same_bytes_as_general_path(serializer: Any, typ: Any, key: bool) -> None:
    registry = Registry(key_serializer=None, value_serializer="json")
    general = registry.dumps_key if key else registry.dumps_value
    dump = registry.dumper(typ, serializer, key=key)
    assert dump is not None
    for value in VALUES:
        try:
            expected: Any = general(typ, value, serializer=serializer)
        except Exception as exc:
            with pytest.raises(type(exc)):
                dump(value)
            continue
        assert dump(value) == expected


def test_cached_per_default() -> None:
    registry = Registry(key_serializer="json")
    first = registry.dumper(str, None, key=True)
    assert registry.dumper(str, None, key=True) is first
    registry.key_serializer = "raw"
    dump = registry.dumper(str, None, key=True)
    assert dump is not first
    assert dump is not None and dump("a") == b"a"


def test_codec_registered_again_is_used() -> None:
    class Upper(Codec):
        def _dumps(self, obj: Any) -> bytes:
            return str(obj).upper().encode()

        def _loads(self, s: bytes) -> Any:
            return s.decode().lower()

    register("upper-test", Upper())
    dump = Registry().dumper(None, "upper-test", key=False)
    assert dump is not None and dump("a") == b"A"

    class Lower(Upper):
        def _dumps(self, obj: Any) -> bytes:
            return str(obj).lower().encode()

    register("upper-test", Lower())
    try:
        assert dump("A") == b"a"
    finally:
        del codecs["upper-test"]


def test_subclass_overriding_encoding_gets_none() -> None:
    class Custom(Registry):
        def dumps_key(self, typ: Any, key: Any, **kwargs: Any) -> Any:
            return b"custom"

    assert Custom().dumper(str, "json", key=True) is None
