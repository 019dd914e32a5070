import sys
import types

import pytest

from faust.models import Record, maybe_model, registry
from faust.models.base import UnknownNamespaceError, canoname
from faust.serializers import codecs


class Animal(Record, abstract=True, namespace="test_model_base.Animal"):
    name: str


class Dog(Animal, namespace="test_model_base.Dog"):
    good: bool = True


class Cat(Animal, namespace="test_model_base.Cat"):
    lives: int = 9


class Shelter(Record, namespace="test_model_base.Shelter"):
    resident: Animal
    others: list[Animal] = []


class Base(Record, namespace="test_model_base.Base"):
    id: int


class Derived(Base, namespace="test_model_base.Derived"):
    extra: str = ""


class PolyDerived(
    Base, namespace="test_model_base.PolyDerived", polymorphic_fields=True
):
    extra: str = ""


class Blessed(Record, namespace="test_model_base.Blessed", allow_blessed_key=True):
    id: int
    blessed: bool = True


class Holder(Record, namespace="test_model_base.Holder"):
    base: Base


class TestSerializer:
    def test_default_is_json(self):
        # Faust quirk #17 (dumps() returned a dict without a serializer) is fixed.
        assert Base(1).dumps() == b'{"id":1,"__faust":{"ns":"test_model_base.Base"}}'
        assert Base.loads(b'{"id": 2}') == Base(2)

    def test_class_serializer(self):
        class Bin(Record, serializer="json|binary"):
            x: int

        payload = Bin(1).dumps()
        assert codecs.loads("json|binary", payload)["x"] == 1
        assert Bin.loads(payload) == Bin(1)
        # loads: the class serializer wins over the argument (as in Faust)
        assert Bin.loads(payload, serializer="json") == Bin(1)
        # dumps: the argument wins
        assert Bin(1).dumps(serializer="json").startswith(b"{")

    def test_loads_serializer_arguments(self):
        payload = codecs.dumps("json|binary", {"id": 3})
        assert Base.loads(payload, serializer="json|binary") == Base(3)
        assert Base.loads(payload, default_serializer="json|binary") == Base(3)

    def test_loads_invalid_json(self):
        with pytest.raises(ValueError):
            Base.loads(b"{nope")

    def test_loads_not_an_object(self):
        with pytest.raises(
            TypeError, match=r"Base.from_data\(\) needs a mapping, got list"
        ):
            Base.loads(b"[1, 2]")

    def test_loads_missing_field(self):
        with pytest.raises(
            TypeError,
            match=r"Base is missing 1 required field: 'id' \(payload keys: \['other'",
        ):
            Base.loads(b'{"other": 1}')


class TestRepresentation:
    def test_to_representation_keeps_nested_models(self):
        h = Holder(Base(1))
        rep = h.to_representation()
        assert rep == {"base": Base(1), "__faust": {"ns": "test_model_base.Holder"}}
        assert h.asdict() == {"base": Base(1)}
        assert h.__json__() == rep

    def test_include_metadata_false(self):
        class Plain(Record, include_metadata=False):
            x: int

        assert Plain(1).to_representation() == {"x": 1}
        assert Plain(1).dumps() == b'{"x":1}'

    def test_subclass_json_includes_its_fields(self):
        assert Derived(1, "e").__json__() == {
            "id": 1,
            "extra": "e",
            "__faust": {"ns": "test_model_base.Derived"},
        }

    def test_user_to_representation_is_used(self):
        class Custom(Record):
            x: int

            def to_representation(self):
                return {"custom": self.x}

        class Child(Custom):
            y: int = 0

        assert Custom(1).dumps() == b'{"custom":1}'
        assert Child(2).dumps() == b'{"custom":2}'


class TestFromData:
    def test_extra_keys_are_attributes(self):
        b = Base.from_data({"id": 1, "unknown": "kept"})
        assert b.unknown == "kept"
        assert b.asdict() == {"id": 1}

    def test_does_not_adopt_the_callers_dict(self):
        data = {"id": 1}
        b = Base.from_data(data)
        b.id = 2
        assert data == {"id": 1}

    def test_model_instance_passes(self):
        b = Base(1)
        assert Base.from_data(b) is b

    def test_mapping(self):
        assert Base.from_data(types.MappingProxyType({"id": 5})) == Base(5)

    def test_not_a_mapping(self):
        with pytest.raises(TypeError, match="needs a mapping, got int"):
            Base.from_data(3)

    def test_metadata_of_another_model(self):
        # With no preferred type the metadata is honoured (as in Faust).
        payload = {"id": 1, "extra": "x", "__faust": {"ns": "test_model_base.Derived"}}
        assert type(Base.from_data(dict(payload))) is Derived
        # The registry passes preferred_type: only polymorphic models are honoured.
        assert type(Base.from_data(dict(payload), preferred_type=Base)) is Base
        payload["__faust"] = {"ns": "test_model_base.PolyDerived"}
        assert type(Base.from_data(dict(payload), preferred_type=Base)) is PolyDerived
        payload["__faust"] = {"ns": "test_model_base.Blessed"}
        assert type(Base.from_data(dict(payload), preferred_type=Base)) is Blessed

    def test_unknown_namespace_concrete(self):
        b = Base.loads(b'{"id":1,"__faust":{"ns":"renamed.Module"}}')
        assert b == Base(1)
        assert not hasattr(b, "__faust")

    def test_unknown_namespace_abstract(self):
        with pytest.raises(UnknownNamespaceError) as excinfo:
            Record.loads(b'{"id":1,"__faust":{"ns":"gone.Model"}}')
        assert isinstance(excinfo.value, KeyError)
        assert "names model 'gone.Model'" in str(excinfo.value)
        assert "is the module that defines it imported?" in str(excinfo.value)

    def test_abstract_without_metadata(self):
        with pytest.raises(TypeError, match="Cannot instantiate abstract model Record"):
            Record.loads(b'{"id": 1}')

    def test_record_loads_any_model(self):
        assert Record.loads(Dog("rex").dumps()) == Dog("rex")
        assert Animal.loads(Cat("tom").dumps()) == Cat("tom")

    def test_abstract_base_rejects_unrelated_models(self):
        with pytest.raises(
            TypeError, match="names model 'test_model_base.Base', which is not a Animal"
        ):
            Animal.loads(Base(1).dumps())


class TestPolymorphicFields:
    def test_abstract_field_type(self):
        s = Shelter(Dog("rex"), [Cat("tom"), Dog("fido", good=False)])
        back = Shelter.loads(s.dumps())
        assert back == s
        assert type(back.resident) is Dog
        assert [type(o) for o in back.others] == [Cat, Dog]

    def test_abstract_field_without_metadata_keeps_dict(self):
        assert Shelter.from_data({"resident": {"name": "x"}}).resident == {"name": "x"}

    def test_concrete_field_with_subclass_payload(self):
        h = Holder.loads(Holder(Derived(1, "e")).dumps())
        assert (
            type(h.base) is Base
        )  # Derived is not polymorphic: decoded as the field type
        assert h.base.extra == "e"  # the extra key is kept as an attribute
        h = Holder.loads(Holder(PolyDerived(1, "e")).dumps())
        assert type(h.base) is PolyDerived


class TestRegistry:
    def test_registered(self):
        assert registry["test_model_base.Dog"] is Dog
        assert "test_model_base.Animal" not in registry

    def test_maybe_model(self):
        assert maybe_model(
            {"name": "x", "__faust": {"ns": "test_model_base.Dog"}}
        ) == Dog("x")
        for value in (
            {"name": "x"},
            [1],
            "text",
            None,
            {"__faust": {"ns": "none.X"}},
            {"__faust": 1},
        ):
            assert maybe_model(value) == value

    def test_canoname_main(self, monkeypatch):
        cls = type("Thing", (), {"__module__": "__main__"})
        main = types.ModuleType("__main__")
        main.__file__ = "/srv/app/myprog.py"
        monkeypatch.setitem(sys.modules, "__main__", main)
        assert canoname(cls) == "myprog.Thing"
        main.__spec__ = types.SimpleNamespace(name="pkg.mod")
        assert canoname(cls) == "pkg.mod.Thing"

    def test_default_namespace(self):
        class Local(Record):
            x: int

        assert (
            Local._options.namespace
            == f"{__name__}.TestRegistry.test_default_namespace.<locals>.Local"
        )


def test_direct_loads_ignores_unrelated_metadata():
    class Unrelated(Record, namespace="test_model_base.Unrelated"):
        id: int

    # Faust returned an Unrelated here; a Base is what was asked for.
    loaded = Base.loads(Unrelated(1).dumps())
    assert type(loaded) is Base and loaded.id == 1


def test_from_data_leaves_nested_caller_dicts_alone():
    data = {"base": {"id": 1, "__faust": {"ns": "test_model_base.Base"}}}
    holder = Holder.from_data(data)
    assert data == {"base": {"id": 1, "__faust": {"ns": "test_model_base.Base"}}}
    data["base"]["id"] = 99
    assert holder.base.id == 1


def test_fields_typed_as_any_model():
    from faust.types.models import ModelT

    class Envelope(Record, namespace="test_model_base.Envelope"):
        payload: ModelT
        record: Record = None

    env = Envelope.loads(Envelope(Dog("rex"), Cat("tom")).dumps())
    assert env.payload == Dog("rex")
    assert env.record == Cat("tom")
    assert Envelope.from_data({"payload": {"plain": 1}}).payload == {"plain": 1}
