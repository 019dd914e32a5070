import base64
import datetime
import importlib
import pickle as stdpickle
from importlib.metadata import EntryPoint
from typing import NamedTuple

import pytest

from faust.exceptions import ImproperlyConfigured, SecurityWarning
from faust.serializers import Codec, codecs
from faust.serializers.codecs import (
    UnknownCodecError,
    binary,
    dumps,
    get_codec,
    json,
    loads,
    pickle,
    raw,
    register,
)


class upper(Codec):
    def _dumps(self, obj):
        return obj.upper().encode()

    def _loads(self, s):
        return s.decode().lower()


class prefix(Codec):
    """A codec with options, to check clone() keeps them."""

    def __init__(self, children=None, *, tag=b"P:", **kwargs):
        super().__init__(children, tag=tag, **kwargs)
        self.tag = tag

    def _dumps(self, obj):
        return self.tag + obj

    def _loads(self, s):
        assert s.startswith(self.tag), s
        return s[len(self.tag) :]


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(codecs, "codecs", dict(codecs.codecs))
    monkeypatch.setattr(codecs, "_chains", {})
    monkeypatch.setattr(codecs, "_extensions_loaded", True)


@pytest.mark.parametrize(
    "name,obj,payload",
    [
        ("raw", b"abc", b"abc"),
        ("json", {"a": [1, 2]}, b'{"a":[1,2]}'),
        ("binary", b"abc", b"YWJj"),
        ("json|binary", {"a": 1}, base64.b64encode(b'{"a":1}')),
    ],
)
def test_builtin_roundtrip(name, obj, payload):
    assert dumps(name, obj) == payload
    assert loads(name, payload) == obj


def test_raw_encodes_str_and_keeps_none():
    assert dumps("raw", "åbc") == "åbc".encode()
    assert raw().dumps(None) is None
    assert loads("raw", bytearray(b"x")) == b"x"
    with pytest.raises(TypeError, match="expected bytes or str, got int"):
        dumps("raw", 1)


def test_pickle_roundtrip():
    obj = {"a": {1, 2}, "b": (1, "x")}
    payload = dumps("pickle", obj)
    assert stdpickle.loads(base64.b64decode(payload)) == obj
    with pytest.warns(SecurityWarning, match="trusted"):
        assert loads("pickle", payload) == obj
    assert repr(pickle()) == "raw_pickle() | binary()"


def test_no_codec_is_identity():
    obj = object()
    assert dumps(None, obj) is obj
    assert loads(None, obj) is obj


def test_codec_instances_and_chaining():
    codec = json() | binary()
    assert codec.loads(codec.dumps([1])) == [1]
    assert repr(codec) == "json() | binary()"
    # chaining with a name, and a chain inside a chain keeps every step
    assert (json() | "binary").dumps(1) == base64.b64encode(b"1")
    nested = upper() | (binary() | binary())
    assert nested.dumps("a") == base64.b64encode(base64.b64encode(b"A"))
    assert nested.loads(nested.dumps("a")) == "a"


def test_or_with_other_types():
    assert Codec.__or__(json(), 1) is NotImplemented
    with pytest.raises(TypeError):
        json() | 1


def test_clone_keeps_options():
    codec = prefix(tag=b"X:")
    chained = codec | binary()
    assert chained.kwargs == {"tag": b"X:"}
    assert chained.loads(chained.dumps(b"v")) == b"v"
    assert repr(codec) == "prefix(tag=b'X:')"


def test_custom_codec_must_implement():
    class half(Codec):
        pass

    with pytest.raises(NotImplementedError, match="half must implement _dumps"):
        half().dumps(1)
    with pytest.raises(NotImplementedError, match="half must implement _loads"):
        half().loads(b"")


def test_register_custom(clean_registry):
    register("upper", upper())
    assert dumps("upper", "abc") == b"ABC"
    assert loads("upper|binary", dumps("upper|binary", "abc")) == "abc"
    assert get_codec("upper|binary") is get_codec("upper|binary")  # parsed once
    register("upper", binary())  # replacing a codec forgets parsed chains
    assert dumps("upper|binary", b"a") == base64.b64encode(base64.b64encode(b"a"))


def test_get_codec_instance_passthrough():
    codec = json()
    assert get_codec(codec) is codec
    assert get_codec(" json | binary ").dumps(1) == b"MQ=="


@pytest.mark.parametrize("name", ["nope", "json|nope", "nope|json", "|", ""])
def test_unknown_codec(name):
    with pytest.raises(UnknownCodecError) as excinfo:
        get_codec(name)
    assert isinstance(excinfo.value, KeyError)
    message = str(excinfo.value)
    assert "Unknown codec" in message
    assert (
        "binary, json, pickle, pickle_fickling, pickle_restricted, raw, yaml" in message
    )


def test_get_codec_bad_argument():
    with pytest.raises(TypeError, match="expected a codec name or Codec, got 3"):
        get_codec(3)  # type: ignore[arg-type]


def test_invalid_payloads():
    with pytest.raises(ValueError):
        loads("json", b"{not json")
    with pytest.raises(ValueError, match="invalid base64"):
        loads("binary", b"@@@")


def test_entry_points(clean_registry, monkeypatch):
    monkeypatch.setattr(codecs, "_extensions_loaded", False)
    eps = [
        EntryPoint("upperext", f"{__name__}:upper", "faust.codecs"),
        EntryPoint("factory", f"{__name__}:make_prefix", "faust.codecs"),
        EntryPoint(
            "json", f"{__name__}:upper", "faust.codecs"
        ),  # never shadows a built-in
    ]
    monkeypatch.setattr(
        codecs, "entry_points", lambda group: [e for e in eps if e.group == group]
    )
    assert dumps("upperext", "a") == b"A"
    assert dumps("factory", b"a") == b"F:a"
    assert dumps("json", "a") == b'"a"'


def make_prefix():
    return prefix(tag=b"F:")


def not_a_codec():
    return 42


def test_entry_point_not_a_codec(clean_registry, monkeypatch):
    monkeypatch.setattr(codecs, "_extensions_loaded", False)
    eps = [EntryPoint("bad", f"{__name__}:not_a_codec", "faust.codecs")]
    monkeypatch.setattr(codecs, "entry_points", lambda group: eps)
    with pytest.raises(TypeError, match="did not produce a Codec"):
        get_codec("bad")


def test_pickle_warning_helpers():
    assert codecs.uses_unsafe_pickle("pickle")
    assert codecs.uses_unsafe_pickle("json|pickle")
    assert codecs.uses_unsafe_pickle(pickle())
    assert codecs.uses_unsafe_pickle(json() | pickle())
    assert not codecs.uses_unsafe_pickle("json")
    assert not codecs.uses_unsafe_pickle(None)
    with pytest.warns(SecurityWarning, match="every producer is trusted"):
        codecs.warn_if_unsafe_pickle("pickle")


class Point(NamedTuple):
    x: int
    y: int


class Evil:
    """Unpickling it would run a shell command."""

    def __reduce__(self):
        import os

        return (os.system, ("echo unpickled",))


class TestSaferPickles:
    def test_restricted_loads_plain_data(self) -> None:
        obj = {"a": [1, 2.5, "x"], "when": datetime.date(2024, 1, 2)}
        assert loads("pickle_restricted", dumps("pickle_restricted", obj)) == obj

    def test_restricted_refuses_other_globals(self) -> None:
        payload = base64.b64encode(stdpickle.dumps(Evil()))
        with pytest.raises(stdpickle.UnpicklingError, match="ALLOWED_CLASSES"):
            loads("pickle_restricted", payload)

    def test_allowed_classes_is_the_extension_point(self, monkeypatch) -> None:
        payload = dumps("pickle_restricted", Point(1, 2))
        with pytest.raises(stdpickle.UnpicklingError, match="Point"):
            loads("pickle_restricted", payload)
        monkeypatch.setattr(
            codecs.RestrictedUnpickler,
            "ALLOWED_CLASSES",
            {
                **codecs.RestrictedUnpickler.ALLOWED_CLASSES,
                __name__: frozenset({"Point"}),
            },
        )
        assert loads("pickle_restricted", payload) == Point(1, 2)

    def test_fickling_loads_safe_and_refuses_unsafe(self) -> None:
        assert loads("pickle_fickling", dumps("pickle_fickling", [1, "a"])) == [1, "a"]
        payload = base64.b64encode(stdpickle.dumps(Evil()))
        with pytest.raises(ValueError, match="unsafe"):
            loads("pickle_fickling", payload)

    def test_yaml_roundtrip_is_safe(self) -> None:
        payload = dumps("yaml", {"a": [1, 2], "b": "x"})
        assert payload.startswith(b"a:")
        assert loads("yaml", payload) == {"a": [1, 2], "b": "x"}
        with pytest.raises(Exception, match="python/object"):
            loads("yaml", b"!!python/object/apply:os.system ['echo x']")

    def test_missing_optional_package_names_the_extra(self, monkeypatch) -> None:
        real = importlib.import_module

        def fake(name, *args):
            if name == "yaml":
                raise ImportError(name)
            return real(name, *args)

        monkeypatch.setattr(importlib, "import_module", fake)
        with pytest.raises(ImproperlyConfigured, match=r"faust-ng\[yaml\]"):
            dumps("yaml", {"a": 1})
