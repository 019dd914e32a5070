"""Transport interfaces: the producer, consumer and conductor of a broker driver."""

from __future__ import annotations

import abc
import asyncio
import typing
from collections import deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableSet,
)
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Union

from mode import Seconds, ServiceT
from yarl import URL

from .core import HeadersArg
from .tuples import TP, FutureMessage, Message, RecordMetadata

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .channels import ChannelT
    from .topics import TopicT

__all__ = [
    "ConductorT",
    "ConsumerCallback",
    "ConsumerT",
    "PartitionerT",
    "PartitionsAssignedCallback",
    "PartitionsRevokedCallback",
    "ProducerBufferT",
    "ProducerT",
    "RecordMap",
    "SchedulingStrategyT",
    "TransactionManagerT",
    "TransportT",
    "TPorTopicSet",
]

#: Called by the fetcher for every message: normally ``app.topics.on_message``.
ConsumerCallback = Callable[[Message], Awaitable[None]]
#: Records fetched in one poll, per partition.
RecordMap = Mapping[TP, list[Any]]
#: Topic names and/or partitions.
TPorTopicSet = Union[set[str], set[TP], set[Union[str, TP]]]
#: ``(key_bytes, all_partitions, available_partitions) -> partition``.
PartitionerT = Callable[[Optional[bytes], list[int], list[int]], int]
#: Rebalance callbacks.
PartitionsRevokedCallback = Callable[[set[TP]], Awaitable[None]]
#: ``on_partitions_assigned(assigned, generation_id)`` given to the consumer.
PartitionsAssignedCallback = Callable[[set[TP], int], Awaitable[None]]


class ProducerBufferT(ServiceT):
    """Messages sent with ``send_soon``, flushed in the background."""

    max_messages: int
    pending: deque[FutureMessage]

    @abc.abstractmethod
    def put(self, fut: FutureMessage) -> None: ...

    @abc.abstractmethod
    async def flush(self) -> None: ...

    @abc.abstractmethod
    async def flush_atmost(self, n: int) -> int: ...

    @abc.abstractmethod
    async def wait_until_ebb(self) -> None: ...

    @property
    @abc.abstractmethod
    def size(self) -> int: ...

    @property
    @abc.abstractmethod
    def idle(self) -> bool: ...


class ProducerT(ServiceT):
    """Sends messages to the broker."""

    transport: TransportT
    buffer: ProducerBufferT
    client_id: str
    linger_ms: int
    max_batch_size: int
    acks: int
    max_request_size: int
    compression_type: Optional[str]
    partitioner: Optional[PartitionerT]
    request_timeout: float

    @abc.abstractmethod
    async def send(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        *,
        transactional_id: Optional[str] = None,
    ) -> Awaitable[RecordMetadata]: ...

    def can_send_nowait(self, topic: str) -> bool:
        """True if :meth:`send_nowait` takes a message to ``topic`` now.

        False when not supported, not started, the topic's metadata is
        unknown or the buffer is full: then use :meth:`send`.
        """
        return False

    async def wait_send_nowait(self, topic: str) -> bool:
        """Wait until :meth:`can_send_nowait` is true for ``topic``.

        Returns False at once if the producer has no :meth:`send_nowait`.
        """
        return False

    def send_nowait(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        on_done: Callable[[Any, Any, Any, Optional[BaseException]], None],
        fut: Any,
        state: Any,
    ) -> None:
        """Queue a message without waiting (after :meth:`can_send_nowait`).

        Once the broker acknowledged the message (or failed it),
        ``on_done(fut, state, metadata, exc)`` is called.
        """
        raise NotImplementedError("send_nowait: use send()")

    @abc.abstractmethod
    def send_soon(self, fut: FutureMessage) -> None: ...

    @abc.abstractmethod
    async def send_and_wait(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        *,
        transactional_id: Optional[str] = None,
    ) -> RecordMetadata: ...

    @abc.abstractmethod
    async def create_topic(
        self,
        topic: str,
        partitions: int,
        replication: int,
        *,
        config: Optional[Mapping[str, Any]] = None,
        timeout: Seconds = 1000.0,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        ensure_created: bool = False,
    ) -> None: ...

    @abc.abstractmethod
    def key_partition(self, topic: str, key: bytes) -> TP: ...

    @abc.abstractmethod
    async def flush(self) -> None: ...

    @abc.abstractmethod
    async def begin_transaction(self, transactional_id: str) -> None: ...

    @abc.abstractmethod
    async def commit_transaction(self, transactional_id: str) -> None: ...

    @abc.abstractmethod
    async def abort_transaction(self, transactional_id: str) -> None: ...

    @abc.abstractmethod
    async def stop_transaction(self, transactional_id: str) -> None: ...

    @abc.abstractmethod
    async def maybe_begin_transaction(self, transactional_id: str) -> None: ...

    @abc.abstractmethod
    async def commit_transactions(
        self,
        tid_to_offset_map: Mapping[str, Mapping[TP, int]],
        group_id: str,
        start_new_transaction: bool = True,
    ) -> None: ...

    @abc.abstractmethod
    def supports_headers(self) -> bool: ...


class TransactionManagerT(ProducerT):
    """Routes sends to one transactional producer per assigned partition."""

    consumer: ConsumerT
    producer: ProducerT

    @abc.abstractmethod
    async def on_partitions_revoked(self, revoked: set[TP]) -> None: ...

    @abc.abstractmethod
    async def on_rebalance(
        self, assigned: set[TP], revoked: set[TP], newly_assigned: set[TP]
    ) -> None: ...

    @abc.abstractmethod
    async def commit(
        self, offsets: Mapping[TP, int], start_new_transaction: bool = True
    ) -> bool: ...

    @abc.abstractmethod
    async def commit_output(
        self, offsets: Mapping[TP, int], *, wait: bool = True
    ) -> Mapping[TP, int]: ...


class SchedulingStrategyT(abc.ABC):
    """Decides the order in which fetched records are delivered."""

    @abc.abstractmethod
    def iterate(self, records: RecordMap) -> Iterator[tuple[TP, Any]]: ...


class ConsumerT(ServiceT):
    """Reads messages from the broker and tracks which offsets may be committed."""

    transport: TransportT
    transactions: TransactionManagerT
    commit_interval: float
    randomly_assigned_topics: set[str]
    in_transaction: bool
    scheduler: SchedulingStrategyT

    @abc.abstractmethod
    def __init__(
        self,
        transport: TransportT,
        callback: ConsumerCallback,
        on_partitions_revoked: PartitionsRevokedCallback,
        on_partitions_assigned: PartitionsAssignedCallback,
        *,
        commit_interval: Optional[float] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Any,
    ) -> None: ...

    @abc.abstractmethod
    async def create_topic(
        self,
        topic: str,
        partitions: int,
        replication: int,
        *,
        config: Optional[Mapping[str, Any]] = None,
        timeout: Seconds = 1000.0,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        ensure_created: bool = False,
    ) -> None: ...

    @abc.abstractmethod
    async def subscribe(self, topics: Iterable[str]) -> None: ...

    @abc.abstractmethod
    def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]: ...

    @abc.abstractmethod
    def track_message(self, message: Message) -> None: ...

    @abc.abstractmethod
    def ack(self, message: Message) -> bool: ...

    @abc.abstractmethod
    def release(self, message: Message) -> None: ...

    @abc.abstractmethod
    def discard(self, message: Message) -> None: ...

    @abc.abstractmethod
    async def wait_empty(self) -> None: ...

    @abc.abstractmethod
    def commit_point(self, tp: TP) -> Optional[int]: ...

    @abc.abstractmethod
    async def wait_commit_point(self, tp: TP, offset: int) -> None: ...

    @abc.abstractmethod
    def assignment(self) -> set[TP]: ...

    @abc.abstractmethod
    def highwater(self, tp: TP) -> int: ...

    @abc.abstractmethod
    def stop_flow(self) -> None: ...

    @abc.abstractmethod
    def resume_flow(self) -> None: ...

    @abc.abstractmethod
    def pause_partitions(self, tps: Iterable[TP]) -> None: ...

    @abc.abstractmethod
    def resume_partitions(self, tps: Iterable[TP]) -> None: ...

    @abc.abstractmethod
    async def position(self, tp: TP) -> Optional[int]: ...

    @abc.abstractmethod
    async def seek(self, partition: TP, offset: int) -> None: ...

    @abc.abstractmethod
    async def seek_wait(self, partitions: Mapping[TP, int]) -> None: ...

    @abc.abstractmethod
    async def commit(
        self, topics: Optional[TPorTopicSet] = None, start_new_transaction: bool = True
    ) -> bool: ...

    @abc.abstractmethod
    async def on_task_error(self, exc: BaseException) -> None: ...

    @abc.abstractmethod
    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]: ...

    @abc.abstractmethod
    async def highwaters(self, *partitions: TP) -> Mapping[TP, int]: ...

    @abc.abstractmethod
    def topic_partitions(self, topic: str) -> Optional[int]: ...

    @abc.abstractmethod
    def key_partition(
        self, topic: str, key: Optional[bytes], partition: Optional[int] = None
    ) -> Optional[int]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    async def verify_event_path(self, now: float, tp: TP) -> None: ...

    @property
    @abc.abstractmethod
    def unacked(self) -> set[Message]: ...

    @abc.abstractmethod
    async def on_partitions_assigned(
        self, assigned: set[TP], generation_id: int = 0
    ) -> None: ...

    @abc.abstractmethod
    async def on_partitions_revoked(self, revoked: set[TP]) -> None: ...


class ConductorT(ServiceT, MutableSet["TopicT[Any]"]):
    """Routes every fetched message to the channels subscribed to its topic."""

    app: AppT

    #: Set when the subscription changed and the consumer must re-subscribe.
    acking_topics: set[str]

    @abc.abstractmethod
    def __init__(self, app: AppT, **kwargs: Any) -> None: ...

    @abc.abstractmethod
    def acks_enabled_for(self, topic: str) -> bool: ...

    @abc.abstractmethod
    async def commit(self, topics: TPorTopicSet) -> bool: ...

    @abc.abstractmethod
    async def wait_for_subscriptions(self) -> None: ...

    @abc.abstractmethod
    async def maybe_wait_for_subscriptions(self) -> None: ...

    @abc.abstractmethod
    async def on_partitions_assigned(self, assigned: set[TP]) -> None: ...

    @abc.abstractmethod
    async def on_message(self, message: Message) -> None: ...

    @abc.abstractmethod
    def clear_buffers(self) -> int: ...

    @abc.abstractmethod
    def subscriptions_for(self, topic: str) -> typing.Collection[ChannelT[Any]]: ...


class TransportT(abc.ABC):
    """A broker driver: creates the consumer, producer and conductor."""

    Consumer: ClassVar[type[ConsumerT]]
    Producer: ClassVar[type[ProducerT]]
    TransactionManager: ClassVar[type[TransactionManagerT]]
    Conductor: ClassVar[type[ConductorT]]
    Fetcher: ClassVar[type[ServiceT]]

    app: AppT
    url: list[URL]
    driver_version: str
    loop: Optional[asyncio.AbstractEventLoop]

    @abc.abstractmethod
    def __init__(
        self,
        url: list[URL],
        app: AppT,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None: ...

    @abc.abstractmethod
    def create_consumer(
        self, callback: ConsumerCallback, **kwargs: Any
    ) -> ConsumerT: ...

    @abc.abstractmethod
    def create_producer(self, **kwargs: Any) -> ProducerT: ...

    @abc.abstractmethod
    def create_transaction_manager(
        self,
        consumer: ConsumerT,
        producer: ProducerT,
        **kwargs: Any,
    ) -> TransactionManagerT: ...

    @abc.abstractmethod
    def create_conductor(self, **kwargs: Any) -> ConductorT: ...
