"""Serializer registry and schema interfaces."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from .codecs import CodecArg
from .core import K, OpenHeadersArg, V
from .tuples import Message

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .models import ModelArg

__all__ = ["RegistryT", "SchemaT", "KT", "VT"]

KT = Any
VT = Any


class RegistryT(abc.ABC):
    """Serializes keys and values according to their type and codec."""

    key_serializer: CodecArg
    value_serializer: CodecArg

    @abc.abstractmethod
    def __init__(
        self, key_serializer: CodecArg = None, value_serializer: CodecArg = "json"
    ) -> None: ...

    @abc.abstractmethod
    def loads_key(
        self,
        typ: Optional[ModelArg],
        key: Optional[bytes],
        *,
        serializer: CodecArg = None,
    ) -> K: ...

    @abc.abstractmethod
    def loads_value(
        self,
        typ: Optional[ModelArg],
        value: Optional[bytes],
        *,
        serializer: CodecArg = None,
    ) -> Any: ...

    @abc.abstractmethod
    def dumps_key(
        self,
        typ: Optional[ModelArg],
        key: K,
        *,
        serializer: CodecArg = None,
        skip: tuple[type, ...] = (bytes,),
    ) -> Optional[bytes]: ...

    @abc.abstractmethod
    def dumps_value(
        self,
        typ: Optional[ModelArg],
        value: V,
        *,
        serializer: CodecArg = None,
        skip: tuple[type, ...] = (bytes,),
    ) -> Optional[bytes]: ...


class SchemaT(abc.ABC):
    """Key/value types and serializers of a channel, with their (de)coding."""

    key_type: Optional[ModelArg] = None
    value_type: Optional[ModelArg] = None
    key_serializer: Optional[CodecArg] = None
    value_serializer: Optional[CodecArg] = None
    allow_empty: bool = False

    @abc.abstractmethod
    def __init__(
        self,
        *,
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        allow_empty: Optional[bool] = None,
    ) -> None: ...

    @abc.abstractmethod
    def update(
        self,
        *,
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        allow_empty: Optional[bool] = None,
    ) -> None: ...

    @abc.abstractmethod
    def loads_key(
        self,
        app: AppT,
        message: Message,
        *,
        loads: Optional[Callable[..., Any]] = None,
        serializer: CodecArg = None,
    ) -> KT: ...

    @abc.abstractmethod
    def loads_value(
        self,
        app: AppT,
        message: Message,
        *,
        loads: Optional[Callable[..., Any]] = None,
        serializer: CodecArg = None,
    ) -> VT: ...

    @abc.abstractmethod
    def dumps_key(
        self,
        app: AppT,
        key: K,
        *,
        serializer: CodecArg = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]: ...

    @abc.abstractmethod
    def dumps_value(
        self,
        app: AppT,
        value: V,
        *,
        serializer: CodecArg = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]: ...

    @abc.abstractmethod
    def compile(
        self,
        app: AppT,
        *,
        on_key_decode_error: Optional[Callable[..., Any]] = None,
        on_value_decode_error: Optional[Callable[..., Any]] = None,
        default_propagate: bool = False,
    ) -> Callable[..., Any]: ...

    @abc.abstractmethod
    async def decode(
        self, app: AppT, message: Message, *, propagate: bool = False
    ) -> Any: ...

    @abc.abstractmethod
    def on_dumps_key_prepare_headers(
        self, key: K, headers: Optional[OpenHeadersArg]
    ) -> Optional[OpenHeadersArg]: ...

    @abc.abstractmethod
    def on_dumps_value_prepare_headers(
        self, value: V, headers: Optional[OpenHeadersArg]
    ) -> Optional[OpenHeadersArg]: ...
