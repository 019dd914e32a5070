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

import inspect
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from faust.exceptions import ValidationError
from faust.types.models import ModelOptions, ModelT

from . import _build, _loader
from .base import E_ABSTRACT_INSTANCE, Model
from .descriptors import MISSING, FieldDescriptor, field_for_type
from .resolve import SCOPE_KEY, evaluate_annotation, is_classvar
from .typing import Flags, is_model_class, is_optional, remove_optional

__all__ = ["Record"]

_FRAMEWORK_MODULES = frozenset(
    {"faust.models.base", "faust.models.record", "faust.types.models"}
)


class _Spec(NamedTuple):
    """A field as declared: annotation, default and where it was declared."""

    name: str
    annotation: Any
    default: Any
    descriptor: FieldDescriptor[Any] | None
    globalns: Mapping[str, Any]
    localns: Mapping[str, Any]


def _definer_locals() -> dict[str, Any]:
    # The locals of the function whose body defines the class (if any), so
    # string annotations can name classes local to that function.
    frame = sys._getframe(1)
    while frame is not None and (
        frame.f_globals.get("__name__", "").startswith("faust.models")
        or frame.f_globals.get("__name__") == "abc"
    ):
        frame = frame.f_back  # type: ignore[assignment]  # None ends the loop
    if frame is None or frame.f_locals is frame.f_globals:
        return {}
    return dict(frame.f_locals)


def _own_specs(cls: type, extra_locals: Mapping[str, Any]) -> list[_Spec]:
    annotations = inspect.get_annotations(cls)
    if not annotations:
        return []
    module = sys.modules.get(cls.__module__)
    globalns = vars(module) if module is not None else {}
    scope = cls.__qualname__[: -len(cls.__name__)]
    localns = {**extra_locals, cls.__name__: cls, SCOPE_KEY: (cls.__module__, scope)}
    specs = []
    seen_default: list[str] = []
    for name, raw in annotations.items():
        if is_classvar(raw):
            continue
        annotation = evaluate_annotation(raw, globalns, localns)
        if is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        descriptor = value if isinstance(value, FieldDescriptor) else None
        default = MISSING if descriptor is not None else value
        if descriptor is not None and not descriptor.required or default is not MISSING:
            seen_default.append(name)
        elif seen_default:
            raise TypeError(
                f"{cls.__name__}: field {name!r} has no default but follows "
                f"field(s) with a default ({', '.join(seen_default)}); give it a "
                f"default or move it before them"
            )
        specs.append(_Spec(name, annotation, default, descriptor, globalns, localns))
    return specs


def _merged_specs(cls: type) -> dict[str, _Spec]:
    merged: dict[str, _Spec] = {}
    for base in reversed(cls.__mro__):
        if (
            base is object
            or base.__module__ in _FRAMEWORK_MODULES
            or base.__module__
            in (
                "abc",
                "typing",
            )
        ):
            continue
        own = base.__dict__.get("_faust_own_specs")
        if own is None:
            own = _own_specs(base, {})
        for spec in own:
            merged[spec.name] = spec
    return merged


def _make_descriptor(cls: type, spec: _Spec) -> FieldDescriptor[Any]:
    annotation = spec.annotation
    optional_type = is_optional(annotation)
    klass, tag = field_for_type(annotation)
    user = spec.descriptor
    if user is not None:
        required = user.required and not optional_type
        default = user.default if not required else MISSING
        changes: dict[str, Any] = {}
        if tag is not None and user.tag is None:
            changes["tag"] = tag
        descriptor: FieldDescriptor[Any] = user.clone(
            field=spec.name,
            type=annotation,
            model=cls,
            required=required,
            default=default,
            parent=None,
            **changes,
        )
        return descriptor
    if spec.default is not MISSING:
        required, default = False, spec.default
    elif optional_type:
        required, default = False, None
    else:
        required, default = True, MISSING
    return klass(
        field=spec.name,
        type=annotation,
        model=cls,
        required=required,
        default=default,
        tag=tag,
    )


def _fill_options(
    options: ModelOptions, specs: Mapping[str, _Spec], descriptors: dict[str, Any]
) -> None:
    options.fields = {name: spec.annotation for name, spec in specs.items()}
    options.fieldset = frozenset(specs)
    options.fieldpos = dict(enumerate(specs))
    options.descriptors = descriptors
    options.defaults = {n: d.default for n, d in descriptors.items() if not d.required}
    options.optionalset = frozenset(options.defaults)
    options.models = {
        n: remove_optional(s.annotation)
        for n, s in specs.items()
        if is_model_class(remove_optional(s.annotation))
    }
    options.initfield = {}
    options.polyindex = {}
    for kind in ("secret", "sensitive", "personal"):
        names = frozenset(
            n
            for n, d in descriptors.items()
            if d.tag is not None and getattr(d.tag, f"is_{kind}")
        )
        setattr(options, f"{kind}_fields", names)
        setattr(options, f"has_{kind}_fields", bool(names))
    options.tagged_fields = frozenset(
        n for n, d in descriptors.items() if d.tag is not None
    )
    options.has_tagged_fields = bool(options.tagged_fields)


def _field_flags(options: ModelOptions, spec: _Spec) -> tuple[Flags, Flags]:
    """Conversions for Python construction, and for loading payloads."""
    coerce = options.coerce
    init = Flags(
        coerce=coerce,
        dates=coerce,
        decimals=coerce,
        owned=False,
        coercions=options.coercions,
        date_parser=options.date_parser,
        globalns=spec.globalns,
        localns=spec.localns,
    )
    load = replace(
        init,
        dates=coerce or options.isodates,
        decimals=coerce or options.decimals,
        owned=True,
    )
    return init, load


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
        own = _own_specs(cls, _definer_locals())
        cls._faust_own_specs = own
        for spec in own:
            if spec.name in cls.__dict__:
                delattr(cls, spec.name)  # Point.x is served by ModelMeta.__getattr__
        specs = _merged_specs(cls)
        descriptors = {
            name: _make_descriptor(cls, spec) for name, spec in specs.items()
        }
        _fill_options(options, specs, descriptors)
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
        for name in ("asdict", "to_representation"):
            if (
                _is_generated(getattr(cls, name, None))
                or name not in cls.__dict__
                and getattr(cls, name) is getattr(Record, name)
            ):
                setattr(
                    cls,
                    name,
                    _build.build_asdict(cls, options, metadata=name != "asdict"),
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
        specs: Mapping[str, _Spec] = cls._faust_specs
        for name, descr in options.descriptors.items():
            descr.on_model_attached(*_field_flags(options, specs[name]))  # type: ignore[attr-defined]  # ours
        direct = cls._install_setattr(options)
        init_fn = _build.build_init(cls, options, direct_dict=direct)
        cls._model_init = init_fn
        if cls._faust_generated_init:
            cls.__init__ = init_fn  # type: ignore[method-assign]  # generated
            load, load_into = _loader.build_load(cls)
        else:
            load = _loader.load_via_init(cls)
            load_into = _loader.build_load(cls)[1]
        cls._load = staticmethod(load)
        cls._load_into = load_into
        inherited = cls.__dict__.get("loads", cls.loads)
        if (
            _is_generated(inherited)
            or getattr(inherited, "__func__", None) is Model.__dict__["loads"].__func__
        ):
            cls.loads = _build.build_loads(cls, options, load)  # type: ignore[method-assign]  # generated
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
