"""Topics: channels backed by Kafka topics.

A :class:`Topic` describes one or more topic names (or a regex pattern), how
to serialize keys and values, and how to create the topics. Sending goes
through the app's producer; iterating registers a subscription with the
conductor (``app.topics``), which fills the subscription's queue with events
decoded from fetched messages.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Mapping, Sequence
from functools import partial
from re import Pattern
from typing import Any, Optional, Union, cast

from mode import Seconds, want_seconds
from mode.utils.futures import stampede

from ._sending import (
    SendHooks,
    _has_receivers,
    _producer_running,
    notify_produce,
    send_hooks,
)
from .channels import SerializedChannel
from .types import (
    TP,
    AppT,
    CodecArg,
    EventT,
    FutureMessage,
    K,
    MessageSentCallback,
    ModelArg,
    PendingMessage,
    RecordMetadata,
    SchemaT,
    TopicT,
    V,
)
from .types.core import HeadersArg

__all__ = ["Topic"]

logger = logging.getLogger(__name__)


class Topic(SerializedChannel, TopicT[Any]):
    """A topic description (one or more names, or a pattern).

    Arguments:
        app: the app.
        topics: topic names.
        pattern: a regex (string or compiled) matching topic names, instead
            of ``topics``.
        schema: key/value types and serializers.
        key_type: type of keys (a Model class, ``str``, ``bytes``...).
        value_type: type of values.
        partitions: partitions to create the topic with (default
            ``topic_partitions``).
        retention: ``retention.ms`` (seconds) when creating the topic.
        compacting: create as a compacted topic.
        deleting: create with the delete cleanup policy.
        replicas: replication factor (default ``topic_replication_factor``).
        acks: False to never track or commit offsets of this topic.
        internal: the app owns this topic and creates it when subscribed.
        config: extra topic configuration.
        key_serializer: codec of keys.
        value_serializer: codec of values.
        maxsize: buffer size of each subscription.
        allow_empty: decode tombstones (value None) into events.
        has_prefix: the name already contains the app id prefix.

    Example:
        >>> orders = app.topic('orders', value_type=Order)
        >>> await orders.send(key=order.id, value=order)
    """

    _partitions: Optional[int] = None
    _pattern: Optional[Pattern[str]] = None
    _send_hooks: Optional[SendHooks] = None

    def __init__(
        self,
        app: AppT,
        *,
        topics: Optional[Sequence[str]] = None,
        pattern: Optional[Union[str, Pattern[str]]] = None,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        is_iterator: bool = False,
        partitions: Optional[int] = None,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        replicas: Optional[int] = None,
        acks: bool = True,
        internal: bool = False,
        config: Optional[Mapping[str, Any]] = None,
        queue: Optional[Any] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        maxsize: Optional[int] = None,
        root: Optional[Any] = None,
        active_partitions: Optional[set[TP]] = None,
        allow_empty: Optional[bool] = None,
        has_prefix: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(
            app,
            schema=schema,
            key_type=key_type,
            value_type=value_type,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            allow_empty=allow_empty,
            is_iterator=is_iterator,
            queue=queue,
            maxsize=maxsize,
            root=root,
            active_partitions=active_partitions,
            loop=loop,
        )
        self.topics = list(topics or [])
        self.pattern = pattern
        self.partitions = partitions
        self.retention = retention
        self.compacting = compacting
        self.deleting = deleting
        self.replicas = replicas
        self.acks = acks
        self.internal = internal
        self.config = config or {}
        self.has_prefix = has_prefix

    @property
    def pattern(self) -> Optional[Pattern[str]]:
        """The compiled regex of a pattern subscription, if any."""
        return self._pattern

    @pattern.setter
    def pattern(self, pattern: Optional[Union[str, Pattern[str]]]) -> None:
        if pattern and self.topics:
            raise TypeError("Cannot specify both topics and pattern")
        self._pattern = re.compile(pattern) if isinstance(pattern, str) else pattern

    @property
    def partitions(self) -> Optional[int]:
        """Number of partitions to create the topic with."""
        return self._partitions

    @partitions.setter
    def partitions(self, partitions: Optional[int]) -> None:
        if partitions == 0:
            raise ValueError("Topic cannot have zero partitions")
        self._partitions = partitions

    def _clone_args(self) -> dict[str, Any]:
        return {
            **super()._clone_args(),
            "topics": self.topics,
            "pattern": self.pattern,
            "partitions": self.partitions,
            "retention": self.retention,
            "compacting": self.compacting,
            "deleting": self.deleting,
            "replicas": self.replicas,
            "internal": self.internal,
            "acks": self.acks,
            "config": self.config,
            "has_prefix": self.has_prefix,
        }

    def derive(self, **kwargs: Any) -> Topic:
        """Copy this topic with changed attributes (see :meth:`derive_topic`)."""
        return self.derive_topic(**kwargs)

    def derive_topic(
        self,
        *,
        topics: Optional[Sequence[str]] = None,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        partitions: Optional[int] = None,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        internal: Optional[bool] = None,
        config: Optional[Mapping[str, Any]] = None,
        prefix: str = "",
        suffix: str = "",
        **kwargs: Any,
    ) -> Topic:
        """Create a new topic from this one, e.g. with a name prefix/suffix."""
        if self.pattern is not None and (prefix or suffix):
            raise ValueError("Cannot add prefix/suffix to Topic with pattern")
        names = self.topics if topics is None else topics
        return type(self)(
            self.app,
            topics=[f"{prefix}{name}{suffix}" for name in names],
            pattern=self.pattern,
            schema=schema or self.schema,
            key_type=key_type if key_type is not None else self.key_type,
            value_type=value_type if value_type is not None else self.value_type,
            key_serializer=key_serializer or self.key_serializer,
            value_serializer=value_serializer or self.value_serializer,
            partitions=partitions if partitions is not None else self.partitions,
            retention=retention if retention is not None else self.retention,
            compacting=compacting if compacting is not None else self.compacting,
            deleting=deleting if deleting is not None else self.deleting,
            replicas=self.replicas,
            internal=self.internal if internal is None else internal,
            config={**(self.config or {}), **(config or {})},
            acks=self.acks,
            maxsize=self.maxsize,
            allow_empty=self.allow_empty,
            has_prefix=self.has_prefix,
            **kwargs,
        )

    def get_topic_name(self) -> str:
        """The single topic name (errors for patterns and several names)."""
        if self.pattern is not None:
            raise TypeError("Topic with pattern subscription cannot be identified")
        if len(self.topics) > 1:
            raise ValueError("Topic with multiple topic names cannot be identified")
        return self.topics[0]

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
        """Produce a message to this topic.

        Returns:
            The send future; ``await`` it again for the :class:`RecordMetadata`.
        """
        app = self.app
        producer = self._running_producer()
        if producer is None and not _producer_running(app):
            await app.maybe_start_producer()
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
        if not force:
            attachments = app.attachments
            if attachments.enabled and attachments.maybe_put(self, fut):
                return fut  # published when the event's offset is committed
        if producer is not None and self._publish_nowait(producer, fut):
            return fut  # completed by the producer's callback
        return await self.publish_message(fut, wait=False)

    def send_or_wait(
        self, key: K, value: V, headers: Optional[HeadersArg]
    ) -> Optional[Awaitable[Any]]:
        """:meth:`send` without a coroutine when it would not have to wait.

        For per-event senders (``group_by``): None once the message is handed
        to the producer (or attached to the event's commit); else what to
        await to finish the send. Errors are raised as :meth:`send` does.
        """
        producer = self.app.__dict__.get("producer")  # _direct_producer(), once
        if producer is None or self.__dict__.get("_in_transaction") is not False:
            producer = self._direct_producer()  # (asks once the app runs)
        if producer is None:
            return self.send(key=key, value=value, headers=headers)
        fut = self.as_future_message(key, value, None, None, headers)
        on_commit = self.__dict__.get("_on_commit")
        if on_commit is None:  # the setting is fixed once the app runs
            on_commit = self.__dict__["_on_commit"] = self.app.attachments.enabled
        if on_commit and self.app.attachments.maybe_put(self, fut):
            return None  # published when the event's offset is committed
        if self._publish_nowait(producer, fut):
            return None
        return self.publish_message(fut, wait=False)

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
        """Buffer a message in the producer; usable from synchronous code."""
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
            eager_partitioning=eager_partitioning,
        )
        producer = self.app.__dict__.get("producer")  # _direct_producer(), once
        if producer is None or self.__dict__.get("_in_transaction") is not False:
            producer = self._direct_producer()  # (asks once the app runs)
        if (
            producer is None
            or not producer.buffer.idle
            or not self._send_now(producer, fut)
        ):
            self.app.producer.send_soon(fut)
        return fut

    def publish_nowait(self, fut: FutureMessage) -> bool:
        """Hand ``fut`` to the running producer if it takes it now.

        False: nothing happened (the producer is not running, sends in a
        transaction, or cannot take it now): use :meth:`publish_message`.
        """
        producer = self.app.__dict__.get("producer")  # _direct_producer(), once
        if producer is None or self.__dict__.get("_in_transaction") is not False:
            producer = self._direct_producer()  # (asks once the app runs)
        return producer is not None and self._publish_nowait(producer, fut)

    def _send_now(self, producer: Any, fut: FutureMessage) -> bool:
        """``send_soon`` without the buffer, when the producer takes it now.

        Only while the buffer is idle, so buffered messages are not overtaken.
        An error is reported as the buffer would report it.
        """
        try:
            return self._publish_nowait(producer, fut)
        except Exception as exc:
            logger.exception("Failed to publish buffered message: %r", exc)
            if not fut.done():
                fut.set_exception(exc)
            return True

    def _eager_partition(self, key: Any) -> Optional[int]:
        topic = self.get_topic_name()
        return self.app.producer.key_partition(topic, key).partition

    async def publish_message(
        self, fut: FutureMessage, wait: bool = False
    ) -> Awaitable[RecordMetadata]:
        """Hand a future message to the producer.

        With ``wait`` the call returns once the broker acknowledged it.
        """
        app = self.app
        message = fut.message
        topic = message.topic or self.get_topic_name()
        producer = self._running_producer()
        if producer is None:
            producer = await app.maybe_start_producer()
        if not wait:
            # completed by the producer's callback, in send order; waits
            # (metadata, back-pressure) only if the producer has send_nowait
            while not self._publish_nowait(producer, fut):
                if not await producer.wait_send_nowait(topic):
                    break
            else:
                return fut
        headers, state = self._on_publish(producer, topic, message)
        send = producer.send_and_wait if wait else producer.send
        try:
            result = await send(
                topic,
                message.key,
                message.value,
                message.partition,
                message.timestamp,
                headers,
            )
        except Exception as exc:
            app.sensors.on_send_error(producer, exc, state)
            raise
        if wait:
            self._on_published(fut, cast(RecordMetadata, result), state)
        else:
            cast(asyncio.Future[RecordMetadata], result).add_done_callback(
                partial(self._on_published_future, fut, state)
            )
        return fut

    def _on_publish(
        self, producer: Any, topic: str, message: PendingMessage
    ) -> tuple[Optional[HeadersArg], Any]:
        """Tell the ``on_produce_message`` receivers and the sensors.

        Returns the headers (receivers may add some) and the sensor state.
        """
        app = self.app
        headers = message.headers
        signal = app.on_produce_message
        if _has_receivers(signal):  # receivers may add headers (tracing, ...)
            headers = notify_produce(signal, message)
        key, value = message.key, message.value
        state = app.sensors.on_send_initiated(
            producer,
            topic,
            message=message,
            keysize=len(key) if key else 0,
            valsize=len(value) if value else 0,
        )
        return headers, state

    def _publish_nowait(self, producer: Any, fut: FutureMessage) -> bool:
        """Hand ``fut`` to a running producer without waiting, if it takes it.

        False: nothing happened, use :meth:`publish_message`.
        """
        message = fut.message
        topic = message.topic
        if not topic:
            topics = self.topics  # get_topic_name(), inline: once per message
            if len(topics) == 1 and self._pattern is None:
                topic = topics[0]
            else:
                topic = self.get_topic_name()
        if not producer.can_send_nowait(topic):
            return False
        app = self.app  # the sensors' hooks, asked again when they change:
        hooks = self._send_hooks
        if hooks is None or hooks.version != getattr(app.sensors, "version", None):
            hooks = self._send_hooks = send_hooks(app)
        headers = message.headers
        signal = app.on_produce_message
        receivers = getattr(signal, "_receivers", None)  # (no call when none)
        if (receivers is None or receivers or signal._filter_receivers) and (
            _has_receivers(signal)  # receivers may add headers
        ):
            headers = notify_produce(signal, message)
        key, value = message.key, message.value
        state = hooks.initiated(
            producer,
            topic,
            message,
            len(key) if key else 0,
            len(value) if value else 0,
        )
        try:
            producer.send_nowait(
                topic,
                key,
                value,
                message.partition,
                message.timestamp,
                headers,
                hooks.on_sent,
                fut,
                state,
            )
        except Exception as exc:
            hooks.error(producer, exc, state)
            raise
        return True

    def _on_sent(
        self,
        fut: FutureMessage,
        state: Any,
        metadata: Optional[RecordMetadata],
        exc: Optional[BaseException],
    ) -> None:
        if exc is None:
            self._on_published(fut, cast(RecordMetadata, metadata), state)
        elif isinstance(exc, asyncio.CancelledError):
            fut.cancel()
        else:
            self.app.sensors.on_send_error(self.app.producer, exc, state)
            if not fut.done():
                fut.set_exception(exc)

    def _running_producer(self) -> Any:
        """The app's producer if it runs and sends directly (else None).

        With exactly-once the transaction manager sends instead: the slow
        path (``app.maybe_start_producer``) returns it.
        """
        app = self.app
        producer = app.__dict__.get("producer")  # _producer_running(), inline
        if producer is None or not producer.started:
            return None
        in_transaction = self.__dict__.get("_in_transaction")
        if in_transaction is None:  # the guarantee is fixed once the app runs
            in_transaction = self.__dict__["_in_transaction"] = app.in_transaction
        return None if in_transaction else producer

    def _direct_producer(self) -> Any:
        """The app's producer, unless it sends in transactions (else None).

        Whether it runs is left to its ``can_send_nowait`` (False until it
        started): no flag is read per message once the app runs.
        """
        app = self.app
        producer = app.__dict__.get("producer")
        if producer is None:
            return None
        in_transaction = self.__dict__.get("_in_transaction")
        if in_transaction is None:
            if not producer.started:
                return None
            # the guarantee is fixed once the app runs
            in_transaction = self.__dict__["_in_transaction"] = app.in_transaction
        return None if in_transaction else producer

    def _on_published_future(
        self,
        fut: FutureMessage,
        state: Any,
        result: asyncio.Future[RecordMetadata],
    ) -> None:
        if result.cancelled():
            self._on_sent(fut, state, None, asyncio.CancelledError())
            return
        exc = result.exception()
        self._on_sent(fut, state, None if exc is not None else result.result(), exc)

    def _on_published(
        self, fut: FutureMessage, metadata: RecordMetadata, state: Any
    ) -> None:
        if not fut.done():
            fut.set_result(metadata)
        self.app.sensors.on_send_completed(self.app.producer, state, metadata)
        callback = fut.message.callback
        if callback is not None:
            callback(fut)

    @stampede
    async def maybe_declare(self) -> None:
        """Create the topics once (concurrent callers share the one call)."""
        await self.declare()

    async def declare(self) -> None:
        """Create the topics on the broker if ``topic_allow_declare`` permits."""
        app = self.app
        if not app.conf.topic_allow_declare:
            return
        partitions = self.partitions or app.conf.topic_partitions
        replicas = self.replicas or app.conf.topic_replication_factor
        producer = await app.maybe_start_producer()
        for topic in self.topics:
            await producer.create_topic(
                topic=topic,
                partitions=partitions,
                replication=replicas,
                config=self.config,
                compacting=self.compacting,
                deleting=self.deleting,
                retention=want_seconds(self.retention) if self.retention else None,
            )

    async def put(self, event: EventT[Any]) -> None:
        """Put an event directly into this subscription's queue."""
        if not self.is_iterator:
            raise RuntimeError(f"Cannot put on Topic channel before aiter({self})")
        await self.queue.put(event)

    def __aiter__(self) -> Topic:
        if self.is_iterator:
            return self
        channel = cast(Topic, self.clone(is_iterator=True))
        self.app.topics.add(channel)
        return channel

    def __str__(self) -> str:
        if self.pattern is not None:
            return self.pattern.pattern
        return ",".join(self.topics)
