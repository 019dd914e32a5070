"""Agent interfaces: stream processors started by the app."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    MutableMapping,
)
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar, Union

from mode import ServiceT, SupervisorStrategyT

from .channels import ChannelT
from .codecs import CodecArg
from .core import HeadersArg, K, V
from .events import EventT
from .streams import StreamT
from .tuples import TP, Message, RecordMetadata

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = [
    "ActorRefT",
    "ActorT",
    "AgentErrorHandler",
    "AgentFun",
    "AgentManagerT",
    "AgentT",
    "AgentTestWrapperT",
    "AsyncIterableActorT",
    "AwaitableActorT",
    "ReplyConsumerT",
    "ReplyToArg",
    "SinkT",
]

_T = TypeVar("_T")

#: The decorated function: takes a stream, returns a coroutine or async generator.
AgentFun = Callable[[StreamT[Any]], Union[Awaitable[None], AsyncIterable[Any]]]
#: Where an agent's yielded values go: an agent, a channel or a callable.
SinkT = Union[
    "AgentT[Any]", ChannelT[Any], Callable[[Any], Union[Awaitable[Any], None]]
]
#: ``async def on_error(agent, exc)``: called when an actor of the agent fails.
AgentErrorHandler = Callable[["AgentT[Any]", BaseException], Awaitable[None]]
#: Where replies are sent: a topic name, an agent or a channel.
ReplyToArg = Union["AgentT[Any]", ChannelT[Any], str]


class ActorT(ServiceT, Generic[_T]):
    """One running instance of an agent function."""

    agent: AgentT[Any]
    stream: StreamT[Any]
    it: _T
    actor_task: Optional[asyncio.Task[Any]]
    active_partitions: Optional[set[TP]]
    index: Optional[int]

    @abc.abstractmethod
    def cancel(self) -> None: ...

    @abc.abstractmethod
    async def on_isolated_partition_revoked(self, tp: TP) -> None: ...

    @abc.abstractmethod
    async def on_isolated_partition_assigned(self, tp: TP) -> None: ...

    @abc.abstractmethod
    def traceback(self) -> str: ...


class AsyncIterableActorT(ActorT[AsyncIterable[Any]], AsyncIterable[Any]):
    """An actor of an agent that yields."""


class AwaitableActorT(ActorT[Awaitable[Any]], Awaitable[Any]):
    """An actor of an agent that does not yield."""


ActorRefT = ActorT[Any]


class AgentT(ServiceT, Generic[_T]):
    """A stream processor: a function iterating a stream, run by actors."""

    name: str
    app: AppT
    concurrency: int
    help: str
    supervisor_strategy: Optional[type[SupervisorStrategyT]]
    isolated_partitions: bool
    use_reply_headers: bool
    fun: AgentFun

    @abc.abstractmethod
    def __call__(
        self,
        *,
        index: Optional[int] = None,
        active_partitions: Optional[set[TP]] = None,
        stream: Optional[StreamT[Any]] = None,
        channel: Optional[ChannelT[Any]] = None,
    ) -> ActorRefT: ...

    @abc.abstractmethod
    def test_context(
        self,
        channel: Optional[ChannelT[Any]] = None,
        supervisor_strategy: Optional[type[SupervisorStrategyT]] = None,
        **kwargs: Any,
    ) -> AgentTestWrapperT: ...

    @abc.abstractmethod
    def add_sink(self, sink: SinkT) -> None: ...

    @abc.abstractmethod
    def stream(self, **kwargs: Any) -> StreamT[Any]: ...

    @abc.abstractmethod
    async def on_partitions_assigned(self, assigned: set[TP]) -> None: ...

    @abc.abstractmethod
    async def on_partitions_revoked(self, revoked: set[TP]) -> None: ...

    @abc.abstractmethod
    async def cast(
        self,
        value: V = None,
        *,
        key: K = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
    ) -> None: ...

    @abc.abstractmethod
    async def send(
        self,
        *,
        key: K = None,
        value: V = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[Callable[..., Any]] = None,
        reply_to: Optional[ReplyToArg] = None,
        correlation_id: Optional[str] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]: ...

    @abc.abstractmethod
    def get_topic_names(self) -> Iterable[str]: ...

    @property
    @abc.abstractmethod
    def channel(self) -> ChannelT[Any]: ...

    @channel.setter
    def channel(self, channel: ChannelT[Any]) -> None: ...

    @property
    @abc.abstractmethod
    def channel_iterator(self) -> AsyncIterator[Any]: ...

    @channel_iterator.setter
    def channel_iterator(self, it: AsyncIterator[Any]) -> None: ...

    @abc.abstractmethod
    def info(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def clone(
        self, *, cls: Optional[type[AgentT[Any]]] = None, **kwargs: Any
    ) -> AgentT[_T]: ...

    @abc.abstractmethod
    def actor_tracebacks(self) -> list[str]: ...


class AgentManagerT(ServiceT, MutableMapping[str, "AgentT[Any]"]):
    """The registry of agents (``app.agents``); starts them and routes rebalances.

    A mutable mapping of agent name to agent.
    """

    app: AppT

    @abc.abstractmethod
    def cancel(self) -> None: ...

    @abc.abstractmethod
    async def wait_until_agents_started(self) -> None: ...

    @abc.abstractmethod
    async def on_rebalance(self, revoked: set[TP], newly_assigned: set[TP]) -> None: ...

    @abc.abstractmethod
    def human_tracebacks(self) -> str: ...


class ReplyConsumerT(ServiceT):
    """Resolves the promises of ``agent.ask()`` requests (``app.reply_consumer``)."""

    @abc.abstractmethod
    async def add(self, correlation_id: str, promise: Any) -> None: ...


class AgentTestWrapperT(AgentT[Any], AsyncIterable[Any]):
    """``agent.test_context()``: feed values to an agent and collect its results."""

    new_value_processed: asyncio.Condition
    original_channel: ChannelT[Any]
    results: dict[int, Any]
    sent_offset: int = 0
    processed_offset: int = 0

    @abc.abstractmethod
    async def put(
        self,
        value: V = None,
        key: K = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        *,
        reply_to: Optional[ReplyToArg] = None,
        correlation_id: Optional[str] = None,
        wait: bool = True,
    ) -> EventT[Any]: ...

    @abc.abstractmethod
    def to_message(
        self,
        key: K,
        value: V,
        *,
        partition: Optional[int] = None,
        offset: int = 0,
        timestamp: Optional[float] = None,
        timestamp_type: int = 0,
        headers: Optional[HeadersArg] = None,
    ) -> Message: ...

    @abc.abstractmethod
    async def throw(self, exc: BaseException) -> None: ...
