"""Generate the payload loaders of records (``Model._load``).

Loading a payload is the hottest path of a stream processor: every message
value goes through it.  The loader generated for a record class:

* adopts the decoded ``dict`` as the instance ``__dict__`` (no copy, and
  keys that are not fields stay available as attributes, as in Faust);
* drops the ``__faust`` metadata, or hands the payload to the model it
  names when the class options allow (polymorphism);
* renames ``input_name`` keys, checks required fields, fills defaults;
* converts the fields that need it.  Nested records (a field typed as a
  record, or a list of records) are built by code inlined in the parent's
  loader, so a nested payload costs no extra function call.

Print ``Point._load.__sourcecode__`` to read the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from faust.types.models import BLESSED_KEY, ModelOptions
from faust.utils.codegen import build_function

from ._build import _CONVERSION_ERRORS, _MUTABLE_DEFAULTS, _missing_fields, field_error
from .descriptors import FieldDescriptor

__all__ = ["build_load", "load_via_init"]

#: How deep nested records are inlined into a parent's loader.
MAX_INLINE_DEPTH = 2


class _Writer:
    """Accumulates source lines and the globals they refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.env: dict[str, Any] = {
            "_new": object.__new__,
            "_osa": object.__setattr__,
            "_missing": _missing_fields,
            "_field_error": field_error,
            "_errors": _CONVERSION_ERRORS,
            "_meta_key": BLESSED_KEY,
        }
        self._count = 0

    def ref(self, prefix: str, value: Any) -> str:
        self._count += 1
        name = f"_{prefix}{self._count}"
        self.env[name] = value
        return name

    def add(self, indent: int, *lines: str) -> None:
        self.lines.extend("    " * indent + line for line in lines)


def _inlinable(model: Any) -> bool:
    # Only classes whose own loader is final and generated from fields.
    return (
        isinstance(model, type)
        and not model.__dict__.get("__is_abstract__", True)
        and bool(model.__dict__.get("_faust_plan_ready"))
        and bool(model.__dict__.get("_faust_generated_init"))
    )


def _adopt(model: Any, obj: str, data: str) -> str:
    if model.__setattr__ is object.__setattr__:
        return f"{obj}.__dict__ = {data}"
    return f"_osa({obj}, '__dict__', {data})"


def _fields(w: _Writer, model: Any, data: str, obj: str, depth: int, ind: int) -> None:
    """Emit the code filling ``obj`` (whose ``__dict__`` is ``data``)."""
    options: ModelOptions = model._options
    descriptors: Mapping[str, FieldDescriptor[Any]] = options.descriptors  # type: ignore[assignment]  # ours
    cls = w.ref("cls", model)
    for name, descr in descriptors.items():
        if descr.input_name != name:
            w.add(ind, f"if {descr.input_name!r} in {data}:")
            w.add(ind + 1, f"{data}[{name!r}] = {data}.pop({descr.input_name!r})")
    # Required fields that are converted are read as data[name] below,
    # which reports them missing; only the others need checking here.
    required = [
        n
        for n, d in descriptors.items()
        if n not in options.optionalset and _converter(d) is None
    ]
    if required:
        present = " and ".join(f"{n!r} in {data}" for n in required)
        w.add(ind, f"if not ({present}):")
        w.add(ind + 1, f"_missing({cls}, {data}, {w.ref('req', frozenset(required))})")
    for name, descr in descriptors.items():
        _field(w, model, cls, name, descr, data, depth, ind)
    if hasattr(model, "__post_init__"):
        w.add(ind, f"{obj}.__post_init__()")
    if options.validation:
        w.add(ind, f"{obj}.validate_or_raise()")


def _field(
    w: _Writer,
    model: Any,
    cls: str,
    name: str,
    descr: FieldDescriptor[Any],
    data: str,
    depth: int,
    ind: int,
) -> None:
    options: ModelOptions = model._options
    conv = _converter(descr)
    optional = name in options.optionalset
    default = _default(w, descr, options.defaults[name]) if optional else ""
    if conv is None:
        if optional:
            w.add(
                ind,
                f"if {data}.get({name!r}) is None:",
                f"    {data}[{name!r}] = {default}",
            )
        return
    v = f"_v{depth}"
    if optional:
        w.add(ind, f"{v} = {data}.get({name!r})")
        w.add(ind, f"if {v} is None:", f"    {data}[{name!r}] = {default}", "else:")
        ind += 1
        w.add(ind, "try:")
    else:
        # a KeyError here is reported as a missing field
        w.add(ind, "try:", f"    {v} = {data}[{name!r}]")
    _convert(w, conv, f"{data}[{name!r}]", v, depth, ind + 1)
    w.add(ind, "except _errors as exc:")
    w.add(ind + 1, f"raise _field_error({cls}, {name!r}, exc, {data}) from exc")


def _converter(descr: FieldDescriptor[Any]) -> Callable[..., Any] | None:
    if type(descr).to_python is not FieldDescriptor.to_python:
        return descr.to_python  # a custom field type decides
    return descr._load_conv


def _default(w: _Writer, descr: FieldDescriptor[Any], default: Any) -> str:
    name = w.ref("fd", default)
    if descr.tag is not None and default is not None:
        return f"{w.ref('fw', descr._init_conv)}({name})"  # tagged: wrap the default
    if type(default) in _MUTABLE_DEFAULTS:
        return f"{name}.copy()"  # each instance gets its own list/dict/set
    return name


def _convert(
    w: _Writer, conv: Callable[..., Any], target: str, v: str, depth: int, ind: int
) -> None:
    """Emit ``target = conv(v)`` (``v`` may be None), inlining nested records."""
    model = getattr(conv, "model", None)
    item_model = getattr(conv, "item_model", None)
    fn = w.ref("fc", conv)
    if (
        getattr(conv, "load", None) is not None
        and _inlinable(model)
        and depth < MAX_INLINE_DEPTH
    ):
        o = f"_o{depth}"
        w.add(ind, f"if {v}.__class__ is dict:")
        _object(w, model, v, o, depth + 1, ind + 1)
        w.add(ind + 1, f"{target} = {o}")
        w.add(ind, f"elif {v} is not None:", f"    {target} = {fn}({v})")
        return
    if item_model is not None and _inlinable(item_model) and depth < MAX_INLINE_DEPTH:
        x, out, o = f"_x{depth}", f"_l{depth}", f"_o{depth}"
        item = w.ref("fi", conv.item)  # type: ignore[attr-defined]  # set by typing
        w.add(ind, f"if {v}.__class__ is list:", f"    {out} = []")
        w.add(ind + 1, f"for {x} in {v}:")
        w.add(ind + 2, f"if {x}.__class__ is dict:")
        _object(w, item_model, x, o, depth + 1, ind + 3)
        w.add(ind + 3, f"{out}.append({o})")
        w.add(ind + 2, "else:", f"    {out}.append({item}({x}))")
        w.add(ind + 1, f"{target} = {out}")
        w.add(ind, f"elif {v} is not None:", f"    {target} = {fn}({v})")
        return
    load = getattr(conv, "load", None)
    if load is not None:
        fl = w.ref("fl", load)
        w.add(ind, f"if {v}.__class__ is dict:", f"    {target} = {fl}({v})")
        w.add(ind, f"elif {v} is not None:", f"    {target} = {fn}({v})")
        return
    w.add(ind, f"if {v} is not None:", f"    {target} = {fn}({v})")


def _object(w: _Writer, model: Any, src: str, out: str, depth: int, ind: int) -> None:
    """Emit code building a ``model`` instance ``out`` from the dict ``src``."""
    m = f"_m{depth}"
    meta = w.ref("meta", {"ns": model._options.namespace})
    w.add(ind, f"{m} = {src}.pop(_meta_key, None)")
    w.add(ind, f"if {m} is not None and {m} != {meta}:")
    w.add(ind + 1, f"{src}[_meta_key] = {m}")  # another model: the slow path decides
    w.add(ind + 1, f"{out} = {w.ref('load', model._load)}({src})")
    w.add(ind, "else:")
    w.add(ind + 1, f"{out} = _new({w.ref('cls', model)})", _adopt(model, out, src))
    _fields(w, model, src, out, depth, ind + 1)


class Loaders(NamedTuple):
    """The generated loading functions of a record class."""

    #: ``load(data, _preferred=cls)``: instance from an owned payload dict.
    load: Callable[..., Any]
    #: ``load_into(self, data)``: fill an existing instance.
    load_into: Callable[..., Any]
    #: ``loads(cls, s, *, default_serializer, serializer)``: decode then load.
    loads: Callable[..., Any]


def build_load(cls: Any) -> Loaders:
    """Generate the loaders of ``cls`` (see :class:`Loaders`).

    ``load`` creates the instance and adopts ``data`` (an owned dict) as its
    ``__dict__``; ``loads`` decodes bytes and runs the same code inline.
    """
    w = _Writer()
    w.env.update(
        _cls=cls, _own_meta={"ns": cls._options.namespace}, _retarget=_retarget
    )
    w.add(0, "_meta = data.pop(_meta_key, None)")
    w.add(0, "if _meta is not None and _meta != _own_meta:  # another model's metadata")
    w.add(1, "_target = _retarget(_cls, data, _meta, _preferred)")
    w.add(1, "if _target is not _cls:", "    return _target._load(data)")
    w.add(0, "self = _new(_cls)", _adopt(cls, "self", "data"))
    _fields(w, cls, "data", "self", 0, 0)
    body = list(w.lines)
    load = build_function(
        "_load",
        ["data", "_preferred=_cls"],
        [*body, "return self"],
        globals=w.env,
        qualname=f"{cls.__qualname__}._load",
        filename=f"<generated {cls.__qualname__}._load>",
    )
    loads = _build_loads(cls, w, body)
    w.lines = []
    w.add(
        0,
        "data.pop(_meta_key, None)",
        "self.__dict__.update(data)",
        "data = self.__dict__",
    )
    _fields(w, cls, "data", "self", 0, 0)
    load_into = build_function(
        "_load_into",
        ["self", "data"],
        w.lines,
        globals=w.env,
        qualname=f"{cls.__qualname__}._load_into",
        filename=f"<generated {cls.__qualname__}._load_into>",
    )
    return Loaders(load, load_into, loads)


def _build_loads(cls: Any, w: _Writer, body: list[str]) -> Callable[..., Any]:
    from faust.serializers import codecs

    w.env.update(
        _options=cls._options,
        _registered=codecs.codecs,  # looked up per call: codecs may be added
        _codec_loads=codecs.loads,
    )
    fun = build_function(
        "loads",
        ["target", "s", "*", "default_serializer=None", "serializer=None"],
        [
            "_name = _options.serializer or serializer or default_serializer or 'json'",
            "_codec = _registered.get(_name) if _name.__class__ is str else None",
            "data = _codec.loads(s) if _codec is not None else _codec_loads(_name, s)",
            "if data.__class__ is not dict or target is not _cls:",
            "    return target.from_data(data)",
            "_preferred = None  # any model named by the metadata (as Faust)",
            *body,
            "return self",
        ],
        globals=w.env,
        qualname=f"{cls.__qualname__}.loads",
        filename=f"<generated {cls.__qualname__}.loads>",
    )
    fun.__doc__ = cls.loads.__doc__
    fun._faust_generated = True  # type: ignore[attr-defined]  # may be regenerated
    return fun


def _retarget(cls: Any, data: dict[str, Any], meta: Any, preferred: Any) -> Any:
    # The payload names another model: use it if the options allow.
    data[BLESSED_KEY] = meta
    target = cls._maybe_namespace(data, preferred_type=preferred) or cls
    if target is cls:
        del data[BLESSED_KEY]
    return target


def load_via_init(cls: Any) -> Callable[..., Any]:
    """Return ``load(data)`` for a class with a custom ``__init__`` (Faust calls it)."""

    def _load(data: dict[str, Any], _preferred: Any = cls) -> Any:
        meta = data.pop(BLESSED_KEY, None)
        if meta is not None and meta != {"ns": cls._options.namespace}:
            target = _retarget(cls, data, meta, _preferred)
            if target is not cls:
                return target._load(data)
        return cls(**data, __strict__=False)

    return _load
