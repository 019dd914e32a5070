import datetime
import enum
import json as stdjson
import uuid
from collections import Counter, deque, namedtuple
from decimal import Decimal

import pytest

from faust.utils import json


class Color(enum.Enum):
    RED = "red"


class WithJSON:
    def __json__(self):
        return {"custom": True}


Pair = namedtuple("Pair", "a b")


@pytest.mark.parametrize(
    "value,expected",
    [
        (
            datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
            '"2020-01-02T03:04:05Z"',
        ),
        (datetime.datetime(2020, 1, 2, 3, 4, 5, 6), '"2020-01-02T03:04:05.000006"'),
        (
            datetime.datetime(
                2020, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            '"2020-01-02T00:00:00+02:00"',
        ),
        (datetime.date(2020, 1, 2), '"2020-01-02"'),
        (datetime.time(10, 30), '"10:30:00"'),
        (Decimal("1.10"), '"1.10"'),
        (uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
        (b"abc", '"abc"'),
        (Color.RED, '"red"'),
        ({1, 2}, "[1,2]"),
        (frozenset({3}), "[3]"),
        (deque([1, 2]), "[1,2]"),
        ((1, 2), "[1,2]"),
        (Pair(1, 2), "[1,2]"),
        (Counter("aab"), '{"a":2,"b":1}'),
        (WithJSON(), '{"custom":true}'),
        ({"nested": [Decimal("2")]}, '{"nested":["2"]}'),
        ({1: "int key"}, '{"1":"int key"}'),
    ],
)
def test_dumps_types(value, expected):
    assert json.dumps(value) == expected
    assert json.dumps_bytes(value) == expected.encode()
    # the standard library encoder gives the same text
    assert stdjson.dumps(
        value, cls=json.JSONEncoder, separators=(",", ":")
    ) == expected or isinstance(value, (dict, tuple))


def test_dumps_is_compact_and_ordered():
    assert json.dumps({"b": 1, "a": [1, 2]}) == '{"b":1,"a":[1,2]}'


def test_dumps_kwargs_use_stdlib():
    assert json.dumps({"a": Decimal("1")}, indent=2) == '{\n  "a": "1"\n}'


def test_dumps_unknown_type():
    with pytest.raises(TypeError, match="JSON cannot serialize 'object'"):
        json.dumps(object())


def test_dumps_invalid_utf8_bytes():
    with pytest.raises(TypeError, match="non UTF-8 bytes"):
        json.dumps(b"\xff\xfe")


def test_on_default_direct():
    assert json.on_default(Decimal("3.5")) == "3.5"
    with pytest.raises(TypeError):
        json.on_default(object())


def test_loads():
    assert json.loads('{"a":[1,2.5,null]}') == {"a": [1, 2.5, None]}
    assert json.loads(b'{"a":1}') == {"a": 1}
    assert json.loads_bytes(b"[1]") == [1]
    assert json.loads('{"a": 1.5}', parse_float=Decimal) == {"a": Decimal("1.5")}


def test_loads_invalid():
    with pytest.raises(ValueError):
        json.loads(b"{bad")


def test_str_to_decimal():
    assert json.str_to_decimal("1.5") == Decimal("1.5")
    assert json.str_to_decimal(None) is None
    with pytest.raises(ValueError, match="Illegal value"):
        json.str_to_decimal("NaN")
    with pytest.raises(ValueError, match="Illegal value"):
        json.str_to_decimal("Infinity")
    with pytest.raises(ValueError, match="longer than limit"):
        json.str_to_decimal("1" * 2000)
    with pytest.raises(ValueError, match="not a decimal"):
        json.str_to_decimal("abc")


def test_django_lazy_strings_become_text(monkeypatch) -> None:
    import sys
    import types

    from faust.utils import json as fjson

    class Promise:
        pass

    class LazyText(Promise):
        def __str__(self) -> str:
            return "translated"

    module = types.ModuleType("django.utils.functional")
    module.Promise = Promise  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "django.utils.functional", module)
    assert fjson.dumps({"label": LazyText()}) in (
        '{"label":"translated"}',
        b'{"label":"translated"}',
    )
