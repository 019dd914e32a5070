"""Channels: in-memory queues of events that streams iterate over.

A channel is both a description (schema, key/value types) and, once iterated,
a subscription: ``aiter(channel)`` returns a clone with its own queue that is
registered with the original (the *root*). ``put`` on the root fans an event
out to every subscriber's queue. Values sent to a plain channel are not
serialized: the receiving stream gets the very objects that were sent.

:class:`~faust.topics.Topic` extends this with Kafka topics; there the
conductor fills the subscribers' queues.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Mapping
from typing import Any, Optional, cast
from weakref import WeakSet

from mode.utils.futures import maybe_async

from ._context import get_current_event as _get_current_event
from ._decode_errors import handle_decode_error
from ._sending import cache_encoders, on_output_failed
from .types import (
    TP,
    AppT,
    ChannelT,
    CodecArg,
    EventT,
    FutureMessage,
    K,
    Message,
    MessageSentCallback,
    ModelArg,
    PendingMessage,
    RecordMetadata,
    SchemaT,
    StreamT,
    V,
)
from .types.core import HeadersArg, OpenHeadersArg
from .utils.queues import EventQueue

__all__ = ["Channel", "SerializedChannel", "prepare_headers"]

logger = logging.getLogger(__name__)

# a FutureMessage and its PendingMessage without Python-level constructors
# (the per-message path; FutureMessage.__init__ does the same)
_new_future = asyncio.Future.__new__
_init_future = asyncio.Future.__init__
_new_tuple = tuple.__new__


def prepare_headers(headers: Optional[HeadersArg]) -> Optional[OpenHeadersArg]:
    """Copy user headers into a mutable form (a dict stays a dict)."""
    if headers is None:
        return None
    if isinstance(headers, Mapping):
        return dict(headers)
    return list(headers)


class Channel(ChannelT[Any]):
    """An in-memory channel.

    Arguments:
        app: the app.
        schema: key/value types and serializers (or give the types directly).
        key_type: type of keys.
        value_type: type of values.
        is_iterator: True for the subscription clone returned by ``aiter()``.
        queue: use this queue instead of creating one.
        maxsize: queue size (default ``stream_buffer_maxsize``).
        root: the channel this one was cloned from.
        active_partitions: partitions this subscription is restricted to.
        loop: unused; kept for compatibility.

    Example:
        >>> channel = app.channel(value_type=Order)
        >>> @app.agent(channel)
        ... async def process(orders):
        ...     async for order in orders:
        ...         ...
        >>> await channel.send(value=Order(...))
    """

    _queue: Optional[EventQueue[EventT[Any]]]
    _subscribers: WeakSet[ChannelT[Any]]

    def __init__(
        self,
        app: AppT,
        *,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        is_iterator: bool = False,
        queue: Optional[Any] = None,
        maxsize: Optional[int] = None,
        root: Optional[ChannelT[Any]] = None,
        active_partitions: Optional[set[TP]] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        self.app = app
        self.loop = loop
        self.is_iterator = is_iterator
        self._queue = queue
        self.maxsize = maxsize
        self._root = cast(Optional["Channel"], root)
        self.active_partitions = active_partitions
        self._subscribers = WeakSet()
        self.schema = self._init_schema(schema, key_type, value_type)
        self.key_type = self.schema.key_type
        self.value_type = self.schema.value_type

    def _init_schema(
        self, schema: Optional[SchemaT], key_type: ModelArg, value_type: ModelArg
    ) -> SchemaT:
        if schema is None:
            return self._get_default_schema(key_type, value_type)
        schema.update(key_type=key_type, value_type=value_type)
        return schema

    def _get_default_schema(self, key_type: ModelArg, value_type: ModelArg) -> SchemaT:
        schema_cls: Any = self.app.conf.Schema
        return cast(SchemaT, schema_cls(key_type=key_type, value_type=value_type))

    @property
    def queue(self) -> EventQueue[EventT[Any]]:
        """The queue of this subscription (created on first use)."""
        if self._queue is None:
            maxsize = self.maxsize
            if maxsize is None:
                maxsize = self.app.conf.stream_buffer_maxsize
            self._queue = EventQueue(
                maxsize,
                flow_control=self.app.flow_control,
                clear_on_resume=True,
            )
        return self._queue

    def clone(self, *, is_iterator: Optional[bool] = None, **kwargs: Any) -> Channel:
        """Copy this channel; an iterator clone subscribes to the root."""
        is_it = is_iterator if is_iterator is not None else self.is_iterator
        subchannel = type(self)(
            **{**self._clone_args(), **kwargs, "is_iterator": is_it}
        )
        if is_it:
            root = self._root if self._root is not None else self
            root._subscribers.add(subchannel)
        return subchannel

    def clone_using_queue(self, queue: Any) -> Channel:
        """Copy this channel as a subscription that uses ``queue``."""
        return self.clone(queue=queue, is_iterator=True)

    def _clone_args(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "loop": self.loop,
            "schema": self.schema,
            "key_type": self.key_type,
            "value_type": self.value_type,
            "maxsize": self.maxsize,
            "root": self._root if self._root is not None else self,
            "active_partitions": self.active_partitions,
        }

    def stream(self, **kwargs: Any) -> StreamT[Any]:
        """Create a stream iterating over this channel."""
        return self.app.stream(self, **kwargs)

    def get_topic_name(self) -> str:
        """Channels have no topic name."""
        raise NotImplementedError("Channels are unnamed topics")

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
    ) -> Awaitable[RecordMetadata]:
        """Send a key/value to every subscriber of this channel.

        Keyword-only, as in Faust. Returns a completed future.
        """
        fut = self.as_future_message(
            key,
            value,
            partition,
            timestamp,
            headers,
            schema,
            key_serializer,
            value_serializer,
            callback,
        )
        return await self.publish_message(fut, wait=True)

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
    ) -> FutureMessage:
        """Put a key/value in the subscribers' queues without waiting.

        Unlike Faust (where this raises ``NotImplementedError`` for channels),
        the event is queued immediately, even past the buffer limit.
        """
        fut = self.as_future_message(
            key,
            value,
            partition,
            timestamp,
            headers,
            schema,
            key_serializer,
            value_serializer,
            callback,
        )
        event = self._create_event(
            fut.message.key,
            fut.message.value,
            fut.message.headers,
            self._pending_to_message(fut.message),
        )
        for subscriber in self._root_subscribers():
            subscriber.queue.put_nowait(event)
        self._finish_future(fut)
        return fut

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
    ) -> FutureMessage:
        """Wrap a key/value as a :class:`FutureMessage` ready to publish."""
        encoders = None
        open_headers: Optional[OpenHeadersArg]
        if schema is None and key_serializer is None and value_serializer is None:
            # the channel's own encoding: made once (see faust._sending)
            attrs = self.__dict__
            cached = attrs.get("_encoders")
            if (
                cached is not None
                and cached[0] is self.schema
                and cached[1] is attrs.get("key_serializer")
                and cached[2] is attrs.get("value_serializer")
            ):
                encoders = cached[3]
            else:
                encoders = cache_encoders(self)
        if encoders is not None:
            # (no encoder call for bytes that it would return as they are)
            dump_key, dump_value, key_as_is, value_as_is = encoders
            final_key = key if key_as_is and key.__class__ is bytes else dump_key(key)
            final_value = (
                value if value_as_is and value.__class__ is bytes else dump_value(value)
            )
            if headers is None:
                open_headers = None
            elif headers.__class__ is list or headers.__class__ is tuple:
                open_headers = list(headers)  # prepare_headers(), inline
            else:
                open_headers = prepare_headers(headers)
        else:
            open_headers = self.prepare_headers(headers)
            final_key, open_headers = self.prepare_key(
                key, key_serializer, schema, open_headers
            )
            final_value, open_headers = self.prepare_value(
                value, value_serializer, schema, open_headers
            )
        if partition is None and eager_partitioning:
            partition = self._eager_partition(final_key)
        fut = _new_future(FutureMessage)
        _init_future(fut)
        # PendingMessage(...) without its Python-level __new__
        fut.message = _new_tuple(
            PendingMessage,
            (
                self,
                final_key,
                final_value,
                partition,
                timestamp,
                open_headers,
                key_serializer,
                value_serializer,
                callback,
                None,
                None,
                None,
            ),
        )
        event = _get_current_event()
        if event is not None and event.message.tracked:
            # output of an event being processed: if it cannot be sent, the
            # event's offset must not be committed (at-least-once)
            fut.source = event.message
            fut.on_failure = on_output_failed
        return fut

    def _eager_partition(self, key: Any) -> Optional[int]:
        return None

    async def publish_message(
        self, fut: FutureMessage, wait: bool = True
    ) -> Awaitable[RecordMetadata]:
        """Deliver a future message to the subscribers' queues."""
        pending = fut.message
        event = self._create_event(
            pending.key,
            pending.value,
            pending.headers,
            self._pending_to_message(pending),
        )
        await self.put(event)
        self._finish_future(fut)
        return fut

    def _finish_future(self, fut: FutureMessage) -> None:
        tp = TP("<anon>", -1)
        fut.set_result(RecordMetadata(tp.topic, tp.partition, tp, -1, None, None))
        callback = fut.message.callback
        if callback is not None:
            result = callback(fut)
            if result is not None:
                self.app.add_future(maybe_async(result))

    def _pending_to_message(self, pending: PendingMessage) -> Message:
        timestamp = pending.timestamp
        if timestamp is None:
            timestamp = time.time()
        headers, key, value = pending.headers, pending.key, pending.value
        return Message("<anon>", -1, -1, timestamp, 0, headers, key, value, None, 0, 0)

    def _create_event(
        self, key: K, value: V, headers: Optional[Any], message: Message
    ) -> EventT[Any]:
        return self.app.create_event(key, value, headers, message)

    def prepare_headers(
        self, headers: Optional[HeadersArg]
    ) -> Optional[OpenHeadersArg]:
        """Headers of an outgoing message, in a form that can be added to.

        Override it to add headers to every message sent to this channel
        (``headers`` is None when ``send()`` was given none).

        Arguments:
            headers: the headers given to ``send()`` (a mapping, a list of
                ``(key, value)`` pairs, or None).

        Returns:
            A copy of ``headers`` (a dict stays a dict, pairs become a
            list), or None.
        """
        return prepare_headers(headers)

    def prepare_key(
        self,
        key: K,
        key_serializer: CodecArg,
        schema: Optional[SchemaT] = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]:
        """Channels keep keys as Python objects."""
        return key, headers

    def prepare_value(
        self,
        value: V,
        value_serializer: CodecArg,
        schema: Optional[SchemaT] = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]:
        """Channels keep values as Python objects."""
        return value, headers

    async def maybe_declare(self) -> None:
        """Channels need no declaration."""

    async def declare(self) -> None:
        """Channels need no declaration."""

    async def decode(self, message: Message, *, propagate: bool = False) -> EventT[Any]:
        """Decode a raw message with this channel's schema."""
        event: EventT[Any] = await self._decoder(message, propagate=propagate)
        return event

    @property
    def _decoder(self) -> Any:
        decoder = self.__dict__.get("_decoder_fn")
        if decoder is None:
            decoder = self.__dict__["_decoder_fn"] = self.schema.compile(
                self.app,
                on_key_decode_error=self.on_key_decode_error,
                on_value_decode_error=self.on_value_decode_error,
            )
        return decoder

    async def deliver(self, message: Message) -> None:
        """Decode a raw message and put the event in the queues."""
        await self.put(await self.decode(message, propagate=True))

    def _root_subscribers(self) -> list[ChannelT[Any]]:
        root = self._root if self._root is not None else self
        return list(root._subscribers)

    async def put(self, value: EventT[Any]) -> None:
        """Put an event into every subscriber's queue."""
        for subscriber in self._root_subscribers():
            await subscriber.queue.put(value)

    async def get(self, *, timeout: Optional[float] = None) -> EventT[Any]:
        """Take the next event from this channel's own queue."""
        if timeout is None:
            return await self.queue.get()
        return await asyncio.wait_for(self.queue.get(), timeout=timeout)

    def empty(self) -> bool:
        """True when no event is waiting in this channel's queue."""
        return self.queue.empty()

    async def on_key_decode_error(self, exc: Exception, message: Message) -> None:
        """Called when a key cannot be decoded (see :meth:`on_decode_error`)."""
        await self.on_decode_error(exc, message)

    async def on_value_decode_error(self, exc: Exception, message: Message) -> None:
        """Called when a value cannot be decoded (see :meth:`on_decode_error`)."""
        await self.on_decode_error(exc, message)

    async def on_decode_error(self, exc: Exception, message: Message) -> None:
        """Handle a message that cannot be decoded; it is acked afterwards.

        By default it is logged, counted (the Monitor's ``decode_errors``
        count), forwarded to ``topic_dead_letter`` if set, and skipped; with
        ``stream_raise_decode_errors`` the error is raised at the ``async
        for`` of the stream instead of being logged. Override to do
        something else.
        """
        await handle_decode_error(self, exc, message)

    def on_stop_iteration(self) -> None:
        """Called when a stream stops iterating this channel."""

    def derive(self, **kwargs: Any) -> ChannelT[Any]:
        """Channels derive to themselves."""
        return self

    async def throw(self, exc: BaseException) -> None:
        """Raise ``exc`` in the stream iterating this channel."""
        self.queue.throw(exc)

    def _throw(self, exc: BaseException) -> None:
        self.queue.throw(exc)

    def __aiter__(self) -> ChannelT[Any]:
        return self if self.is_iterator else self.clone(is_iterator=True)

    async def __anext__(self) -> EventT[Any]:
        if not self.is_iterator:
            raise RuntimeError("Need to call channel.__aiter__()")
        return await self.queue.get()

    @property
    def subscriber_count(self) -> int:
        """Number of subscriptions (iterating streams) of this channel."""
        root = self._root if self._root is not None else self
        return len(root._subscribers)

    @property
    def label(self) -> str:
        """Short description used in logs."""
        return f"{type(self).__name__}: {self}"

    def __str__(self) -> str:
        return "<ANON>"

    def __repr__(self) -> str:
        s = f"<{self.label}"
        if self.active_partitions is not None:
            s += f" {sorted(self.active_partitions)!r}"
        return s + f" @{id(self):#x}>"


class SerializedChannel(Channel):
    """A channel whose keys and values are serialized (the base of topics)."""

    def __init__(
        self,
        app: AppT,
        *,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        allow_empty: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer
        self.allow_empty = allow_empty
        super().__init__(
            app, schema=schema, key_type=key_type, value_type=value_type, **kwargs
        )

    def _init_schema(
        self, schema: Optional[SchemaT], key_type: ModelArg, value_type: ModelArg
    ) -> SchemaT:
        if schema is None:
            schema_cls: Any = self.app.conf.Schema
            schema = schema_cls(
                key_type=key_type,
                value_type=value_type,
                key_serializer=self.key_serializer,
                value_serializer=self.value_serializer,
                allow_empty=self.allow_empty,
            )
        else:
            schema.update(
                key_type=key_type,
                value_type=value_type,
                key_serializer=self.key_serializer,
                value_serializer=self.value_serializer,
                allow_empty=self.allow_empty,
            )
        self.key_serializer = schema.key_serializer
        self.value_serializer = schema.value_serializer
        self.allow_empty = schema.allow_empty
        return schema

    def _clone_args(self) -> dict[str, Any]:
        return {
            **super()._clone_args(),
            "key_serializer": self.key_serializer,
            "value_serializer": self.value_serializer,
            "allow_empty": self.allow_empty,
        }

    def prepare_key(
        self,
        key: K,
        key_serializer: CodecArg,
        schema: Optional[SchemaT] = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]:
        """Serialize the key with the schema (or the one given)."""
        if key_serializer is None:
            key_serializer = self.key_serializer
        return (schema or self.schema).dumps_key(
            self.app, key, serializer=key_serializer, headers=headers
        )

    def prepare_value(
        self,
        value: V,
        value_serializer: CodecArg,
        schema: Optional[SchemaT] = None,
        headers: Optional[OpenHeadersArg] = None,
    ) -> tuple[Any, Optional[OpenHeadersArg]]:
        """Serialize the value with the schema (or the one given)."""
        if value_serializer is None:
            value_serializer = self.value_serializer
        return (schema or self.schema).dumps_value(
            self.app, value, serializer=value_serializer, headers=headers
        )
