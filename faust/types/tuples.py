"""Value types that travel through the system: partitions, messages, metadata.

:class:`Message` is created once per record fetched from the broker and lives
until every channel that received it has acknowledged it; it uses ``__slots__``
and a reference count so that fan-out to several streams costs no copies.
"""

from __future__ import annotations

import asyncio
import typing
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from .codecs import CodecArg
from .core import HeadersArg

if TYPE_CHECKING:  # pragma: no cover
    from .channels import ChannelT
    from .transports import ConsumerT

__all__ = [
    "TP",
    "tp_set",
    "tp_set_to_map",
    "RecordMetadata",
    "PendingMessage",
    "FutureMessage",
    "Message",
    "ConsumerMessage",
    "MessageSentCallback",
]


class TP(NamedTuple):
    """A topic partition."""

    topic: str
    partition: int


def tp_set(tps: typing.Iterable[tuple[str, int]]) -> set[TP]:
    """Convert any ``(topic, partition)`` pairs into a set of :class:`TP`."""
    return {TP(t, p) for t, p in tps}


def tp_set_to_map(tps: set[TP]) -> dict[str, set[TP]]:
    """Group partitions by topic: ``{TP("a", 0), TP("a", 1)}`` -> ``{"a": {...}}``."""
    by_topic: dict[str, set[TP]] = {}
    for tp in tps:
        by_topic.setdefault(tp.topic, set()).add(tp)
    return by_topic


class RecordMetadata(NamedTuple):
    """Where a produced message was stored."""

    topic: str
    partition: int
    topic_partition: TP
    offset: int
    timestamp: Optional[float] = None
    timestamp_type: Optional[int] = None


#: Called with the :class:`FutureMessage` once a message is delivered.
MessageSentCallback = Callable[["FutureMessage"], Union[None, Awaitable[None]]]


class PendingMessage(NamedTuple):
    """A message waiting to be produced."""

    channel: ChannelT[Any]
    key: Any
    value: Any
    partition: Optional[int]
    timestamp: Optional[float]
    headers: Optional[HeadersArg]
    key_serializer: CodecArg
    value_serializer: CodecArg
    callback: Optional[MessageSentCallback]
    topic: Optional[str] = None
    offset: Optional[int] = None
    generation_id: Optional[int] = None


class FutureMessage(asyncio.Future[RecordMetadata]):
    """A future that completes with the :class:`RecordMetadata` of a message."""

    message: PendingMessage
    #: The message of the event this send is output of (set by the channel
    #: when that event is tracked, for at-least-once).
    source: Optional[Message] = None
    #: Called with the exception when the send fails. Called at once, not
    #: scheduled as a done callback would be: no loop callback per send.
    on_failure: Optional[Callable[[FutureMessage, BaseException], None]] = None
    #: the event being processed when the message was buffered (its output)
    source_event: Optional[Any] = None

    def __init__(self, message: PendingMessage) -> None:
        self.message = message
        super().__init__()

    def set_exception(self, exception: Union[type, BaseException], /) -> None:
        """Fail the send; :attr:`on_failure` hears of it."""
        super().set_exception(exception)
        on_failure = self.on_failure
        if on_failure is not None:
            exc = self.exception()
            if exc is not None:
                on_failure(self, exc)


class Message:
    """A record read from a topic, shared by every channel that receives it.

    The message is *acked* once its reference count drops to zero, that is
    once every stream it was delivered to has finished with it.
    """

    __slots__ = (
        "topic",
        "partition",
        "offset",
        "timestamp",
        "timestamp_type",
        "headers",
        "key",
        "value",
        "checksum",
        "serialized_key_size",
        "serialized_value_size",
        "acked",
        "refcount",
        "tp",
        "tracked",
        "span",
        "time_in",
        "time_out",
        "time_total",
        "generation_id",
        "__weakref__",
    )

    use_tracking: typing.ClassVar[bool] = False

    def __init__(
        self,
        topic: str,
        partition: int,
        offset: int,
        timestamp: float,
        timestamp_type: int,
        headers: Optional[HeadersArg],
        key: Optional[bytes],
        value: Optional[bytes],
        checksum: Optional[bytes],
        serialized_key_size: Optional[int] = None,
        serialized_value_size: Optional[int] = None,
        tp: Optional[TP] = None,
        time_in: Optional[float] = None,
        time_out: Optional[float] = None,
        time_total: Optional[float] = None,
        generation_id: Optional[int] = None,
    ) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.timestamp_type = timestamp_type
        self.headers = headers
        self.key = key
        self.value = value
        self.checksum = checksum
        self.serialized_key_size = serialized_key_size
        self.serialized_value_size = serialized_value_size
        self.acked = False
        self.refcount = 0
        self.tp = tp if tp is not None else TP(topic, partition)
        self.tracked = False
        self.span: Any = None
        self.time_in = time_in
        self.time_out = time_out
        self.time_total = time_total
        self.generation_id = generation_id

    def ack(self, consumer: Optional[ConsumerT], n: int = 1) -> bool:
        """Release ``n`` references; returns True when the message became acked."""
        if not self.acked:
            # when the last reference is released the message is done
            if self.decref(n) == 0:
                return self.on_final_ack(consumer)
        return False

    def on_final_ack(self, consumer: Optional[ConsumerT]) -> bool:
        """Called when the last reference is released."""
        self.acked = True
        return True

    def incref(self, n: int = 1) -> None:
        """Add ``n`` references (one per channel the message goes to)."""
        self.refcount += n

    def decref(self, n: int = 1) -> int:
        """Release ``n`` references and return the new count."""
        refcount = self.refcount = max(self.refcount - n, 0)
        return refcount

    @classmethod
    def from_message(cls, message: Message, tp: TP) -> Message:
        """Copy a message (e.g. to re-deliver it under another topic)."""
        return cls(
            message.topic,
            message.partition,
            message.offset,
            message.timestamp,
            message.timestamp_type,
            message.headers,
            message.key,
            message.value,
            message.checksum,
            message.serialized_key_size,
            message.serialized_value_size,
            tp,
            generation_id=message.generation_id,
        )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: {self.tp.topic}:{self.tp.partition}"
            f"@{self.offset} refcount={self.refcount} acked={self.acked}>"
        )


class ConsumerMessage(Message):
    """A message read by a consumer: acking it tells the consumer."""

    __slots__ = ()

    use_tracking: typing.ClassVar[bool] = True

    def on_final_ack(self, consumer: Optional[ConsumerT]) -> bool:
        """Tell the consumer the offset may be committed."""
        self.acked = True
        if consumer is None:  # pragma: no cover - events always pass it
            return True
        return consumer.ack(self)
