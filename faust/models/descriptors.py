"""The field descriptor base: ``Point.x`` describes the field ``x`` of ``Point``.

Every field of a record gets a descriptor, chosen from the annotation
(``int`` -> :class:`IntegerField`, ``str`` -> :class:`StringField`, ...)
or given as the default value::

    class Order(faust.Record, validation=True):
        id: str = StringField(max_length=32)
        quantity: int = IntegerField(min_value=1)
        note: str = StringField(default="", required=False, input_name="in")

Descriptors are what ``stream.group_by(Order.id)`` and
``table.relative_to_field(Order.time)`` receive; nested fields are reached
as attributes (``Order.customer.id``) and read from an instance with
``descriptor.getattr(order)``.

A descriptor is a *non-data* descriptor: record instances keep field
values in their ``__dict__`` and reading ``order.id`` is a plain attribute
lookup.  Conversion happens once, when the value is stored (see
:mod:`faust.models.typing`).  Validation rules live in :meth:`FieldDescriptor.validate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ForwardRef, TypeVar, cast, get_args

from faust.exceptions import ValidationError
from faust.types.models import FieldDescriptorT, ModelT

from .resolve import resolve_ref
from .typing import Converter, Flags, compile_converter, is_model_class, remove_optional

if TYPE_CHECKING:  # pragma: no cover
    from .tags import Tag

__all__ = ["FieldDescriptor", "MISSING", "field_for_type", "TYPE_TO_FIELD"]

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "<MISSING>"


#: Marks an argument that was not given.
MISSING: Any = _Missing()


class FieldDescriptor(FieldDescriptorT[T]):
    """Describes one field of a model.

    Arguments:
        field: attribute name (set when the model is created).
        input_name: key of the field in incoming payloads (default: ``field``).
        output_name: key in outgoing payloads (default: ``input_name``).
        type: the annotation.
        model: the model class the field belongs to.
        required: whether a value must be given; by default a field is
            required unless it has a default (``default=`` here, a class
            attribute value, or an ``Optional`` annotation).
        default: value used when none is given.
        parent: the enclosing field for nested descriptors (``A.b.c``).
        coerce: convert values to the annotated type (default: the
            model's ``coerce`` option).
        exclude: leave the field out of ``asdict()`` and serialized payloads.
        date_parser: parses datetime strings (default: ISO-8601).
        tag: a :mod:`~faust.models.tags` class wrapping the values.
        **options: options of subclasses, kept so :meth:`clone` copies them.
    """

    coerce: bool = False
    exclude: bool = False
    tag: type[Tag[Any]] | None = None
    #: Kept for compatibility: conversion is never deferred to attribute access.
    lazy_coercion: bool = False

    def __init__(
        self,
        *,
        field: str | None = None,
        input_name: str | None = None,
        output_name: str | None = None,
        type: Any = None,
        model: type[ModelT] | None = None,
        required: bool | None = None,
        default: Any = MISSING,
        parent: FieldDescriptorT[Any] | None = None,
        coerce: bool | None = None,
        exclude: bool | None = None,
        date_parser: Callable[[Any], Any] | None = None,
        tag: type[Tag[Any]] | None = None,
        **options: Any,
    ) -> None:
        self.field = cast(str, field)
        self._input_name = input_name
        self._output_name = output_name
        self.type = type
        self.model = cast("type[ModelT]", model)
        self.has_default = default is not MISSING
        self.default = None if default is MISSING else default
        # A default means "not required" unless required=True is explicit.
        self.required = (not self.has_default) if required is None else required
        self.parent = parent
        self._coerce_arg = coerce
        if coerce is not None:
            self.coerce = coerce
        if exclude is not None:
            self.exclude = exclude
        self.date_parser = date_parser
        if tag is not None:
            self.tag = tag
        self.options = options
        self._init_conv: Converter | None = None
        self._load_conv: Converter | None = None
        self._path: tuple[str, ...] | None = None
        self._resolved_target: Any = None

    @property
    def input_name(self) -> str:  # type: ignore[override]  # read-only view
        """Key of the field in incoming payloads."""
        return self._input_name or self.field

    @property
    def output_name(self) -> str:  # type: ignore[override]  # read-only view
        """Key of the field in outgoing payloads."""
        return self._output_name or self.input_name

    def as_dict(self) -> Mapping[str, Any]:
        """Return the constructor arguments that recreate this descriptor."""
        return {
            "field": self.field,
            "input_name": self._input_name,
            "output_name": self._output_name,
            "type": self.type,
            "model": self.model,
            "required": self.required,
            "default": self.default if self.has_default else MISSING,
            "parent": self.parent,
            "coerce": self._coerce_arg,
            "exclude": self.exclude,
            "date_parser": self.date_parser,
            "tag": self.tag,
            **self.options,
        }

    def clone(self, **kwargs: Any) -> FieldDescriptor[T]:
        """Return a copy of this descriptor with ``kwargs`` changed."""
        return type(self)(**{**self.as_dict(), **kwargs})

    # -- attachment to a model ---------------------------------------------

    def __set_name__(self, owner: type, name: str) -> None:
        if self.field is None:
            self.field = name
        if self.model is None:
            self.model = owner

    def on_model_attached(
        self, flags: Flags | None = None, load_flags: Flags | None = None
    ) -> None:
        """Compile the converters used when values are stored (called by the model).

        Arguments:
            flags: conversions for Python construction; taken from the
                model's options when not given (as Faust calls it).
            load_flags: conversions for loading payloads; likewise.
        """
        if flags is None or load_flags is None:
            from ._declare import field_flags

            specs = self.model._faust_specs
            init_default, load_default = field_flags(
                self.model._options, specs[self.field]
            )
            flags = init_default if flags is None else flags
            load_flags = load_default if load_flags is None else load_flags
        if self._coerce_arg is not None:
            flags = _with_coerce(flags, self._coerce_arg)
            load_flags = _with_coerce(load_flags, self._coerce_arg)
        else:
            self.coerce = flags.coerce  # prepare_value() follows the model option
        if self.date_parser is not None:
            flags = _replace(flags, date_parser=self.date_parser)
            load_flags = _replace(load_flags, date_parser=self.date_parser)
        target = self.target_type
        if isinstance(target, (str, ForwardRef)):
            target = resolve_ref(target, flags.globalns, flags.localns)
        self._resolved_target = target
        init = compile_converter(target, flags)
        load = compile_converter(target, load_flags)
        self._init_conv = self._finish_converter(init)
        self._load_conv = self._finish_converter(load)

    @property
    def related_models(self) -> set[type[ModelT]]:
        """Model classes this field's type refers to (``list[P]`` -> ``{P}``)."""
        found: set[type[ModelT]] = set()
        pending: list[Any] = [self.type]
        while pending:
            tp = pending.pop()
            if isinstance(tp, (str, ForwardRef)) and self.model is not None:
                try:
                    specs = self.model._faust_specs
                    spec = specs.get(self.field)
                    tp = resolve_ref(tp, spec.globalns, spec.localns) if spec else tp
                except NameError:
                    continue
            if is_model_class(tp):
                found.add(tp)
            pending.extend(get_args(tp))
        return found

    def _finish_converter(self, conv: Converter | None) -> Converter | None:
        steps = [c for c in (conv, self._extra_converter()) if c is not None]
        if type(self).prepare_value not in _BUILTIN_PREPARE:
            steps.append(self.prepare_value)
        tag = self.tag
        if tag is not None:
            field = self.field

            def wrap(v: Any) -> Any:
                return v if v is None or isinstance(v, tag) else tag(v, field=field)

            steps.append(wrap)
        if not steps:
            return None
        if len(steps) == 1:
            return steps[0]

        def chain(v: Any) -> Any:
            for step in steps:
                v = step(v)
            return v

        return chain

    def _extra_converter(self) -> Converter | None:
        return None

    @property
    def target_type(self) -> Any:
        """The annotation without ``Optional`` and without any tag."""
        if self._resolved_target is not None:
            return self._resolved_target
        typ = remove_optional(self.type)
        origin = getattr(typ, "__origin__", None)
        if self.tag is not None and origin is self.tag:
            typ = typ.__args__[0]
        return typ

    # -- instance access -----------------------------------------------------

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        # Only reached when the instance has no value in its __dict__.
        if not self.required:
            return self.default
        raise AttributeError(f"{type(instance).__name__}.{self.field} has no value")

    def __getattr__(self, name: str) -> Any:
        # Nested descriptors: Outer.inner.x (only for fields typed as a model).
        if name.startswith("_"):
            raise AttributeError(name)
        typ = self.target_type
        if isinstance(typ, (str, ForwardRef)):
            # a forward reference: resolved once the model can finish
            finalize = getattr(self.model, "make_final", None)
            if finalize is not None:
                try:
                    finalize()
                except NameError:
                    pass
            typ = self.target_type
        options = getattr(typ, "_options", None) if is_model_class(typ) else None
        descriptors = getattr(options, "descriptors", None) or {}
        if name not in descriptors:
            raise AttributeError(f"{self!r} has no attribute {name!r}")
        child = descriptors[name].clone(parent=self)
        self.__dict__[name] = child
        return child

    def getattr(self, obj: ModelT) -> T:
        """Read this field from ``obj`` following parents (``A.b.c``: ``obj.b.c``)."""
        path = self._path
        if path is None:
            names = []
            node: FieldDescriptorT[Any] | None = self
            while node is not None:
                names.append(node.field)
                node = node.parent
            path = self._path = tuple(reversed(names))
        value: Any = obj
        for name in path:
            value = getattr(value, name)
        return cast(T, value)

    @property
    def ident(self) -> str:
        """``"Model.field"``."""
        return f"{self.model.__name__}.{self.field}"

    # -- conversion and validation ------------------------------------------

    def to_python(self, value: Any) -> Any:
        """Convert a deserialized value (as loading a payload does)."""
        conv = self._load_conv
        return conv(value) if conv is not None else value

    def prepare_value(self, value: Any, *, coerce: bool | None = None) -> Any:
        """Convert a value to the field type when coercion applies.

        Subclasses override this to add conversions; it is called for every
        value stored in the field.
        """
        return value

    def should_coerce(self, value: Any, coerce: bool | None = None) -> bool:
        """Return True if ``value`` should be converted (it is not None)."""
        return (coerce if coerce is not None else self.coerce) and value is not None

    def validate(self, value: T) -> Iterable[ValidationError]:
        """Yield a :exc:`~faust.exceptions.ValidationError` per broken rule."""
        return iter(())

    def validate_all(self, value: Any) -> Iterable[ValidationError]:
        """Check ``value`` has (or converts to) the field type, then validate it."""
        if value is None:
            if self.required and not _allows_none(self.type):
                yield self.validation_error(f"{self.field} is required (got None)")
            return
        raw = (
            value.get_value()
            if self.tag is not None and hasattr(value, "get_value")
            else value
        )
        try:
            prepared = self.prepare_value(raw, coerce=True)
        except (TypeError, ValueError, ArithmeticError) as exc:
            yield self.validation_error(
                f"{self.field} is not correct type for {self}, got "
                f"{type(raw).__name__}: {exc}"
            )
        except Exception as exc:
            # A user's prepare_value failing in its own way is still a
            # problem of this value: report it, do not break validation.
            yield self.validation_error(
                f"{self.field}: {type(self).__name__}.prepare_value failed for "
                f"{raw!r}: {type(exc).__name__}: {exc}"
            )
        else:
            yield from self.validate(cast(T, prepared))

    def validation_error(self, reason: str) -> ValidationError:
        """Return a :exc:`~faust.exceptions.ValidationError` for this field."""
        return ValidationError(reason, field=self)

    def __repr__(self) -> str:
        default = "" if self.required else f" = {self.default!r}"
        typ = getattr(self.type, "__name__", self.type)
        return f"<{type(self).__name__}: {self.ident}: {typ}{default}>"


def _allows_none(typ: Any) -> bool:
    return typ is Any or typ is None or remove_optional(typ) is not typ


def _replace(flags: Flags, **changes: Any) -> Flags:
    from dataclasses import replace

    return replace(flags, **changes)


def _with_coerce(flags: Flags, coerce: bool) -> Flags:
    if coerce:
        return _replace(flags, coerce=True, dates=True, decimals=True)
    return _replace(flags, coerce=False)


#: prepare_value implementations mirrored by the compiled converters.
_BUILTIN_PREPARE: set[Any] = {FieldDescriptor.prepare_value}


def register_builtin_prepare(*functions: Any) -> None:
    """Mark ``prepare_value`` implementations the compiled converters already do."""
    _BUILTIN_PREPARE.update(functions)


def field_for_type(
    typ: Any,
) -> tuple[type[FieldDescriptor[Any]], type[Tag[Any]] | None]:
    """Return ``(descriptor class, tag)`` for an annotation (Optional removed)."""
    from .tags import Tag

    typ = remove_optional(typ)
    origin = getattr(typ, "__origin__", None)
    if isinstance(origin, type) and issubclass(origin, Tag):
        return field_for_type(typ.__args__[0])[0], origin
    try:
        return TYPE_TO_FIELD[typ], None
    except (KeyError, TypeError):
        pass
    if isinstance(typ, type):
        for base, descriptor in TYPE_TO_FIELD.items():
            if issubclass(typ, base):
                return descriptor, None
    return FieldDescriptor, None


#: Built-in type -> descriptor class (filled in by :mod:`faust.models.fields`).
TYPE_TO_FIELD: dict[type, type[FieldDescriptor[Any]]] = {}
