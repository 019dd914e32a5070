# ruff: noqa: UP006, UP035 - the typing spellings are under test
import enum
import json
from collections import Counter
from collections.abc import Mapping, MutableSequence, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import (
    Annotated,
    Any,
    Dict,
    FrozenSet,
    List,
    NamedTuple,
    Optional,
    Set,
    Tuple,
    Union,
)
from uuid import UUID

import pytest

from faust.models import Record
from faust.models.typing import Flags, compile_converter, is_optional, remove_optional


class Item(Record, namespace="test_typing.Item"):
    name: str


class Other(Record, namespace="test_typing.Other"):
    n: int


class Pair(NamedTuple):
    a: int
    item: Item


class Color(enum.Enum):
    RED = "red"


def test_is_optional():
    assert is_optional(Optional[int])
    assert is_optional(int | None)
    assert is_optional(Optional[List[int]])
    assert is_optional(Union[int, str, None])
    assert not is_optional(int)
    assert not is_optional(Union[int, str])
    assert remove_optional(Optional[int]) is int
    assert remove_optional(Union[int, str, None]) == Union[int, str]
    assert remove_optional(int) is int


@pytest.mark.parametrize(
    "typ",
    [int, str, Any, object, List[int], dict[str, int], Optional[str], Union[int, str]],
)
def test_no_conversion_needed(typ):
    assert compile_converter(typ, Flags()) is None


class TestContainersOfModels:
    class Holder(Record):
        items: List[Item] = None
        seq: Sequence[Item] = None
        mseq: MutableSequence[Item] = None
        set_: Set[Item] = None
        aset: AbstractSet[Item] = None
        fset: FrozenSet[Item] = None
        tup: Tuple[Item, ...] = None
        fixed: Tuple[int, Item] = None
        mapping: Dict[str, Item] = None
        abc_mapping: Mapping[str, Item] = None
        nested: Dict[str, List[Optional[Item]]] = None
        nested_new: dict[str, list[Item | None]] = None
        pair: Pair = None
        builtin_list: list[Item] = None
        annotated: Annotated[Item, "doc"] = None

    def test_load(self):
        i = {"name": "a"}
        h = self.Holder.from_data(
            {
                "items": [i],
                "seq": [i],
                "mseq": [i],
                "set_": [i],
                "aset": [i],
                "fset": [i],
                "tup": [i, i],
                "fixed": [1, i],
                "mapping": {"k": i},
                "abc_mapping": {"k": i},
                "nested": {"k": [i, None]},
                "nested_new": {"k": [i, None]},
                "pair": [1, i],
                "builtin_list": [i],
                "annotated": i,
            }
        )
        item = Item("a")
        assert h.items == [item] and h.seq == [item] and h.mseq == [item]
        assert h.set_ == {item} and isinstance(h.set_, set)
        assert h.aset == {item}
        assert h.fset == frozenset({item}) and isinstance(h.fset, frozenset)
        assert h.tup == (item, item)
        assert h.fixed == (1, item)
        assert h.mapping == {"k": item} and h.abc_mapping == {"k": item}
        assert h.nested == {"k": [item, None]}
        assert h.nested_new == {"k": [item, None]}
        assert h.pair == Pair(1, item)
        assert h.builtin_list == [item]
        assert h.annotated == item

    def test_roundtrip(self):
        h = self.Holder(
            items=[Item("x")],
            set_={Item("y")},
            fixed=(1, Item("z")),
            pair=Pair(2, Item("p")),
        )
        back = self.Holder.loads(h.dumps())
        assert back == h

    def test_python_construction_converts_dicts(self):
        src = {"name": "a"}
        h = self.Holder(items=[src], mapping={"k": src})
        assert h.items == [Item("a")]
        assert h.mapping["k"] == Item("a")
        src["name"] = "changed"  # the caller's dict was copied, not adopted
        assert h.items[0].name == "a"

    def test_model_instances_are_kept(self):
        item = Item("a")
        h = self.Holder(items=[item])
        assert h.items[0] is item

    def test_wrong_type(self):
        with pytest.raises(
            TypeError, match="Holder.items: expected Item or a mapping, got int: 3"
        ):
            self.Holder(items=[3])

    def test_fixed_tuple_length(self):
        with pytest.raises(ValueError, match="Holder.fixed: expected 2 items, got 1"):
            self.Holder.from_data({"fixed": [1]})

    def test_namedtuple_from_mapping_and_length(self):
        assert self.Holder(pair={"a": 1, "item": {"name": "n"}}).pair == Pair(
            1, Item("n")
        )
        with pytest.raises(ValueError, match="expected at most 2 items"):
            self.Holder(pair=[1, {"name": "n"}, 3])


class TestScalarsInContainers:
    class Typed(Record, coerce=True):
        ints: List[int] = None
        sets: Set[str] = None
        tup: Tuple[int, ...] = None
        dates: Dict[str, datetime] = None
        decimals: List[Decimal] = None
        days: list[date] = None
        counter: Counter[str] = None
        color: Color = None
        uid: UUID = None
        keys: Dict[int, str] = None

    def test_coerce(self):
        t = self.Typed.from_data(
            {
                "ints": ["1", 2],
                "sets": ["a", "a"],
                "tup": ["1", 2],
                "dates": {"d": "2020-01-01T00:00:00Z"},
                "decimals": ["1.10", 2, 0.5],
                "days": ["2020-01-02"],
                "counter": {"a": 2},
                "color": "red",
                "uid": "00000000-0000-0000-0000-000000000001",
                "keys": {"1": "one"},
            }
        )
        assert t.ints == [1, 2]
        assert t.sets == {"a"}
        assert t.tup == (1, 2)
        assert t.dates == {"d": datetime(2020, 1, 1, tzinfo=timezone.utc)}
        assert t.decimals == [Decimal("1.10"), Decimal(2), Decimal("0.5")]
        assert t.days == [date(2020, 1, 2)]
        assert isinstance(t.counter, Counter) and t.counter["a"] == 2
        assert t.color is Color.RED
        assert t.uid == UUID(int=1)
        assert t.keys == {1: "one"}
        assert self.Typed.loads(t.dumps()) == t

    def test_without_coerce_scalars_stay(self):
        class Loose(Record):
            ints: list[int]
            sets: set[str]
            when: datetime

        loose = Loose.from_data({"ints": ["1"], "sets": ["a"], "when": "2020-01-01"})
        assert loose.ints == ["1"]
        assert loose.sets == {"a"}  # a JSON list becomes the declared set
        assert loose.when == "2020-01-01"

    def test_decimals_option(self):
        class Money(Record, decimals=True):
            amounts: list[Decimal]
            single: Decimal = None

        m = Money.from_data({"amounts": ["1.5"], "single": "2"})
        assert m.amounts == [Decimal("1.5")] and m.single == Decimal(2)
        assert Money(["1.5"]).amounts == ["1.5"]  # decimals applies to loading only
        with pytest.raises(ValueError, match="Illegal value in decimal"):
            Money.from_data({"amounts": ["NaN"]})


class TestUnions:
    class Either(Record):
        value: Union[Item, Other] = None
        maybe: Optional[Item] = None
        mixed: Union[str, Item] = None
        scalar: Union[int, str] = None
        new_style: Item | Other | None = None

    def test_union_of_models_uses_metadata(self):
        e = self.Either.loads(
            self.Either(value=Other(1), mixed=Item("m"), new_style=Item("n")).dumps()
        )
        assert e.value == Other(1)
        assert e.new_style == Item("n")
        assert e.mixed == Item("m")

    def test_union_with_a_model_keeps_dicts_without_metadata(self):
        # As in Faust: Union[str, Item] builds Item only from a payload whose
        # metadata names it; Optional[Item] builds it from any mapping.
        e = self.Either.from_data(
            {"mixed": {"name": "x"}, "maybe": {"name": "y"}, "scalar": 1}
        )
        assert e.mixed == {"name": "x"}
        assert e.maybe == Item("y")
        assert e.scalar == 1
        assert self.Either.from_data({"mixed": "text"}).mixed == "text"
        assert self.Either(mixed={"name": "x"}).mixed == {"name": "x"}

    def test_union_with_a_model_keeps_a_dict_that_does_not_fit(self):
        payload = {"mixed": {"unrelated": 1, "other": [2]}}
        e = self.Either.loads(json.dumps(payload).encode())
        assert e.mixed == {"unrelated": 1, "other": [2]}

    def test_union_of_models_without_metadata_keeps_dict(self):
        assert self.Either.from_data({"value": {"n": 1}}).value == {"n": 1}

    def test_union_unknown_namespace(self):
        with pytest.raises(ValueError, match="names model 'nope.X'"):
            self.Either.from_data({"value": {"__faust": {"ns": "nope.X"}}})


class TestUserCoercions:
    def test_coercions_option(self):
        class Temperature:
            def __init__(self, celsius):
                self.celsius = float(celsius)

            def __eq__(self, other):
                return isinstance(other, Temperature) and other.celsius == self.celsius

        class Reading(Record, coerce=True, coercions={Temperature: Temperature}):
            temp: Temperature
            history: list[Temperature] = []

        r = Reading("21.5", history=["1", 2])
        assert r.temp == Temperature(21.5)
        assert r.history == [Temperature(1), Temperature(2)]
        t = Temperature(3)
        assert Reading(t).temp is t  # instances are not converted again
        assert Reading.from_data({"temp": "4"}).temp == Temperature(4)

    def test_coercions_with_tuple_key(self):
        class Wrapped(str):
            pass

        class M(Record, coercions={(Wrapped,): lambda v: Wrapped(f"<{v}>")}):
            w: Wrapped

        assert M("x").w == "<x>"
