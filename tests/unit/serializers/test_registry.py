from decimal import Decimal

import pytest

import faust
from faust.exceptions import KeyDecodeError, SecurityWarning, ValueDecodeError
from faust.serializers import Codec, Registry, codecs


class Point(faust.Record, serializer="json", namespace="test_registry.Point"):
    x: int
    y: int = 0


class Raw(faust.Record, serializer="raw|binary", namespace="test_registry.Raw"):
    data: bytes = b""

    def to_representation(self):
        return self.data

    @classmethod
    def from_data(cls, data, *, preferred_type=None):
        return cls(data=data)


@pytest.fixture
def reg():
    return Registry(key_serializer="raw", value_serializer="json")


def test_defaults():
    reg = Registry()
    assert reg.key_serializer is None
    assert reg.value_serializer == "json"
    assert "value_serializer='json'" in repr(reg)


def test_pickle_configuration_warns():
    with pytest.warns(SecurityWarning):
        Registry(value_serializer="pickle")


class TestLoads:
    def test_model(self, reg):
        assert reg.loads_value(Point, b'{"x":1,"y":2}') == Point(1, 2)
        assert reg.loads_key(Point, b'{"x":1}', serializer="json") == Point(1)

    def test_model_honours_metadata_of_polymorphic_subclass(self, reg):
        class Point3(Point, polymorphic_fields=True, namespace="test_registry.Point3"):
            z: int = 0

        value = reg.loads_value(Point, Point3(1, 2, 3).dumps())
        assert type(value) is Point3

    def test_autodetect(self, reg):
        payload = Point(3, 4).dumps()
        assert reg.loads_value(None, payload) == Point(3, 4)
        assert reg.loads_value(None, b'{"a":1}') == {"a": 1}
        assert reg.loads_value(None, b"[1]") == [1]
        assert reg.loads_value(None, b'{"__faust":1}') == {"__faust": 1}

    def test_autodetect_unknown_namespace(self, reg):
        with pytest.raises(
            ValueDecodeError, match="names model 'nope.Nope'.*no such model"
        ):
            reg.loads_value(None, b'{"__faust":{"ns":"nope.Nope"}}')

    def test_str_bytes(self, reg):
        assert reg.loads_key(str, b"k\xc3\xa5") == "kå"
        assert reg.loads_key(bytes, b"k") == b"k"
        # a value serializer is configured: str values are JSON strings (as in Faust)
        assert reg.loads_value(str, b'"v"') == "v"
        assert reg.loads_value(bytes, b'"v"') == b"v"
        assert Registry(value_serializer=None).loads_value(str, b"plain") == "plain"

    @pytest.mark.parametrize(
        "typ,payload,expected",
        [(int, b"42", 42), (float, b"1.5", 1.5), (Decimal, b"1.10", Decimal("1.10"))],
    )
    def test_numbers(self, reg, typ, payload, expected):
        assert reg.loads_key(typ, payload) == expected
        assert type(reg.loads_key(typ, payload)) is typ
        assert reg.loads_value(typ, payload) == expected

    def test_other_types_pass_payload(self, reg):
        assert reg.loads_value(dict, b'{"a":1}') == {"a": 1}

    def test_none(self, reg):
        assert reg.loads_key(None, None) is None
        assert reg.loads_value(str, None) is None
        with pytest.raises(KeyDecodeError, match="Expected .*Point.*received None"):
            reg.loads_key(Point, None)
        with pytest.raises(ValueDecodeError, match="received None"):
            reg.loads_value(Point, None)

    def test_invalid_json(self, reg):
        with pytest.raises(ValueDecodeError) as excinfo:
            reg.loads_value(Point, b"{oops")
        message = str(excinfo.value)
        assert message.startswith(
            "Cannot decode value as Point with codec 'json': JSONDecodeError"
        )
        assert isinstance(excinfo.value.__cause__, ValueError)
        assert excinfo.value.topic is None

    def test_missing_field(self, reg):
        with pytest.raises(
            ValueDecodeError, match="Point is missing 1 required field: 'x'"
        ):
            reg.loads_value(Point, b'{"y":1}')

    def test_bad_number(self, reg):
        with pytest.raises(
            KeyDecodeError, match="Cannot decode key as int with codec 'raw'"
        ):
            reg.loads_key(int, b"abc")

    def test_unknown_codec(self, reg):
        with pytest.raises(
            ValueDecodeError, match="UnknownCodecError: Unknown codec 'nope'"
        ):
            reg.loads_value(None, b"x", serializer="nope")

    def test_memory_error_not_wrapped(self, reg, monkeypatch):
        class Boom(Codec):
            def _loads(self, s):
                raise MemoryError()

        monkeypatch.setitem(codecs.codecs, "json", Boom())
        with pytest.raises(MemoryError):
            reg.loads_value(None, b"x")


class TestDumps:
    def test_model_uses_own_serializer(self, reg):
        assert reg.dumps_value(Point, Point(1), serializer="raw") == Point(1).dumps(
            serializer="json"
        )
        assert (
            reg.dumps_key(None, Point(1))
            == b'{"x":1,"y":0,"__faust":{"ns":"test_registry.Point"}}'
        )
        assert reg.dumps_value(None, Raw(b"abc")) == b"YWJj"

    def test_plain_values(self, reg):
        assert reg.dumps_value(None, {"a": 1}) == b'{"a":1}'
        assert reg.dumps_value(None, b"raw bytes") == b"raw bytes"
        assert reg.dumps_value(None, None) == b"null"  # as Faust: tombstones use raw
        assert reg.dumps_value(None, None, serializer="raw") is None
        assert reg.dumps_key(str, "k") == b"k"
        assert reg.dumps_key(None, None) is None
        assert (
            reg.dumps_value(None, {"a": 1}, serializer="json|binary") == b"eyJhIjoxfQ=="
        )

    def test_no_serializer(self):
        reg = Registry(key_serializer=None, value_serializer=None)
        assert reg.dumps_value(str, "v") == b"v"
        assert reg.dumps_key(None, "k") == b"k"
        obj = object()
        assert reg.dumps_value(None, obj) is obj
        assert reg.dumps_value(None, Point(1)) == Point(1).dumps()

    def test_skip(self, reg):
        assert reg.dumps_value(None, "text", skip=(str,)) == "text"

    def test_roundtrip_every_type(self, reg):
        for typ, value in [
            (Point, Point(5, 6)),
            (str, "s"),
            (int, 7),
            (None, {"k": [1]}),
        ]:
            assert reg.loads_value(typ, reg.dumps_value(typ, value)) == value
            assert (
                reg.loads_key(
                    typ, reg.dumps_key(typ, value, serializer="json"), serializer="json"
                )
                == value
            )


def test_model_with_custom_init_through_registry(reg):
    class Custom(faust.Record, namespace="test_registry.Custom"):
        x: int

        def __init__(self, x, **kwargs):
            super().__init__(x=int(x) * 2, **kwargs)

    assert reg.loads_value(Custom, b'{"x": 2}').x == 4
    assert reg.loads_value(None, Custom(1).dumps()).x == 4  # dumped x=2, doubled again


def test_nested_decode_error_names_the_path(reg):
    class Outer(faust.Record, namespace="test_registry.Outer"):
        points: list[Point]

    with pytest.raises(
        ValueDecodeError, match=r"Outer.points: Point is missing 1 required field: 'x'"
    ):
        reg.loads_value(Outer, b'{"points": [{"y": 1}]}')
    with pytest.raises(
        ValueDecodeError, match=r"Outer is missing 1 required field: 'points'"
    ):
        reg.loads_value(Outer, b"{}")
