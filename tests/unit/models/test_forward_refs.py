"""Models in a module using ``from __future__ import annotations``."""

from __future__ import annotations

import pytest

from faust.models import Record


class Node(Record, namespace="test_forward_refs.Node"):
    value: int
    children: list[Node] = []
    parent: Node | None = None
    leaf: Leaf | None = None


class Leaf(Record, namespace="test_forward_refs.Leaf"):
    label: str


def test_self_and_later_references():
    tree = Node(1, children=[Node(2, leaf=Leaf("x"))])
    back = Node.loads(tree.dumps())
    assert back == tree
    assert isinstance(back.children[0], Node)
    assert back.children[0].leaf == Leaf("x")


def test_string_annotations_are_evaluated():
    assert Node._options.optionalset == {"children", "parent", "leaf"}
    assert Node._options.fields["value"] is int


def test_reference_to_class_defined_later_in_a_function():
    class Outer(Record):
        inner: Inner
        items: list[Inner] = []

    class Inner(Record):
        x: int

    o = Outer.from_data({"inner": {"x": 1}, "items": [{"x": 2}]})
    assert o.inner == Inner(1)
    assert o.items == [Inner(2)]
    assert Outer.inner.x.getattr(o) == 1


def test_local_class_defined_before():
    class Item(Record):
        n: int

    class Box(Record):
        item: Item

    assert Box({"n": 1}).item == Item(1)


def test_unresolvable_reference():
    class Broken(Record):
        other: DoesNotExist  # noqa: F821

    with pytest.raises(NameError, match="cannot resolve the annotation 'DoesNotExist'"):
        Broken(1)
    with pytest.raises(NameError):
        Broken.from_data({"other": 1})
    with pytest.raises(NameError):
        Broken.make_final()
