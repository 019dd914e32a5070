"""Event interface: a deserialized message as seen by a stream."""

from __future__ import annotations

import abc
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar, Union

from .codecs import CodecArg
from .core import HeadersArg, K, V
from .tuples import Message, MessageSentCallback, RecordMetadata

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .channels import ChannelT
    from .serializers import SchemaT

__all__ = ["EventT"]

T = TypeVar("T")


class EventT(Generic[T], abc.ABC):
    """A message decoded by a channel: key, value, headers and the raw message."""

    app: AppT
    key: K
    value: V
    headers: dict[str, bytes]
    message: Message
    acked: bool

    __slots__ = ("app", "key", "value", "headers", "message", "acked", "__weakref__")

    @abc.abstractmethod
    def __init__(
        self,
        app: AppT,
        key: K,
        value: V,
        headers: Optional[HeadersArg],
        message: Message,
    ) -> None: ...

    @abc.abstractmethod
    async def send(
        self,
        channel: Union[str, ChannelT[Any]],
        key: K = ...,
        value: V = ...,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Any = ...,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]: ...

    @abc.abstractmethod
    async def forward(
        self,
        channel: Union[str, ChannelT[Any]],
        key: Any = ...,
        value: Any = ...,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Any = ...,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]: ...

    @abc.abstractmethod
    def ack(self) -> bool: ...
