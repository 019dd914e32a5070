"""Faust-compatible pieces of the models API: descriptors, tags, typing."""

from __future__ import annotations

from typing import Optional

import faust
from faust.models.fields import FieldDescriptor, StringField
from faust.models.tags import Secret, Sensitive
from faust.models.typing import NodeType


class Point(faust.Record):
    x: int
    y: int


class Shape(faust.Record):
    name: str
    points: list[Point]
    center: Optional[Point] = None


def test_related_models_lists_models_in_the_field_type() -> None:
    assert Shape.points.related_models == {Point}
    assert Shape.center.related_models == {Point}
    assert Shape.name.related_models == set()


def test_on_model_attached_without_flags_uses_the_model_options() -> None:
    class Item(faust.Record, coerce=True):
        label: str = StringField(max_length=3)

    descr: FieldDescriptor[str] = Item.label
    descr.on_model_attached()  # Faust calls it with no arguments
    assert Item(label=12).label == "12"


def test_tag_value_is_the_wrapped_value() -> None:
    assert Secret("hunter2").value == "hunter2"
    assert Sensitive(123).value == 123


def test_node_type_names_faust_kinds() -> None:
    assert NodeType.MODEL.value == "MODEL"
    assert {n.name for n in NodeType} >= {"ROOT", "UNION", "LIST", "DICT", "USER"}


def test_custom_model_kind_can_call_model_init_with_fields() -> None:
    from faust.models.base import Model

    class Pair(Model, abstract=True):
        def __init__(self, left: int, right: int) -> None:
            super().__init__(left, right)
            self.left, self.right = left, right

        def to_representation(self) -> list[int]:
            return [self.left, self.right]

    pair = Pair(1, 2)
    assert pair.to_representation() == [1, 2]
