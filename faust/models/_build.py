"""Generate the per-class methods of records.

Each concrete record class gets functions specialised to its fields:

* ``__init__`` (``_model_init``): Python construction, with positional and
  keyword arguments, defaults, conversions, ``__post_init__`` and validation;
* ``_load``: builds an instance from a decoded payload (a fresh ``dict``,
  adopted as the instance ``__dict__``);
* ``asdict``/``to_representation``, ``__eq__``/``__hash__`` and ordering.

Print ``Point.__init__.__sourcecode__`` to see the generated code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from faust.exceptions import ValidationError
from faust.types.models import BLESSED_KEY
from faust.utils.codegen import build_function

from .descriptors import FieldDescriptor

if TYPE_CHECKING:  # pragma: no cover
    from faust.types.models import ModelOptions

__all__ = ["build_init", "build_loads", "build_compare", "build_hash", "build_asdict"]

_MUTABLE_DEFAULTS = (list, dict, set)
#: errors raised by conversions, re-raised naming the field.
_CONVERSION_ERRORS = (TypeError, ValueError, ArithmeticError, KeyError)


def field_error(
    cls: Any, field: str, exc: Exception, data: Mapping[str, Any] | None = None
) -> Exception:
    """Return ``exc`` re-created with the field it concerns in the message.

    Models with ``validation=True`` report a
    :exc:`~faust.exceptions.ValidationError` (a :exc:`ValueError`).  When
    ``data`` (the payload) lacks the field, the missing-fields error is
    returned instead.
    """
    if isinstance(exc, ValidationError):
        return exc
    if data is not None and isinstance(exc, KeyError) and field not in data:
        return missing_fields_error(cls, data)
    reason = f"{cls.__name__}.{field}: {exc}"
    if cls._options.validation:
        return ValidationError(reason, field=cls._options.descriptors.get(field))
    kind = type(exc) if type(exc) in (TypeError, ValueError) else ValueError
    return kind(reason)


def _default_expr(
    i: int, default: Any, env: dict[str, Any], descr: FieldDescriptor[Any]
) -> str:
    env[f"_fd_{i}"] = default
    if descr.tag is not None and default is not None:
        env[f"_fw_{i}"] = descr._init_conv
        return f"_fw_{i}(_fd_{i})"  # a tagged field wraps its default too
    if type(default) in _MUTABLE_DEFAULTS:
        return f"_fd_{i}.copy()"  # each instance gets its own list/dict/set
    return f"_fd_{i}"


def _postamble(cls: type, options: ModelOptions) -> list[str]:
    lines = []
    if hasattr(cls, "__post_init__"):
        lines.append("self.__post_init__()")
    if options.validation:
        lines.append("self.validate_or_raise()")
    return lines


def build_init(
    cls: type, options: ModelOptions, *, direct_dict: bool
) -> Callable[..., None]:
    """Return the generated ``__init__`` of ``cls``.

    Arguments:
        cls: the record class.
        options: its options (``descriptors`` must be attached).
        direct_dict: store into ``self.__dict__`` (the class defines ``__setattr__``).
    """
    descriptors: Mapping[str, FieldDescriptor[Any]] = options.descriptors  # type: ignore[assignment]  # ours
    names = list(descriptors)
    required = [n for n in names if n not in options.optionalset]
    optional = [n for n in names if n in options.optionalset]
    signature = [*required, *optional]
    values = "(" + "".join(f"{n}, " for n in signature) + ")"
    as_kwargs = "".join(f"{n}={n}, " for n in signature)
    env: dict[str, Any] = {
        "_cls": cls,
        "_slow": _slow_init,
        "_field_error": field_error,
        "_errors": _CONVERSION_ERRORS,
    }
    body = [
        "if self.__class__ is not _cls:  # super().__init__() from a subclass",
        "    return self.__class__._model_init(",
        f"        self, {as_kwargs}__strict__=__strict__, **kwargs)",
        "if kwargs or not __strict__:",
        f"    return _slow(_cls, self, __strict__, kwargs, {values})",
    ]
    if direct_dict:
        body.append("_faust_d = self.__dict__")
    for i, name in enumerate(names):
        body += _init_assignment(i, name, descriptors[name], options, env, direct_dict)
    body += _postamble(cls, options)
    args = [
        "self",
        *required,
        *(f"{n}=None" for n in optional),
        "*",
        "__strict__=True",
        "**kwargs",
    ]
    fun = build_function(
        "__init__",
        args,
        body,
        globals=env,
        qualname=f"{cls.__qualname__}.__init__",
        filename=f"<generated {cls.__qualname__}.__init__>",
    )
    fun._faust_generated = True  # type: ignore[attr-defined]  # marks generated code
    fun._faust_signature = tuple(signature)  # type: ignore[attr-defined]  # for _slow_init
    return fun


def _init_assignment(
    i: int,
    name: str,
    descr: FieldDescriptor[Any],
    options: ModelOptions,
    env: dict[str, Any],
    direct_dict: bool,
) -> list[str]:
    value = _init_value_expr(i, name, descr, env)
    if name in options.optionalset:
        default = _default_expr(i, options.defaults[name], env, descr)
        value = f"{default} if {name} is None else {value}"
    target = f"_faust_d[{name!r}]" if direct_dict else f"self.{name}"
    if descr._init_conv is None:
        return [f"{target} = {value}"]
    return [
        "try:",
        f"    {target} = {value}",
        "except _errors as exc:",
        f"    raise _field_error(_cls, {name!r}, exc) from exc",
    ]


def _init_value_expr(
    i: int, name: str, descr: FieldDescriptor[Any], env: dict[str, Any]
) -> str:
    conv = descr._init_conv
    if conv is None:
        return name
    env[f"_fc_{i}"] = conv
    model = getattr(conv, "model", None)
    if model is not None:
        # the common case: a model instance of exactly the annotated class.
        env[f"_ft_{i}"] = model
        return f"{name} if {name}.__class__ is _ft_{i} else _fc_{i}({name})"
    return f"_fc_{i}({name})"


def _slow_init(
    cls: Any, self: Any, strict: bool, kwargs: dict[str, Any], values: tuple[Any, ...]
) -> None:
    kwargs.pop(BLESSED_KEY, None)
    signature = cls._model_init._faust_signature
    if strict:
        if kwargs:
            extra = ", ".join(sorted(kwargs))
            word = "argument" if len(kwargs) == 1 else "arguments"
            raise TypeError(f"{cls.__name__} got unexpected {word}: {extra}")
        return cls._model_init(self, *values)  # type: ignore[no-any-return]  # None
    # __strict__=False: load as from a payload (extra keys become attributes).
    pairs = zip(signature, values, strict=True)
    data = {name: value for name, value in pairs if value is not None}
    data.update(kwargs)
    cls._load_into(self, data)
    return None


def build_loads(cls: Any, options: ModelOptions, load: Callable[..., Any]) -> Any:
    """Return the ``loads`` classmethod of ``cls``, specialised to its loader."""
    from faust.serializers import codecs

    registered = codecs.codecs  # name -> codec (looked up per call: may change)
    codec_loads = codecs.loads

    def loads(
        target: Any, s: bytes, *, default_serializer: Any = None, serializer: Any = None
    ) -> Any:
        name = options.serializer or serializer or default_serializer or "json"
        codec = registered.get(name) if name.__class__ is str else None
        data = codec.loads(s) if codec is not None else codec_loads(name, s)
        if data.__class__ is dict and target is cls:
            return load(data, None)  # None: any model named by the metadata
        return target.from_data(data)

    loads.__doc__ = cls.loads.__doc__
    loads.__qualname__ = f"{cls.__qualname__}.loads"
    loads._faust_generated = True  # type: ignore[attr-defined]  # may be regenerated
    return classmethod(loads)


def missing_fields_error(cls: Any, data: Mapping[str, Any]) -> TypeError:
    """Return the error for a payload lacking required fields of ``cls``."""
    options = cls._options
    missing = [
        n for n in options.descriptors if n not in options.optionalset and n not in data
    ]
    word = "field" if len(missing) == 1 else "fields"
    return TypeError(
        f"{cls.__name__} is missing {len(missing)} required {word}: "
        f"{', '.join(repr(m) for m in missing)} "
        f"(payload keys: {sorted(map(str, data))})"
    )


def _missing_fields(
    cls: type, data: Mapping[str, Any], required: frozenset[str]
) -> None:
    raise missing_fields_error(cls, data)


def build_compare(
    cls: type, fields: list[str], name: str, op: str
) -> Callable[..., Any]:
    """Return a comparison method comparing field tuples of same-class records."""
    this = "(" + "".join(f"self.{f}, " for f in fields) + ")"
    that = "(" + "".join(f"other.{f}, " for f in fields) + ")"
    return build_function(
        name,
        ["self", "other"],
        [
            "if other.__class__ is self.__class__:",
            f"    return {this} {op} {that}",
            "return NotImplemented",
        ],
        qualname=f"{cls.__qualname__}.{name}",
    )


def build_hash(cls: type, fields: list[str]) -> Callable[..., Any]:
    """Return ``__hash__`` hashing the tuple of field values."""
    this = "(" + "".join(f"self.{f}, " for f in fields) + ")"
    return build_function(
        "__hash__",
        ["self"],
        [f"return hash({this})"],
        qualname=f"{cls.__qualname__}.__hash__",
    )


def build_asdict(
    cls: type, options: ModelOptions, *, metadata: bool, prepare: bool = False
) -> Callable[..., Any]:
    """Return ``asdict()`` (``metadata=False``) or ``to_representation()``.

    With ``prepare`` (the class overrides ``_prepare_dict``), the fields go
    through ``self._prepare_dict()`` before the metadata is added, as in Faust.
    """
    descriptors: Mapping[str, FieldDescriptor[Any]] = options.descriptors  # type: ignore[assignment]  # ours
    items = [
        f"    {d.output_name!r}: self.{name},"
        for name, d in descriptors.items()
        if not d.exclude
    ]
    meta = f"{BLESSED_KEY!r}: {{'ns': {options.namespace!r}}}"
    if not prepare:
        body = ["return {", *items, *([f"    {meta},"] if metadata else []), "}"]
    else:
        body = ["payload = self._prepare_dict({", *items, "})"]
        if metadata:
            body.append(f"payload.update({{{meta}}})")
        body.append("return payload")
    name = "to_representation" if metadata else "asdict"
    fun = build_function(name, ["self"], body, qualname=f"{cls.__qualname__}.{name}")
    fun._faust_generated = True  # type: ignore[attr-defined]  # may be regenerated in subclasses
    return fun
