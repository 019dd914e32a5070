# ruff: noqa: UP006, UP035 - the typing spellings are under test
"""Byte-level compatibility with faust-streaming 0.15.3.

The expected payloads below were produced by faust-streaming 0.15.3 (with
orjson installed, its recommended setup) from the same model definitions
and values, in a separate virtualenv.  Our output must be identical, and
we must decode them back into equal objects.
"""

import enum
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Dict, List, Optional, Set

import pytest

from faust.models import Record
from faust.models.fields import StringField
from faust.serializers import Registry


class Color(enum.Enum):
    RED = "red"


class Point(Record, serializer="json", namespace="compat.Point"):
    x: int
    y: int = 0


class Line(Record, serializer="json", namespace="compat.Line"):
    start: Point
    end: Point
    points: List[Point] = []
    named: Dict[str, Point] = {}
    label: Optional[str] = None


class Kinds(
    Record, serializer="json", namespace="compat.Kinds", isodates=True, decimals=True
):
    when: datetime
    amount: Decimal
    tags: Set[str]
    color: Color
    ident: uuid.UUID
    ratio: float = 0.5
    flag: bool = False


class Plain(
    Record, serializer="json", include_metadata=False, namespace="compat.Plain"
):
    a: int
    b: str


class Renamed(Record, serializer="json", namespace="compat.Renamed"):
    in_: str = StringField(
        input_name="in", output_name="in", required=False, default="q"
    )
    secret: str = StringField(exclude=True, required=False, default="hidden")
    n: int = 1


class Text(
    Record, serializer="json", namespace="compat.Text", isodates=True, decimals=True
):
    text: str
    amount: Optional[Decimal] = None
    when: Optional[datetime] = None


SAMPLES = {
    "point": (
        Point(1, 2),
        b'{"x":1,"y":2,"__faust":{"ns":"compat.Point"}}',
    ),
    "line": (
        Line(
            start=Point(0, 0),
            end=Point(3, 4),
            points=[Point(1, 1), Point(2, 2)],
            named={"mid": Point(1, 2)},
            label="diagonal",
        ),
        b'{"start":{"x":0,"y":0,"__faust":{"ns":"compat.Point"}},'
        b'"end":{"x":3,"y":4,"__faust":{"ns":"compat.Point"}},'
        b'"points":[{"x":1,"y":1,"__faust":{"ns":"compat.Point"}},'
        b'{"x":2,"y":2,"__faust":{"ns":"compat.Point"}}],'
        b'"named":{"mid":{"x":1,"y":2,"__faust":{"ns":"compat.Point"}}},'
        b'"label":"diagonal","__faust":{"ns":"compat.Line"}}',
    ),
    "kinds": (
        Kinds(
            when=datetime(2021, 3, 4, 5, 6, 7, 890000, tzinfo=timezone.utc),
            amount=Decimal("12.50"),
            tags={"a"},
            color=Color.RED,
            ident=uuid.UUID(int=255),
        ),
        b'{"when":"2021-03-04T05:06:07.890000Z","amount":"12.50","tags":["a"],'
        b'"color":"red","ident":"00000000-0000-0000-0000-0000000000ff",'
        b'"ratio":0.5,"flag":false,"__faust":{"ns":"compat.Kinds"}}',
    ),
    "kinds_offset": (
        Kinds(
            when=datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=2))),
            amount=Decimal("-0.001"),
            tags=set(),
            color=Color.RED,
            ident=uuid.UUID(int=1),
            ratio=1.0,
            flag=True,
        ),
        b'{"when":"2021-03-04T05:06:07+02:00","amount":"-0.001","tags":[],'
        b'"color":"red","ident":"00000000-0000-0000-0000-000000000001",'
        b'"ratio":1.0,"flag":true,"__faust":{"ns":"compat.Kinds"}}',
    ),
    "plain": (Plain(1, "x"), b'{"a":1,"b":"x"}'),
    "renamed": (
        Renamed(in_="value", n=5),
        b'{"in":"value","n":5,"__faust":{"ns":"compat.Renamed"}}',
    ),
    "bigint": (
        Point(x=-1, y=10**12),
        b'{"x":-1,"y":1000000000000,"__faust":{"ns":"compat.Point"}}',
    ),
    "unicode": (
        Text("h\u00e9llo \u2603"),
        b'{"text":"h\xc3\xa9llo \xe2\x98\x83","amount":null,"when":null,'
        b'"__faust":{"ns":"compat.Text"}}',
    ),
}

# Written by faust-streaming without orjson (standard library json): ASCII escapes.
FS_STDLIB_TEXT = (
    b'{"text":"h\\u00e9llo \\u2603","amount":"1.5","when":"2020-01-01T00:00:00Z",'
    b'"__faust":{"ns":"compat.Text"}}'
)
# Written by robinhood faust 1.10 (json.dumps default separators).
RH_POINT = b'{"x": 1, "y": 2, "__faust": {"ns": "compat.Point"}}'


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_dumps_is_byte_identical(name):
    obj, payload = SAMPLES[name]
    assert obj.dumps() == payload
    assert Registry().dumps_value(None, obj) == payload


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_loads_faust_streaming_payload(name):
    obj, payload = SAMPLES[name]
    loaded = type(obj).loads(payload)
    if name == "renamed":
        assert (loaded.in_, loaded.n) == (obj.in_, obj.n)
    elif name.startswith("kinds"):
        # Enum and UUID are converted only with coerce=True (as in Faust).
        assert loaded.when == obj.when and loaded.amount == obj.amount
        assert loaded.tags == obj.tags
        assert loaded.color == "red" and loaded.ident == str(obj.ident)
    else:
        assert loaded == obj


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_registry_autodetects_faust_streaming_payload(name):
    obj, payload = SAMPLES[name]
    value = Registry().loads_value(None, payload)
    if name == "plain":
        assert value == {"a": 1, "b": "x"}  # no metadata: the decoded payload
    else:
        assert type(value) is type(obj)


def test_stdlib_json_payload():
    text = Text.loads(FS_STDLIB_TEXT)
    assert text == Text(
        "h\u00e9llo \u2603", Decimal("1.5"), datetime(2020, 1, 1, tzinfo=timezone.utc)
    )


def test_robinhood_spacing():
    assert Point.loads(RH_POINT) == Point(1, 2)
