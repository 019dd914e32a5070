"""Channel interface: a queue of events that streams iterate over."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

from .codecs import CodecArg
from .core import HeadersArg, K, OpenHeadersArg, V
from .events import EventT
from .tuples import (
    TP,
    FutureMessage,
    Message,
    MessageSentCallback,
    RecordMetadata,
)

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .models import ModelArg
    from .serializers import SchemaT
    from .streams import StreamT

__all__ = ["ChannelT"]

T = TypeVar("T")


class ChannelT(Generic[T], AsyncIterator[EventT[T]]):
    """A channel: something you can send to and iterate over."""

    app: AppT
    schema: SchemaT
    key_type: Optional[ModelArg]
    value_type: Optional[ModelArg]
    maxsize: Optional[int]
    active_partitions: Optional[set[TP]]
    is_iterator: bool

    @abc.abstractmethod
    def __init__(
        self,
        app: AppT,
        *,
        schema: Optional[SchemaT] = None,
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        is_iterator: bool = False,
        queue: Optional[Any] = None,
        maxsize: Optional[int] = None,
        root: Optional[ChannelT[Any]] = None,
        active_partitions: Optional[set[TP]] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None: ...

    @abc.abstractmethod
    def clone(
        self, *, is_iterator: Optional[bool] = None, **kwargs: Any
    ) -> ChannelT[T]: ...

    @abc.abstractmethod
    def clone_using_queue(self, queue: Any) -> ChannelT[T]: ...

    @abc.abstractmethod
    def stream(self, **kwargs: Any) -> StreamT[T]: ...

    @abc.abstractmethod
    def get_topic_name(self) -> str: ...

    @abc.abstractmethod
    async def send(
        self,
        *,
        key: K = None,
        value: V = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]: ...

    @abc.abstractmethod
    def send_soon(
        self,
        *,
        key: K = None,
        value: V = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        force: bool = False,
        eager_partitioning: bool = False,
    ) -> FutureMessage: ...

    @abc.abstractmethod
    def as_future_message(
        self,
        key: K = None,
        value: V = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        eager_partitioning: bool = False,
    ) -> FutureMessage: ...

    @abc.abstractmethod
    async def publish_message(
        self, fut: FutureMessage, wait: bool = True
    ) -> Awaitable[RecordMetadata]: ...

    @abc.abstractmethod
    def prepare_key(
        self,
        key: K,
        key_serializer: CodecArg,
        schema: Optional[SchemaT] = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]: ...

    @abc.abstractmethod
    def prepare_value(
        self,
        value: V,
        value_serializer: CodecArg,
        schema: Optional[SchemaT] = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]: ...

    @abc.abstractmethod
    async def maybe_declare(self) -> None: ...

    @abc.abstractmethod
    async def declare(self) -> None: ...

    @abc.abstractmethod
    async def decode(
        self, message: Message, *, propagate: bool = False
    ) -> EventT[T]: ...

    @abc.abstractmethod
    async def deliver(self, message: Message) -> None: ...

    @abc.abstractmethod
    async def put(self, value: EventT[T]) -> None: ...

    @abc.abstractmethod
    async def get(self, *, timeout: Optional[float] = None) -> EventT[T]: ...

    @abc.abstractmethod
    def empty(self) -> bool: ...

    @abc.abstractmethod
    async def on_key_decode_error(self, exc: Exception, message: Message) -> None: ...

    @abc.abstractmethod
    async def on_value_decode_error(self, exc: Exception, message: Message) -> None: ...

    @abc.abstractmethod
    async def on_decode_error(self, exc: Exception, message: Message) -> None: ...

    @abc.abstractmethod
    def on_stop_iteration(self) -> None: ...

    @abc.abstractmethod
    def derive(self, **kwargs: Any) -> ChannelT[T]: ...

    @abc.abstractmethod
    async def throw(self, exc: BaseException) -> None: ...

    @abc.abstractmethod
    def _throw(self, exc: BaseException) -> None: ...

    @property
    @abc.abstractmethod
    def queue(self) -> Any: ...

    @property
    @abc.abstractmethod
    def subscriber_count(self) -> int: ...

    @property
    @abc.abstractmethod
    def label(self) -> str: ...
