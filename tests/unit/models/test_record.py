# ruff: noqa: UP006, UP035 - the typing spellings are under test
import pickle
from typing import ClassVar, List, Optional

import pytest

import faust
from faust.models import FieldDescriptor, Model, Record, registry
from faust.models.fields import IntegerField, StringField


class Point(Record, serializer="json"):
    x: int
    y: int = 0


class Point3(Point):
    z: int = 0


class TestDeclaration:
    def test_fields_and_options(self):
        options = Point3._options
        assert list(options.fields) == ["x", "y", "z"]
        assert options.fields["x"] is int
        assert options.fieldset == frozenset({"x", "y", "z"})
        assert options.fieldpos == {0: "x", 1: "y", 2: "z"}
        assert options.defaults == {"y": 0, "z": 0}
        assert options.optionalset == frozenset({"y", "z"})
        assert set(options.descriptors) == {"x", "y", "z"}
        assert options.namespace == f"{__name__}.Point3"
        assert options.serializer == "json"  # inherited
        assert registry[options.namespace] is Point3

    def test_classvar_is_not_a_field(self):
        class WithClassVar(Record):
            counter: ClassVar[int] = 0
            other: "ClassVar[str]" = "x"
            x: int

        assert list(WithClassVar._options.fields) == ["x"]
        assert WithClassVar.counter == 0
        assert WithClassVar(1).x == 1

    def test_non_default_after_default(self):
        with pytest.raises(
            TypeError, match="field 'b' has no default but follows field"
        ):

            class Bad(Record):
                a: int = 1
                b: int

    def test_required_field_in_subclass_after_defaults(self):
        class Sub(Point):
            label: str

        # required fields come first in the positional signature
        s = Sub(1, "label")
        assert (s.x, s.y, s.label) == (1, 0, "label")
        assert Sub(x=1, label="a") == Sub(1, "a")

    def test_optional_annotation_means_default_none(self):
        class Opt(Record):
            a: Optional[int]
            b: "int | None"

        assert Opt().a is None
        assert Opt().b is None
        assert Opt._options.optionalset == {"a", "b"}

    def test_unknown_option(self):
        with pytest.raises(TypeError, match="unknown model option.*serialiser"):

            class Bad(Record, serialiser="json"):
                x: int

    def test_options_class(self):
        class WithOptions(Record):
            x: int

            class Options:
                serializer = "binary"
                namespace = "custom.ns"
                include_metadata = False

        assert WithOptions._options.serializer == "binary"
        assert WithOptions._options.namespace == "custom.ns"
        assert not hasattr(WithOptions, "Options")
        assert WithOptions(1).to_representation() == {"x": 1}

    def test_options_class_unknown(self):
        with pytest.raises(TypeError, match="unknown model option 'nope'"):

            class Bad(Record):
                class Options:
                    nope = 1

    def test_options_are_inherited_and_overridable(self):
        class Base(Record, serializer="json|binary", coerce=True, isodates=True):
            x: int

        class Child(Base, coerce=False):
            y: int = 0

        assert Child._options.serializer == "json|binary"
        assert Child._options.isodates
        assert not Child._options.coerce
        assert Child._options.namespace.endswith("Child")

    def test_model_is_exported(self):
        assert faust.Record is Record
        assert faust.Model is Model
        assert issubclass(Record, Model)


class TestConstruction:
    def test_positional_and_keyword(self):
        assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
        assert Point(1).y == 0
        assert Point3(1, 2, 3).z == 3

    def test_none_means_default(self):
        # As in Faust: None passed to a field with a default gives the default.
        assert Point(1, None).y == 0

    def test_missing_required(self):
        with pytest.raises(
            TypeError,
            match=r"Point.__init__\(\) missing 1 required positional argument: 'x'",
        ):
            Point()

    def test_too_many_positional(self):
        with pytest.raises(TypeError):
            Point(1, 2, 3)

    def test_unexpected_keyword(self):
        with pytest.raises(TypeError, match="Point got unexpected argument: z"):
            Point(1, z=3)
        with pytest.raises(TypeError, match="Point got unexpected arguments: a, b"):
            Point(1, b=1, a=2)

    def test_metadata_keyword_is_ignored(self):
        assert Point(1, __faust={"ns": "whatever"}) == Point(1)

    def test_non_strict_keeps_extra(self):
        p = Point(1, extra="kept", __strict__=False)
        assert p.extra == "kept"
        assert "extra='kept'" in repr(p)

    def test_mutable_defaults_are_copied(self):
        class Bag(Record):
            items: List[int] = []
            meta: dict = {}

        a, b = Bag(), Bag()
        a.items.append(1)
        a.meta["k"] = 1
        assert b.items == [] and b.meta == {}
        assert Bag._options.defaults["items"] == []
        c = Bag.from_data({})
        assert c.items == [] and c.items is not Bag._options.defaults["items"]

    def test_abstract(self):
        class Base(Record, abstract=True):
            x: int

        with pytest.raises(
            NotImplementedError, match="Cannot instantiate abstract model Base"
        ):
            Base(1)
        with pytest.raises(NotImplementedError):
            Record()

        class Concrete(Base):
            pass

        assert Concrete(1).x == 1
        assert (
            Base._options.namespace not in registry
            or registry[Base._options.namespace] is not Base
        )

    def test_post_init(self):
        class WithPost(Record):
            x: int

            def __post_init__(self):
                self.double = self.x * 2

        assert WithPost(2).double == 4
        assert WithPost.from_data({"x": 3}).double == 6

    def test_custom_init_calling_super(self):
        class Custom(Record):
            x: int
            y: int = 0

            def __init__(self, x, **kwargs):
                super().__init__(x=x * 10, **kwargs)

        assert Custom(1).x == 10
        loaded = Custom.from_data({"x": 2, "y": 3})
        assert (loaded.x, loaded.y) == (20, 3)

    def test_custom_init_in_base_and_model_init(self):
        class Base(Record):
            x: int

            def __init__(self, *args, **kwargs):
                self.seen = True
                self._model_init(*args, **kwargs)

        b = Base(1)
        assert b.seen and b.x == 1

    def test_pickle_and_copy(self):
        import copy

        p = Point3(1, 2, 3)
        assert pickle.loads(pickle.dumps(p)) == p
        assert copy.copy(p) == p
        assert copy.deepcopy(p) == p


class TestDunders:
    def test_eq(self):
        assert Point(1, 2) == Point(1, 2)
        assert Point(1, 2) != Point(2, 1)
        assert Point(1) != (1, 0)
        assert Point(1) != Point3(1)  # different classes never compare equal

    def test_hash(self):
        assert hash(Point(1, 2)) == hash(Point(1, 2))
        assert len({Point(1), Point(1), Point(2)}) == 2

    def test_ordering(self):
        assert Point(1, 2) < Point(2, 0)
        assert Point(1, 2) <= Point(1, 2)
        assert Point(3) > Point(2, 9)
        assert Point(3) >= Point(3)
        assert sorted([Point(2), Point(1, 5), Point(1, 1)]) == [
            Point(1, 1),
            Point(1, 5),
            Point(2),
        ]
        with pytest.raises(TypeError):
            Point(1) < 1  # noqa: B015

    def test_user_dunders_are_kept(self):
        class Named(Record):
            name: str

            def __eq__(self, other):
                return (
                    isinstance(other, Named) and other.name.lower() == self.name.lower()
                )

            def __hash__(self):
                return hash(self.name.lower())

        assert Named("A") == Named("a")
        assert hash(Named("A")) == hash(Named("a"))

    def test_prepare_dict_override_shapes_asdict_and_payload(self):
        class Tagged(Record, namespace="t.Tagged"):
            name: str
            secret: str = ""

            def _prepare_dict(self, payload):
                payload.pop("secret")
                return {**payload, "kind": "tagged"}

        class Child(Tagged, namespace="t.Child"):
            extra: int = 0

        t = Tagged("a", "s")
        assert t.asdict() == {"name": "a", "kind": "tagged"}
        assert t.to_representation() == {
            "name": "a",
            "kind": "tagged",
            "__faust": {"ns": "t.Tagged"},
        }
        assert b'"secret"' not in t.dumps()
        assert Child("b", extra=1).asdict() == {
            "name": "b",
            "extra": 1,
            "kind": "tagged",
        }
        assert Point(1, 2).asdict() == {"x": 1, "y": 2}

    def test_repr(self):
        assert repr(Point(1, 2)) == "<Point: x=1, y=2>"
        assert repr(Point3(1)) == "<Point3: x=1, y=0, z=0>"


class TestDescriptors:
    def test_class_attribute(self):
        assert isinstance(Point.x, FieldDescriptor)
        assert isinstance(Point.x, IntegerField)
        assert Point.x.field == "x"
        assert Point.x.model is Point
        assert Point.x.type is int
        assert Point.x.required and not Point.y.required
        assert Point.y.default == 0
        assert Point.x.ident == "Point.x"
        assert repr(Point.y) == "<IntegerField: Point.y: int = 0>"
        assert repr(Point.x) == "<IntegerField: Point.x: int>"
        assert Point3.x.model is Point3
        assert "x" in dir(Point)

    def test_unknown_class_attribute(self):
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            Point.nope  # noqa: B018

    def test_instance_values_are_plain_attributes(self):
        p = Point(1, 2)
        assert vars(p) == {"x": 1, "y": 2}
        p.x = 5
        assert p.x == 5

    def test_getattr(self):
        assert Point.y.getattr(Point(1, 7)) == 7

    def test_nested(self):
        class Segment(Record):
            a: Point
            b: Optional[Point] = None

        seg = Segment(Point(1, 2), Point(3, 4))
        assert Segment.a.x.getattr(seg) == 1
        assert Segment.b.y.getattr(seg) == 4
        assert Segment.a.x.parent is Segment.a
        assert Segment.a.x is Segment.a.x  # cached
        assert Segment.a.x.ident == "Point.x"
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            Segment.a.nope  # noqa: B018
        with pytest.raises(AttributeError):
            Point.x.y  # noqa: B018 - not a model field

    def test_missing_instance_value(self):
        p = Point.__new__(Point)
        with pytest.raises(AttributeError):
            p.x  # noqa: B018
        assert Point.y.__get__(p, Point) == 0
        with pytest.raises(AttributeError, match="Point.x has no value"):
            Point.x.__get__(p, Point)

    def test_explicit_descriptor(self):
        class Doc(Record):
            title: str = StringField(max_length=10)
            body: str = StringField(default="", required=False)

        assert Doc.title.required
        assert Doc.title.max_length == 10
        assert Doc("t").body == ""

    def test_descriptor_default_makes_field_optional(self):
        # Faust bug #16: StringField(default=..., input_name=...) stayed required.
        class Query(Record):
            q: str = StringField(default="query", input_name="in")

        assert Query().q == "query"
        assert Query.from_data({"in": "x"}).q == "x"
        assert not Query.q.required

    def test_explicit_required_with_default(self):
        class Strict(Record):
            a: int = IntegerField(default=1, required=True)

        with pytest.raises(TypeError, match="missing 1 required"):
            Strict()

    def test_descriptor_clone(self):
        clone = Point.x.clone(field="other")
        assert clone.field == "other" and clone.type is int and clone.model is Point


class TestDerive:
    def test_derive(self):
        p = Point3(1, 2, 3)
        assert p.derive(z=9) == Point3(1, 2, 9)
        assert p.derive(Point(5, 6)) == Point3(5, 6, 3)
        assert p.derive(Point(5, 6), x=7) == Point3(7, 6, 3)
        assert p == Point3(1, 2, 3)

    def test_derive_unknown_field(self):
        with pytest.raises(TypeError, match="unexpected argument: nope"):
            Point(1).derive(nope=1)


class TestFrozen:
    def test_frozen(self):
        class Frozen(Record, frozen=True):
            x: int

        f = Frozen(1)
        with pytest.raises(
            AttributeError, match="Frozen is frozen: cannot assign to 'x'"
        ):
            f.x = 2
        with pytest.raises(AttributeError, match="cannot delete 'x'"):
            del f.x
        assert Frozen.from_data({"x": 3}).x == 3
        assert hash(f) == hash(Frozen(1))

        class Child(Frozen):
            y: int = 0

        with pytest.raises(AttributeError):
            Child(1).y = 1

    def test_not_frozen_child_of_coercing_parent_resets_setattr(self):
        class Parent(Record, coerce=True):
            x: int

        class Child(Parent, coerce=False):
            pass

        c = Child(1)
        c.x = "2"
        assert c.x == "2"
        p = Parent(1)
        p.x = "2"
        assert p.x == 2


class TestLazyCreation:
    def test_lazy_creation(self):
        class Lazy(Record, lazy_creation=True):
            x: int

        Lazy.make_final()
        assert Lazy(1).x == 1
        Lazy.make_final()  # again is fine

    def test_lazy_first_use(self):
        class Lazy2(Record, lazy_creation=True):
            x: int

        assert Lazy2.from_data({"x": 1}).x == 1
        assert Lazy2(2).x == 2


def test_generated_source_is_available():
    assert "def __init__(self, x, y=None" in Point.__init__.__sourcecode__
    assert "def _load(data, _preferred=_cls)" in Point._load.__sourcecode__
