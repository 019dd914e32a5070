"""Record: a model whose fields are declared with class annotations.

::

    class Point(faust.Record, serializer="json"):
        x: int
        y: int = 0

    Point(1, 2) == Point(x=1, y=2)      # True
    Point(1).dumps()    # b'{"x":1,"y":0,"__faust":{"ns":"app.Point"}}'
    Point.loads(b'{"x": 3, "y": 4}')    # <Point: x=3, y=4>

When a subclass is created, its fields are collected over the class
hierarchy, a descriptor is made for each (see :mod:`faust.models.fields`)
and methods specialised to the fields are generated (see
:mod:`faust.models._build`).  Converters are compiled at that point too;
if an annotation names a class that does not exist yet (a forward
reference), that last step waits until the class is first used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from faust.exceptions import ValidationError
from faust.types.models import ModelOptions, ModelT

from . import _build, _loader
from ._declare import (
    Spec,
    definer_locals,
    field_flags,
    fill_options,
    make_descriptor,
    merged_specs,
    own_specs,
)
from .base import E_ABSTRACT_INSTANCE, Model

__all__ = ["Record"]


def _is_generated(value: Any) -> bool:
    return getattr(value, "_faust_generated", False) is True


class Record(Model, abstract=True):
    """A model with fields declared as class annotations.

    Class options (keyword arguments of the class statement, or attributes
    of a nested ``class Options``): ``serializer``, ``namespace``,
    ``include_metadata``, ``isodates``, ``decimals``, ``coerce``,
    ``coercions``, ``validation``, ``polymorphic_fields``,
    ``allow_blessed_key``, ``date_parser``, ``abstract``, ``frozen``,
    ``lazy_creation``; see the user guide.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if cls.__is_abstract__:
            raise NotImplementedError(E_ABSTRACT_INSTANCE.format(name=cls.__name__))
        cls._model_init(self, *args, **kwargs)

    @classmethod
    def _contribute(cls, options: ModelOptions, *, abstract: bool, lazy: bool) -> None:
        own = own_specs(cls, definer_locals())
        cls._faust_own_specs = own
        for spec in own:
            if spec.name in cls.__dict__:
                delattr(cls, spec.name)  # Point.x is served by ModelMeta.__getattr__
        specs = merged_specs(cls)
        descriptors = {name: make_descriptor(cls, spec) for name, spec in specs.items()}
        fill_options(options, specs, descriptors)
        cls._faust_specs = specs
        if abstract:
            if "__init__" not in cls.__dict__:
                cls.__init__ = Record.__init__  # type: ignore[method-assign]  # raises
            return
        cls._faust_generated_init = "__init__" not in cls.__dict__
        cls._install_methods(options)
        cls._faust_plan_ready = False
        if lazy:
            cls._defer_plan()
            return
        try:
            cls._finalize_plan()
        except NameError:
            cls._defer_plan()  # a forward reference: retried on first use

    @classmethod
    def _install_methods(cls, options: ModelOptions) -> None:
        fields = list(options.descriptors)
        prepare = cls._prepare_dict is not Record._prepare_dict
        for name in ("asdict", "to_representation"):
            if (
                _is_generated(getattr(cls, name, None))
                or name not in cls.__dict__
                and getattr(cls, name) is getattr(Record, name)
            ):
                setattr(
                    cls,
                    name,
                    _build.build_asdict(
                        cls, options, metadata=name != "asdict", prepare=prepare
                    ),
                )
        if not options.include_metadata and _is_generated(cls.to_representation):
            cls.to_representation = cls.asdict  # type: ignore[method-assign]  # same shape
        if "__json__" not in cls.__dict__ and (
            cls.__json__ is Record.__json__ or _is_generated(cls.__json__)
        ):
            cls.__json__ = cls.to_representation  # type: ignore[method-assign]  # one call less
        for name, op in (
            ("__eq__", "=="),
            ("__lt__", "<"),
            ("__le__", "<="),
            ("__gt__", ">"),
            ("__ge__", ">="),
        ):
            if name not in cls.__dict__:
                setattr(cls, name, _build.build_compare(cls, fields, name, op))
        if (
            "__hash__" not in cls.__dict__
            or cls.__dict__["__hash__"] is None
            and "__eq__" not in cls.__dict__
        ):
            cls.__hash__ = _build.build_hash(cls, fields)  # type: ignore[method-assign]  # generated

    @classmethod
    def _defer_plan(cls) -> None:
        def deferred_init(self: Any, *args: Any, **kwargs: Any) -> None:
            target = type(self)
            target._finalize_plan()
            target._model_init(self, *args, **kwargs)

        def deferred_load(data: dict[str, Any], _preferred: Any = cls) -> Any:
            cls._finalize_plan()
            return cls._load(data, _preferred)

        def deferred_load_into(self: Any, data: dict[str, Any]) -> None:
            cls._finalize_plan()
            cls._load_into(self, data)

        cls._model_init = deferred_init
        if cls._faust_generated_init:
            cls.__init__ = deferred_init  # type: ignore[method-assign]  # replaced when ready
        cls._load = staticmethod(deferred_load)
        cls._load_into = deferred_load_into

    @classmethod
    def make_final(cls) -> None:
        """Compile converters and methods now (``lazy_creation=True`` classes).

        Raises:
            NameError: an annotation names a class that does not exist.
        """
        if not cls.__is_abstract__:
            cls._finalize_plan()

    @classmethod
    def _finalize_plan(cls) -> None:
        if cls.__dict__.get("_faust_plan_ready"):
            return
        options = cls._options
        specs: Mapping[str, Spec] = cls._faust_specs
        for name, descr in options.descriptors.items():
            descr.on_model_attached(*field_flags(options, specs[name]))  # type: ignore[attr-defined]  # ours
        direct = cls._install_setattr(options)
        init_fn = _build.build_init(cls, options, direct_dict=direct)
        cls._model_init = init_fn
        if cls._faust_generated_init:
            cls.__init__ = init_fn  # type: ignore[method-assign]  # generated
            load, load_into, loads = _loader.build_load(cls)
            loads_method = classmethod(loads)
        else:
            load = _loader.load_via_init(cls)
            load_into = _loader.build_load(cls).load_into
            loads_method = _build.build_loads(cls, options, load)
        cls._load = staticmethod(load)
        cls._load_into = load_into
        inherited = cls.__dict__.get("loads", cls.loads)
        if (
            _is_generated(inherited)
            or getattr(inherited, "__func__", None) is Model.__dict__["loads"].__func__
        ):
            cls.loads = loads_method  # type: ignore[method-assign, assignment]  # generated
        cls._faust_plan_ready = True

    @classmethod
    def _install_setattr(cls, options: ModelOptions) -> bool:
        descriptors = options.descriptors
        converters = {
            name: d._init_conv  # type: ignore[attr-defined]  # ours
            for name, d in descriptors.items()
            if d._init_conv is not None  # type: ignore[attr-defined]  # ours
        }
        needed = options.frozen or (
            converters
            and (
                options.coerce
                or options.has_tagged_fields
                or any(getattr(d, "coerce", False) for d in descriptors.values())
            )
        )
        if "__setattr__" in cls.__dict__ and not _is_generated(
            cls.__dict__["__setattr__"]
        ):
            return True  # the user's own: bypass it when storing converted values
        if not needed:
            if _is_generated(cls.__setattr__):
                cls.__setattr__ = object.__setattr__  # type: ignore[method-assign]  # reset
            return cls.__setattr__ is not object.__setattr__
        cls.__setattr__ = _make_setattr(cls, converters, frozen=options.frozen)  # type: ignore[method-assign]  # generated
        if options.frozen:
            cls.__delattr__ = _make_setattr(cls, {}, frozen=True, delete=True)  # type: ignore[method-assign]  # generated
        return True

    # -- instances -------------------------------------------------------------

    def asdict(self) -> dict[str, Any]:  # pragma: no cover - replaced per class
        """Return the fields keyed by output name (excluded fields left out)."""
        raise NotImplementedError

    def to_representation(self) -> Mapping[str, Any]:  # pragma: no cover - replaced
        """Return :meth:`asdict` plus the ``__faust`` metadata (unless disabled)."""
        raise NotImplementedError

    def _prepare_dict(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Return the fields of :meth:`asdict`, changed as the class needs.

        Override to rename, add or drop keys of :meth:`asdict` and of the
        serialized payload (the ``__faust`` metadata is added afterwards).
        """
        return payload

    def __json__(self) -> Any:
        return self.to_representation()

    def _derive(self, *objects: ModelT, **fields: Any) -> ModelT:
        names = self._options.descriptors
        data = {name: getattr(self, name) for name in names}
        for obj in objects:
            data.update(
                (n, getattr(obj, n)) for n in obj._options.descriptors if n in names
            )
        data.update(fields)
        return type(self)(**data)

    def _itervalidate(self) -> Iterator[ValidationError]:
        for name, descr in self._options.descriptors.items():
            value = self.__dict__.get(name, descr.default)
            yield from descr.validate_all(value)  # type: ignore[attr-defined]  # ours
            for nested in _nested_models(value):
                yield from nested._itervalidate()

    def _humanize(self) -> str:
        values = self.__dict__
        names = [n for n in self._options.descriptors if n in values]
        names += [
            n
            for n in values
            if n not in self._options.descriptors and not n.startswith("__")
        ]
        return ", ".join(f"{name}={values[name]!r}" for name in names)


def _nested_models(value: Any) -> Iterator[Record]:
    if isinstance(value, Record):
        yield value
    elif isinstance(value, (list, tuple, set, frozenset)):
        yield from (v for v in value if isinstance(v, Record))
    elif isinstance(value, dict):
        yield from (v for v in value.values() if isinstance(v, Record))


def _make_setattr(
    cls: type, converters: Mapping[str, Any], *, frozen: bool, delete: bool = False
) -> Any:
    setter = object.__setattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if frozen:
            raise AttributeError(f"{cls.__name__} is frozen: cannot assign to {name!r}")
        conv = converters.get(name)
        if conv is not None:
            try:
                value = conv(value)
            except _build._CONVERSION_ERRORS as exc:
                raise _build.field_error(cls, name, exc) from exc
        setter(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        raise AttributeError(f"{cls.__name__} is frozen: cannot delete {name!r}")

    fun = __delattr__ if delete else __setattr__
    setattr(fun, "_faust_generated", True)  # noqa: B010 - marks generated code
    return fun
