"""The model base class: options, namespaces, loading and dumping.

A model describes the keys and values of messages.  :class:`Model` holds
what does not depend on the shape of the data:

* class options (``class Point(Record, serializer="json", ...)``) collected
  into a :class:`~faust.types.models.ModelOptions` stored as ``_options``;
* the namespace registry: every concrete model is registered under its
  namespace (``"module.QualName"`` by default) in
  :data:`faust.types.models.registry`, and payloads carry that name in their
  ``{"__faust": {"ns": ...}}`` metadata so they can be decoded back into
  the right class (see :meth:`Model.from_data`);
* ``loads``/``dumps`` through :mod:`faust.serializers.codecs` and
  validation.

:class:`~faust.models.record.Record` adds fields.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from faust.serializers import codecs
from faust.types.codecs import CodecArg
from faust.types.models import BLESSED_KEY, ModelOptions, ModelT, registry

__all__ = ["Model", "ModelMeta", "maybe_model", "registry", "canoname"]

#: Option names accepted as class keyword arguments or in ``class Options``.
OPTION_NAMES = frozenset(
    {
        "serializer",
        "namespace",
        "include_metadata",
        "isodates",
        "abstract",
        "allow_blessed_key",
        "decimals",
        "coerce",
        "coercions",
        "polymorphic_fields",
        "validation",
        "date_parser",
        "lazy_creation",
        "frozen",
    }
)

E_ABSTRACT_INSTANCE = (
    "Cannot instantiate abstract model {name}.  If it is the type of a field "
    "of another model and you meant a polymorphic relationship, enable "
    "polymorphic_fields on the abstract class:\n\n"
    "    class {name}(faust.Record, abstract=True, polymorphic_fields=True):\n"
    "        ..."
)


class UnknownNamespaceError(KeyError):
    """A payload names (in ``__faust`` metadata) a model that is not defined."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def canoname(cls: type) -> str:
    """Return ``"module.QualName"`` (``__main__`` replaced by the program's name)."""
    module = cls.__module__
    if module == "__main__":
        main = sys.modules.get("__main__")
        spec = getattr(main, "__spec__", None)
        if spec is not None and spec.name:
            module = spec.name
        elif getattr(main, "__file__", None):
            module = Path(main.__file__).stem  # type: ignore[union-attr,arg-type]  # checked
    return f"{module}.{cls.__qualname__}"


def copy_tree(data: Any) -> Any:
    """Copy the dicts and lists of a decoded structure (other values are shared)."""
    if isinstance(data, Mapping):
        return {k: copy_tree(v) for k, v in data.items()}
    if data.__class__ is list:
        return [copy_tree(v) for v in data]
    return data


def maybe_model(arg: Any) -> Any:
    """Return the model a payload with ``__faust`` metadata names, else ``arg``."""
    try:
        model = registry[arg[BLESSED_KEY]["ns"]]
    except (KeyError, TypeError, IndexError):
        return arg
    return model.from_data(arg)


class ModelMeta(abc.ABCMeta):
    """Metaclass of models: ``Point.x`` returns the field descriptor.

    Field descriptors are not stored as class attributes, so reading
    ``point.x`` is a plain instance attribute lookup; the class attribute
    is served by ``__getattr__`` (only called when normal lookup fails).
    """

    def __getattr__(cls, name: str) -> Any:
        if not name.startswith("__"):
            options = cls.__dict__.get("_options")
            descriptors = getattr(options, "descriptors", None)
            if descriptors is not None and name in descriptors:
                return descriptors[name]
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")

    def __dir__(cls) -> list[str]:
        options = cls.__dict__.get("_options")
        return sorted(set(super().__dir__()) | set(getattr(options, "descriptors", ())))


class Model(ModelT, metaclass=ModelMeta):
    """Base class of models (see :class:`~faust.models.record.Record`)."""

    __is_abstract__: ClassVar[bool] = True
    _blessed_key: ClassVar[str] = BLESSED_KEY
    _options: ClassVar[ModelOptions]

    # Generated per concrete class (see faust.models._build).
    _model_init: ClassVar[Callable[..., None]]
    _load: ClassVar[Callable[..., Any]]
    _load_into: ClassVar[Callable[[Any, dict[str, Any]], None]]
    _faust_plan_ready: ClassVar[bool]
    _faust_generated_init: ClassVar[bool]
    _faust_specs: ClassVar[Mapping[str, Any]]
    _faust_own_specs: ClassVar[list[Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Take the field values: each kind of model (Record) stores its own.

        A subclass that defines ``__init__`` may call
        ``super().__init__(*args, **kwargs)`` as in Faust; Model itself
        keeps nothing.
        """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        given = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTION_NAMES}
        try:
            super().__init_subclass__(**kwargs)
        except TypeError:
            raise TypeError(
                f"{cls.__name__}: unknown model option(s) {', '.join(sorted(kwargs))}; "
                f"valid options: {', '.join(sorted(OPTION_NAMES))}"
            ) from None
        options = cls._collect_options(given)
        abstract = bool(given.get("abstract", False))
        cls.__is_abstract__ = abstract
        cls._options = options
        cls._contribute(
            options, abstract=abstract, lazy=bool(given.get("lazy_creation"))
        )
        if not abstract:
            registry[options.namespace] = cls

    @classmethod
    def _collect_options(cls, given: dict[str, Any]) -> ModelOptions:
        parent: ModelOptions | None = getattr(cls, "_options", None)
        options = parent.clone_defaults() if parent is not None else ModelOptions()
        if parent is None:
            options.coercions = {}
        custom = cls.__dict__.get("Options")
        if custom is not None:
            delattr(cls, "Options")
            for key, value in vars(custom).items():
                if key.startswith("_"):
                    continue
                if key not in OPTION_NAMES:
                    raise TypeError(
                        f"{cls.__name__}.Options: unknown model option {key!r}"
                    )
                given.setdefault(key, value)
        for key, value in given.items():
            if key in ("abstract", "lazy_creation") or value is None:
                continue
            if key == "coercions":
                options.coercions.update(value)
            else:
                setattr(options, key, value)
        if given.get("validation"):
            options.coerce = True  # validation needs values of the right type
        options.namespace = given.get("namespace") or canoname(cls)
        options.abstract = bool(given.get("abstract", False))
        options.lazy_creation = bool(given.get("lazy_creation", False))
        return options

    @classmethod
    def _contribute(cls, options: ModelOptions, *, abstract: bool, lazy: bool) -> None:
        """Set up fields and methods of a new subclass (see Record)."""

    @classmethod
    def make_final(cls) -> None:
        """Finish a class created with ``lazy_creation=True`` (see Record)."""

    # -- loading -------------------------------------------------------------

    @classmethod
    def loads(
        cls,
        s: bytes,
        *,
        default_serializer: CodecArg = None,
        serializer: CodecArg = None,
    ) -> ModelT:
        """Deserialize a model from bytes.

        The codec is the model's ``serializer`` option, else ``serializer``,
        else ``default_serializer``, else ``"json"``.
        """
        options = cls._options
        data = codecs.loads(
            options.serializer or serializer or default_serializer or "json", s
        )
        if type(data) is dict:
            meta = data.get(BLESSED_KEY)
            if (
                meta is None
                or type(meta) is dict
                and meta.get("ns") == options.namespace
            ) and (not cls.__is_abstract__):
                return cls._load(data)  # type: ignore[no-any-return]  # Record API
            return cls._from_owned(data, None)  # type: ignore[no-any-return]  # a model
        return cls.from_data(data)

    @classmethod
    def from_data(
        cls, data: Any, *, preferred_type: type[ModelT] | None = None
    ) -> ModelT:
        """Create a model from a mapping (e.g. a decoded payload).

        Keys are the fields' input names; keys that are not fields are kept
        as extra attributes.  ``__faust`` metadata naming another model is
        honoured when this class is abstract, when no ``preferred_type`` is
        given, or when the named model allows it (``allow_blessed_key`` or
        ``polymorphic_fields``).

        Raises:
            TypeError: ``data`` is not a mapping, or required fields are missing.
            KeyError: this class is abstract and the metadata names no known model.
        """
        if data.__class__ is not dict:
            if isinstance(data, ModelT):
                return data
            if not isinstance(data, Mapping):
                raise TypeError(
                    f"{cls.__name__}.from_data() needs a mapping, got "
                    f"{type(data).__name__}: {data!r}"
                )
        # Loading adopts (and edits) the dicts it is given: work on a copy
        # of the caller's containers.
        model: ModelT = cls._from_owned(copy_tree(data), preferred_type)
        return model

    @classmethod
    def _from_owned(
        cls, data: dict[str, Any], preferred_type: type[ModelT] | None
    ) -> Any:
        target = cls._maybe_namespace(data, preferred_type=preferred_type) or cls
        if getattr(target, "__is_abstract__", False):
            raise TypeError(E_ABSTRACT_INSTANCE.format(name=target.__name__))
        return target._load(data)  # type: ignore[attr-defined]  # Record API

    @classmethod
    def _from_field(cls, data: dict[str, Any]) -> Any:
        # A nested field typed as this model: data is a fresh dict.
        meta = data.get(BLESSED_KEY)
        if meta is None:
            if cls.__is_abstract__:
                return data
            return cls._load(data)
        if cls.__is_abstract__:
            return cls._maybe_reconstruct(data)
        return cls._from_owned(data, cls)

    @classmethod
    def _maybe_namespace(
        cls, data: Any, *, preferred_type: type[ModelT] | None = None
    ) -> type[ModelT] | None:
        """Return the model named by ``data``'s ``__faust`` metadata, if it applies."""
        try:
            ns = data[BLESSED_KEY]["ns"]
        except (KeyError, TypeError, IndexError):
            return None
        options = cls.__dict__.get("_options")
        abstract = cls.__is_abstract__
        if not abstract and options is not None and ns == options.namespace:
            return cls
        model = registry.get(ns)
        if model is None:
            # A concrete class decodes the payload itself (the producer's
            # module may have been renamed); an abstract one cannot.
            if abstract:
                raise UnknownNamespaceError(
                    f"payload names model {ns!r} (in {BLESSED_KEY!r} metadata), but "
                    f"no such model is defined: is the module that defines it imported?"
                )
            return None
        if abstract:
            if not issubclass(model, cls):
                raise TypeError(
                    f"payload names model {ns!r}, which is not a {cls.__name__}"
                )
            return model
        if model._options.allow_blessed_key or model._options.polymorphic_fields:
            return model
        open_type = preferred_type is None or preferred_type in (ModelT, Model)
        if open_type and issubclass(model, cls):
            # Faust even returned unrelated models here: we keep to subclasses.
            return model
        return None

    @classmethod
    def _maybe_reconstruct(cls, data: Any) -> Any:
        model = cls._maybe_namespace(data)
        return model.from_data(data) if model is not None else data

    # -- dumping -------------------------------------------------------------

    def dumps(self, *, serializer: CodecArg = None) -> bytes:
        """Serialize with ``serializer``, else the ``serializer`` option, else JSON."""
        codec = serializer or self._options.serializer or "json"
        return codecs.dumps(codec, self.to_representation())

    def derive(self, *objects: ModelT, **fields: Any) -> ModelT:
        """Return a copy with fields taken from ``objects`` and then ``fields``."""
        return self._derive(*objects, **fields)

    def _derive(self, *objects: ModelT, **fields: Any) -> ModelT:
        raise NotImplementedError

    # -- validation ----------------------------------------------------------

    def validate(self) -> list[Exception]:
        """Return the list of validation errors (empty if the model is valid).

        Errors are computed on each call, so they follow later changes.
        """
        return list(self._itervalidate())

    def _itervalidate(self) -> Any:
        return iter(())

    def is_valid(self) -> bool:
        """Return True if :meth:`validate` finds no error."""
        return not self.validate()

    def validate_or_raise(self) -> None:
        """Raise the first validation error, if any.

        Raises:
            faust.exceptions.ValidationError: a field breaks one of its
                rules.
        """
        for error in self._itervalidate():
            raise error

    @property
    def validation_errors(self) -> list[Exception]:
        """The validation errors of the model (see :meth:`validate`)."""
        return self.validate()

    def _humanize(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._humanize()}>"
