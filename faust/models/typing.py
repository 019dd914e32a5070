"""Annotation -> converter: how a field's value is shaped into its type.

Each model field has an annotation (``int``, ``List[Point]``,
``Optional[Dict[str, datetime]]``, a string under
``from __future__ import annotations``, ...).  When the model class is
created, :func:`compile_converter` turns the annotation into one plain
function, or ``None`` when values are stored as given.  Constructing and
loading records then costs one call per field that needs work and nothing
for the others.

What a converter does:

* models: a mapping becomes the model (its ``__faust`` metadata is honoured
  as the model's options say); a model instance is kept.
* ``list``/``set``/``frozenset``/``tuple``/``dict`` and their ``typing``
  and ``collections.abc`` spellings: items are converted; a JSON list
  becomes the declared ``set``/``tuple``; ``NamedTuple`` classes are rebuilt.
* ``Optional``: ``None`` passes.  A union of several types builds the model
  named by ``__faust`` metadata; other values (plain dicts too) pass through.
* ``datetime``/``date``: parsed from strings when ``Flags.dates``.
* ``Decimal``: parsed from strings and numbers when ``Flags.decimals``.
* ``int``/``float``/``str``/``bytes``/``bool``/``Enum``/``UUID``: converted
  when ``Flags.coerce``.
* any type in ``Flags.coercions`` (the ``coercions`` model option): the
  user's function.

Forward references (strings) are resolved when the converter is compiled,
which happens on first use if the referenced class did not exist yet when
the model was created.
"""

from __future__ import annotations

import collections.abc as cabc
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ForwardRef, Union

from faust.types.models import ModelT

from ._scalars import _date, _datetime, _decimal, _scalar
from .resolve import resolve_ref

__all__ = [
    "Flags",
    "Converter",
    "NodeType",
    "compile_converter",
    "is_optional",
    "remove_optional",
]


class NodeType(Enum):
    """The kinds of type a field annotation is made of (as Faust names them)."""

    ROOT = "ROOT"
    UNION = "UNION"
    ANY = "ANY"
    LITERAL = "LITERAL"
    DATETIME = "DATETIME"
    DECIMAL = "DECIMAL"
    NAMEDTUPLE = "NAMEDTUPLE"
    TUPLE = "TUPLE"
    SET = "SET"
    DICT = "DICT"
    LIST = "LIST"
    MODEL = "MODEL"
    USER = "USER"


Converter = Callable[[Any], Any]

_NoneType = type(None)
_LIST_ORIGINS = {
    list,
    cabc.Sequence,
    cabc.MutableSequence,
    cabc.Iterable,
    cabc.Collection,
}
_SET_ORIGINS = {set, cabc.Set, cabc.MutableSet}
_DICT_ORIGINS = {dict, cabc.Mapping, cabc.MutableMapping}


@dataclass(frozen=True)
class Flags:
    """Which conversions a converter performs."""

    #: convert scalars (``int``, ``str``, ...) to the annotated type.
    coerce: bool = False
    #: parse ``datetime``/``date`` strings.
    dates: bool = False
    #: parse ``Decimal`` strings/numbers.
    decimals: bool = False
    #: mappings are fresh (decoded payloads) and may be adopted, not copied.
    owned: bool = False
    #: user conversions: type (or tuple of types) -> function.
    coercions: Mapping[Any, Converter] = field(default_factory=dict)
    #: parses date strings.
    date_parser: Converter | None = None
    #: namespace used to resolve forward references.
    globalns: Mapping[str, Any] = field(default_factory=dict, compare=False)
    localns: Mapping[str, Any] = field(default_factory=dict, compare=False)


def is_optional(typ: Any) -> bool:
    """Return True if ``typ`` is ``Optional[X]`` (a union including ``None``)."""
    return _is_union(typ) and _NoneType in typing.get_args(typ)


def remove_optional(typ: Any) -> Any:
    """``Optional[X]`` -> ``X`` (``Union[A, B, None]`` -> ``Union[A, B]``)."""
    if not is_optional(typ):
        return typ
    rest = tuple(a for a in typing.get_args(typ) if a is not _NoneType)
    return rest[0] if len(rest) == 1 else Union[rest]


def _is_union(typ: Any) -> bool:
    origin = typing.get_origin(typ)
    return origin is Union or origin is types.UnionType


def is_model_class(typ: Any) -> bool:
    """Return True if ``typ`` is a model class (abstract or concrete)."""
    return isinstance(typ, type) and issubclass(typ, ModelT)


def compile_converter(typ: Any, flags: Flags) -> Converter | None:
    """Return a function converting values to ``typ``, or None if none is needed.

    Raises:
        NameError: a forward reference cannot be resolved.
    """
    if isinstance(typ, (str, ForwardRef)):
        typ = resolve_ref(typ, flags.globalns, flags.localns)
    user = _user_coercion(typ, flags)
    if user is not None:
        return user
    if typ is Any or typ is object or isinstance(typ, typing.TypeVar):
        return None
    origin = typing.get_origin(typ)
    if origin is typing.Annotated:
        return compile_converter(typing.get_args(typ)[0], flags)
    if _is_union(typ):
        return _union(typ, flags)
    if origin is not None:
        return _generic(typ, origin, typing.get_args(typ), flags)
    if isinstance(typ, type):
        return _class(typ, flags)
    return None


def _user_coercion(typ: Any, flags: Flags) -> Converter | None:
    for key, fun in flags.coercions.items():
        types = key if isinstance(key, tuple) else (key,)
        if typ in types or (
            isinstance(typ, type)
            and any(isinstance(t, type) and issubclass(typ, t) for t in types)
        ):
            return _skip_instances(types, fun)
    return None


def _skip_instances(types: tuple[Any, ...], fun: Converter) -> Converter:
    classes = tuple(t for t in types if isinstance(t, type))

    def coerce_user(v: Any) -> Any:
        if v is None or (classes and isinstance(v, classes)):
            return v
        return fun(v)

    return coerce_user


def _class(typ: type, flags: Flags) -> Converter | None:
    if issubclass(typ, ModelT):
        return _model(typ, flags)
    if issubclass(typ, tuple) and hasattr(typ, "_fields"):
        return _namedtuple(typ, flags)
    if typ in (list, set, frozenset, tuple, dict):
        return _generic(typ, typ, (), flags)
    if issubclass(typ, datetime):
        return _datetime(flags.date_parser) if flags.dates else None
    if issubclass(typ, date):
        return _date if flags.dates else None
    if issubclass(typ, Decimal):
        return _decimal if flags.decimals else None
    if flags.coerce:
        return _scalar(typ)
    return None


def _model(model: type[ModelT], flags: Flags) -> Converter:
    owned = flags.owned
    # ModelT itself (the interface) has no loader: any model, by metadata.
    from_field = getattr(model, "_from_field", None) or _any_model
    # A concrete model's generated _load checks the payload's metadata itself.
    if getattr(model, "__is_abstract__", True):
        load = from_field
    elif model.__dict__.get("_faust_plan_ready"):
        load = model._load  # type: ignore[attr-defined]  # Record API
    else:
        # The model is being created (a self reference) or waits for a
        # forward reference: look its loader up at call time.
        def load(v: Any) -> Any:
            return model._load(v)  # type: ignore[attr-defined]  # Record API

    def to_model(v: Any) -> Any:
        if v.__class__ is dict:
            return load(v if owned else dict(v))
        if v is None or v.__class__ is model or isinstance(v, ModelT):
            return v
        if isinstance(v, Mapping):
            return load(dict(v))
        raise TypeError(
            f"expected {model.__name__} or a mapping, got {type(v).__name__}: {v!r}"
        )

    to_model.model = model  # type: ignore[attr-defined]  # read by code generation
    # Payload loads may hand dicts straight to the loader (they are owned).
    to_model.load = load if owned else None  # type: ignore[attr-defined]  # code generation
    return to_model


def _any_model(data: dict[str, Any]) -> Any:
    from faust.serializers.registry import reconstruct

    return reconstruct(data)


def _union(typ: Any, flags: Flags) -> Converter | None:
    members = [a for a in typing.get_args(typ) if a is not _NoneType]
    members = [
        resolve_ref(m, flags.globalns, flags.localns)
        if isinstance(m, (str, ForwardRef))
        else m
        for m in members
    ]
    if len(members) == 1:
        return compile_converter(members[0], flags)
    if not any(is_model_class(m) for m in members):
        return None
    from faust.serializers.registry import reconstruct

    def to_union(v: Any) -> Any:
        # As in Faust: only a mapping whose ``__faust`` metadata names a model
        # becomes that model; any other value, dicts included, is kept as is.
        if isinstance(v, dict) and "__faust" in v:
            owned = flags.owned and v.__class__ is dict
            return reconstruct(v if owned else dict(v))
        return v

    return to_union


def _generic(
    typ: Any, origin: Any, args: tuple[Any, ...], flags: Flags
) -> Converter | None:
    if origin in _LIST_ORIGINS:
        item = compile_converter(args[0], flags) if args else None
        return _list(item) if item is not None else None
    if origin in _SET_ORIGINS or origin is frozenset or origin is cabc.Set:
        item = compile_converter(args[0], flags) if args else None
        return _set(frozenset if origin is frozenset else set, item)
    if origin is tuple:
        return _tuple(args, flags)
    if origin in _DICT_ORIGINS or (
        isinstance(origin, type) and issubclass(origin, Mapping)
    ):
        key = compile_converter(args[0], flags) if args else None
        value = compile_converter(args[1], flags) if len(args) > 1 else None
        factory = None if origin in _DICT_ORIGINS else origin
        if key is None and value is None and factory is None:
            return None
        return _dict(key, value, factory)
    return None


def _list(item: Converter) -> Converter:
    load = getattr(item, "load", None)
    if load is not None:
        # list of models: one call per item in the common case.
        def to_model_list(v: Any) -> Any:
            if v is None:
                return v
            return [load(x) if x.__class__ is dict else item(x) for x in v]

        to_model_list.item_model = item.model  # type: ignore[attr-defined]  # code generation
        to_model_list.item = item  # type: ignore[attr-defined]  # code generation
        return to_model_list

    def to_list(v: Any) -> Any:
        if v is None:
            return v
        return [item(x) for x in v]

    return to_list


def _set(kind: type, item: Converter | None) -> Converter:
    def to_set(v: Any) -> Any:
        if v is None:
            return v
        if item is None:
            return v if v.__class__ is kind else kind(v)
        return kind(item(x) for x in v)

    return to_set


def _tuple(args: tuple[Any, ...], flags: Flags) -> Converter:
    if len(args) == 2 and args[1] is Ellipsis:
        item = compile_converter(args[0], flags)
        args = ()
    else:
        item = None
    positional = [compile_converter(a, flags) for a in args if a != ()]

    def to_tuple(v: Any) -> Any:
        if v is None:
            return v
        if item is not None:
            return tuple(item(x) for x in v)
        if any(positional):
            if len(v) != len(positional):
                raise ValueError(f"expected {len(positional)} items, got {len(v)}")
            pairs = zip(positional, v, strict=True)
            return tuple(c(x) if c is not None else x for c, x in pairs)
        return v if v.__class__ is tuple else tuple(v)

    return to_tuple


def _namedtuple(typ: type, flags: Flags) -> Converter:
    hints = getattr(typ, "__annotations__", {})
    fields: tuple[str, ...] = typ._fields  # type: ignore[attr-defined]  # namedtuple
    convs = [compile_converter(hints.get(f, Any), flags) for f in fields]

    def to_namedtuple(v: Any) -> Any:
        if v is None or isinstance(v, typ):
            return v
        if isinstance(v, Mapping):
            return typ(
                **{
                    f: _apply(c, v[f])
                    for f, c in zip(fields, convs, strict=True)
                    if f in v
                }
            )
        if len(v) > len(fields):
            raise ValueError(f"expected at most {len(fields)} items, got {len(v)}")
        return typ(*(_apply(c, x) for c, x in zip(convs, v, strict=False)))

    return to_namedtuple


def _apply(conv: Converter | None, value: Any) -> Any:
    return conv(value) if conv is not None else value


def _dict(
    key: Converter | None, value: Converter | None, factory: Any | None
) -> Converter:
    def to_dict(v: Any) -> Any:
        if v is None:
            return v
        if key is None:
            out = {k: value(x) for k, x in v.items()}  # type: ignore[misc]  # value set
        elif value is None:
            out = {key(k): x for k, x in v.items()}
        else:
            out = {key(k): value(x) for k, x in v.items()}
        return factory(out) if factory is not None else out

    return to_dict
