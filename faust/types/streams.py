"""Stream interface: an async iterator over a channel with processing helpers."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Sequence,
)
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union

from mode import Seconds, ServiceT

from .channels import ChannelT
from .core import K
from .events import EventT
from .models import FieldDescriptorT
from .topics import TopicT
from .tuples import TP

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .joins import JoinT
    from .models import ModelArg
    from .serializers import SchemaT

__all__ = [
    "GroupByKeyArg",
    "JoinableT",
    "Processor",
    "StreamT",
    "T",
    "T_co",
    "T_contra",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
T_contra = TypeVar("T_contra", contravariant=True)

#: A sync or async function applied to every value of a stream.
Processor = Callable[[T], Union[T, Awaitable[T]]]
#: ``group_by`` key: a field descriptor or a (sync or async) function of the value.
GroupByKeyArg = Union[FieldDescriptorT[Any], Callable[[T], Any]]


class JoinableT(abc.ABC):
    """Something that can be joined with other streams or tables."""

    @abc.abstractmethod
    def combine(self, *nodes: JoinableT, **kwargs: Any) -> StreamT[Any]: ...

    @abc.abstractmethod
    def join(self, *fields: FieldDescriptorT[Any]) -> StreamT[Any]: ...

    @abc.abstractmethod
    def left_join(self, *fields: FieldDescriptorT[Any]) -> StreamT[Any]: ...

    @abc.abstractmethod
    def inner_join(self, *fields: FieldDescriptorT[Any]) -> StreamT[Any]: ...

    @abc.abstractmethod
    def outer_join(self, *fields: FieldDescriptorT[Any]) -> StreamT[Any]: ...

    @abc.abstractmethod
    def __and__(self, other: Any) -> Any: ...


class StreamT(AsyncIterable[T_co], JoinableT, ServiceT):
    """A stream of values read from a channel."""

    app: AppT
    channel: AsyncIterator[T_co]
    outbox: Optional[asyncio.Queue[Any]] = None
    join_strategy: Optional[JoinT] = None
    combined: list[JoinableT]
    concurrency_index: Optional[int] = None
    enable_acks: bool = True
    prefix: str = ""
    active_partitions: Optional[set[TP]] = None
    events_total: int = 0
    #: name of the asyncio task iterating the stream (``"agent-name:0"`` for
    #: an agent's first actor), counted in ``Monitor.events_by_task``
    task_owner: str = ""

    @abc.abstractmethod
    def __init__(
        self,
        channel: AsyncIterator[T_co],
        *,
        app: AppT,
        processors: Optional[Iterable[Processor[T]]] = None,
        combined: Optional[list[JoinableT]] = None,
        on_start: Optional[Callable[..., Any]] = None,
        join_strategy: Optional[JoinT] = None,
        beacon: Optional[Any] = None,
        concurrency_index: Optional[int] = None,
        prev: Optional[StreamT[Any]] = None,
        active_partitions: Optional[set[TP]] = None,
        enable_acks: bool = True,
        prefix: str = "",
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None: ...

    @abc.abstractmethod
    def get_active_stream(self) -> StreamT[Any]: ...

    @abc.abstractmethod
    def get_root_stream(self) -> StreamT[Any]: ...

    @abc.abstractmethod
    def add_processor(self, processor: Processor[T]) -> None: ...

    @abc.abstractmethod
    def info(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def clone(self, **kwargs: Any) -> StreamT[T_co]: ...

    @abc.abstractmethod
    def noack(self) -> StreamT[T_co]: ...

    @abc.abstractmethod
    def items(self) -> AsyncIterator[tuple[K, T_co]]: ...

    @abc.abstractmethod
    def events(self) -> AsyncIterable[EventT[Any]]: ...

    @abc.abstractmethod
    def enumerate(self, start: int = 0) -> AsyncIterable[tuple[int, T_co]]: ...

    @abc.abstractmethod
    def take(
        self, max_: int, within: Optional[Seconds] = None
    ) -> AsyncIterable[Sequence[T_co]]: ...

    @abc.abstractmethod
    def filter(self, fun: Processor[T]) -> StreamT[T_co]: ...

    @abc.abstractmethod
    def through(self, channel: Union[str, ChannelT[Any]]) -> StreamT[T_co]: ...

    @abc.abstractmethod
    def echo(self, *channels: Union[str, ChannelT[Any]]) -> StreamT[T_co]: ...

    @abc.abstractmethod
    def group_by(
        self,
        key: GroupByKeyArg[T],
        *,
        name: Optional[str] = None,
        topic: Optional[TopicT[Any]] = None,
        partitions: Optional[int] = None,
    ) -> StreamT[T_co]: ...

    @abc.abstractmethod
    def derive_topic(
        self,
        name: str,
        *,
        schema: Optional[SchemaT] = None,
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        prefix: str = "",
        suffix: str = "",
    ) -> TopicT[Any]: ...

    @abc.abstractmethod
    async def throw(self, exc: BaseException) -> None: ...

    @abc.abstractmethod
    async def ack(self, event: EventT[Any]) -> bool: ...

    @abc.abstractmethod
    def __aiter__(self) -> AsyncIterator[T_co]: ...

    @property
    @abc.abstractmethod
    def current_event(self) -> Optional[EventT[Any]]: ...
