"""Model interfaces: records that describe keys and values."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, ClassVar, Generic, TypeVar, Union

from .codecs import CodecArg

__all__ = [
    "BLESSED_KEY",
    "CoercionHandler",
    "FieldDescriptorT",
    "FieldMap",
    "ModelArg",
    "ModelOptions",
    "ModelT",
    "registry",
]

T = TypeVar("T")

#: A function that converts a raw value to the annotated type.
CoercionHandler = Callable[[Any], Any]
#: Field name to field descriptor.
FieldMap = Mapping[str, "FieldDescriptorT[Any]"]


class ModelOptions(abc.ABC):
    """Options of a model class, collected from class keyword arguments."""

    serializer: CodecArg | None = None
    namespace: str
    include_metadata: bool = True
    polymorphic_fields: bool = False
    allow_blessed_key: bool = False
    isodates: bool = False
    decimals: bool = False
    validation: bool = False
    coerce: bool = False
    coercions: MutableMapping[Any, CoercionHandler]
    date_parser: Callable[[Any], Any] | None = None
    lazy_creation: bool = False
    abstract: bool = False
    frozen: bool = False

    fields: Mapping[str, type]
    fieldset: frozenset[str]
    fieldpos: Mapping[int, str]
    descriptors: FieldMap
    optionalset: frozenset[str]
    defaults: Mapping[str, Any]
    models: Mapping[str, type]
    initfield: Mapping[str, Any]
    polyindex: Mapping[str, Any]

    secret_fields: frozenset[str] = frozenset()
    sensitive_fields: frozenset[str] = frozenset()
    personal_fields: frozenset[str] = frozenset()
    tagged_fields: frozenset[str] = frozenset()
    has_secret_fields: bool = False
    has_sensitive_fields: bool = False
    has_personal_fields: bool = False
    has_tagged_fields: bool = False

    def clone_defaults(self) -> ModelOptions:
        """Copy of the inheritable options (not the per-class field indexes)."""
        new = type(self)()
        for name in _INHERITED_OPTIONS:
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name])
        new.coercions = dict(getattr(self, "coercions", {}))
        return new


#: Options a model subclass inherits from its parent.
_INHERITED_OPTIONS = (
    "serializer",
    "namespace",
    "include_metadata",
    "polymorphic_fields",
    "allow_blessed_key",
    "isodates",
    "decimals",
    "validation",
    "coerce",
    "date_parser",
    "frozen",
)


class FieldDescriptorT(Generic[T]):
    """Describes one field of a model (``Point.x``)."""

    field: str
    input_name: str
    output_name: str
    type: Any
    model: type[ModelT]
    required: bool = True
    default: T | None = None
    parent: FieldDescriptorT[Any] | None
    exclude: bool

    @abc.abstractmethod
    def getattr(self, obj: ModelT) -> T: ...

    @abc.abstractmethod
    def validate(self, value: T) -> Iterable[Exception]: ...

    @property
    @abc.abstractmethod
    def ident(self) -> str: ...


class ModelT(abc.ABC):
    """A serializable record."""

    __is_model__: ClassVar[bool] = True
    _options: ClassVar[ModelOptions]

    @classmethod
    @abc.abstractmethod
    def loads(
        cls,
        s: bytes,
        *,
        default_serializer: CodecArg = None,
        serializer: CodecArg = None,
    ) -> ModelT: ...

    @classmethod
    @abc.abstractmethod
    def from_data(
        cls, data: Any, *, preferred_type: type[ModelT] | None = None
    ) -> ModelT: ...

    @abc.abstractmethod
    def dumps(self, *, serializer: CodecArg = None) -> bytes: ...

    @abc.abstractmethod
    def derive(self, *objects: ModelT, **fields: Any) -> ModelT: ...

    @abc.abstractmethod
    def to_representation(self) -> Any: ...

    @abc.abstractmethod
    def is_valid(self) -> bool: ...

    @abc.abstractmethod
    def validate(self) -> list[Exception]: ...

    @abc.abstractmethod
    def validate_or_raise(self) -> None: ...

    @property
    @abc.abstractmethod
    def validation_errors(self) -> list[Exception]: ...


#: Key of the metadata a model adds to its payload: ``{"__faust": {"ns": ...}}``.
BLESSED_KEY = "__faust"

#: Namespace (``"module.Class"`` unless set) -> model class.  Every concrete
#: model registers itself when its class is created; payloads carrying
#: ``__faust`` metadata are turned back into models through this table.
registry: MutableMapping[str, type[ModelT]] = {}

#: What a topic's ``key_type``/``value_type`` may be.
ModelArg = Union[type[ModelT], type[bytes], type[str], type[Any], None]
