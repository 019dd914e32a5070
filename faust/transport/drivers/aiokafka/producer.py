"""The Kafka producer: faust's Producer over ``aiokafka.AIOKafkaProducer``.

``send`` appends a message to its partition's record batch (see
:mod:`.batcher`) and returns the future of its
:class:`~aiokafka.structs.RecordMetadata`; ``send_nowait`` does the same for
the hot paths without a future, calling back once the batch is acknowledged.
aiokafka sends the batches (``producer_linger``, ``producer_max_batch_size``,
retries, idempotence). Transactional sends (exactly-once) go through aiokafka's
``send`` of the transaction's own producer. ``send_and_wait``
waits for the broker's acknowledgement (``producer_acks``). A message larger
than ``producer_max_request_size`` is refused at once with
:class:`~faust.exceptions.MessageSizeTooLarge` (nothing is sent, and the
error reaches the caller, or the buffered ``send_soon`` future), since brokers
may not enforce the limit themselves. :meth:`Producer.flush` publishes the
``send_soon`` buffer and waits until aiokafka delivered every batch: it runs
before each offset commit.

Owner: the app. Children: the send-soon buffer and the batcher. ``on_start``
connects (see :func:`~.transport.connect`), ``on_stop`` flushes and closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, Optional

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, MessageSizeTooLargeError
from aiokafka.errors import ProducerFenced as AIOProducerFenced
from mode import Seconds, ServiceT

from ....exceptions import (
    MessageSizeTooLarge,
    NotReady,
    ProducerFenced,
    TransportError,
)
from ....types import TP, RecordMetadata
from ....types.core import HeadersArg
from ....utils.murmur2 import partition_for_key
from ...producer import Producer as BaseProducer
from .batcher import Batcher, OnDone
from .connection import auth_of, connect, to_ms
from .transport import Transport

__all__ = ["Producer"]

logger = logging.getLogger(__name__)


def headers_list(headers: Optional[HeadersArg]) -> Optional[list[tuple[str, bytes]]]:
    """Headers as aiokafka wants them: a list of ``(str, bytes)`` (or None)."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [
        (k, v if isinstance(v, bytes) else str(v).encode() if v is not None else b"")
        for k, v in items
    ]


class Producer(BaseProducer):
    """Produces to Kafka with aiokafka.

    Arguments:
        transport: the :class:`~faust.transport.drivers.aiokafka.transport.Transport`.
    """

    transport: Transport

    def __init__(self, transport: Transport, **kwargs: Any) -> None:
        super().__init__(transport, **kwargs)
        self._producer: Optional[AIOKafkaProducer] = None
        self._topics = transport.topic_creator()
        #: One producer per transactional id (exactly-once), and which of
        #: them have a transaction open.
        self._transactional: dict[str, AIOKafkaProducer] = {}
        self._in_transaction: set[str] = set()
        #: Topics each transactional producer tracks in its metadata (see
        #: _track; the batcher tracks those of the main producer).
        self._tracked: dict[Optional[str], set[str]] = {}
        self.batcher = Batcher(
            max_request_size=self.max_request_size,
            partitioner=self.partitioner,
            beacon=self.beacon,
        )
        # can_send_nowait() is the batcher's ready(): asked once per message
        self.can_send_nowait = self.batcher.ready  # type: ignore[method-assign]  # same contract

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The send_soon buffer and the batcher start with the producer."""
        return [self.buffer, self.batcher]

    def producer_settings(self) -> dict[str, Any]:
        """Keyword arguments of the ``AIOKafkaProducer``."""
        conf = self.app.conf
        settings: dict[str, Any] = {
            "bootstrap_servers": self.transport.servers,
            "client_id": self.client_id,
            "acks": self.acks,
            "linger_ms": self.linger_ms,
            "max_batch_size": self.max_batch_size,
            "max_request_size": self.max_request_size,
            "compression_type": self.compression_type or None,
            "request_timeout_ms": to_ms(self.request_timeout),
            "metadata_max_age_ms": conf.producer_metadata_max_age_ms,
            "connections_max_idle_ms": conf.producer_connections_max_idle_ms,
            **auth_of(self.app),
        }
        if self.partitioner is not None:
            settings["partitioner"] = self.partitioner
        return settings

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(**self.producer_settings())

    async def on_start(self) -> None:
        """Connect to the brokers."""
        self._tracked.clear()
        self._producer = await connect(
            self._new_producer,
            what="producer",
            servers=self.transport.servers,
            timeout=float(self.app.conf.broker_request_timeout),
            sleep=self.sleep,
            auth=auth_of(self.app),
        )
        self.batcher.attach(self._producer)

    async def on_stop(self) -> None:
        """Deliver what is pending, then close."""
        producer, self._producer = self._producer, None
        try:
            if producer is not None:
                await self.buffer.flush()
                await self.batcher.flush()
                await producer.flush()
        except Exception as exc:  # the broker may be gone: report what is lost
            logger.warning("Flushing the producer at stop failed: %r", exc)
        finally:
            self.batcher.detach()
            if producer is not None:
                await producer.stop()
            for tid in list(self._transactional):
                await self.stop_transaction(tid)
            await self._topics.close()

    def _ensure_producer(self) -> AIOKafkaProducer:
        producer = self._producer
        if producer is None:
            raise NotReady("The producer is not started: start the app first")
        return producer

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
    ) -> Awaitable[RecordMetadata]:
        """Queue a message; returns the future of its metadata.

        Raises:
            MessageSizeTooLarge: the message exceeds ``producer_max_request_size``.
            TransportError: aiokafka refused the message.
        """
        if transactional_id is None:
            fut: asyncio.Future[RecordMetadata] = self.loop.create_future()
            while not self._append(
                topic, key, value, partition, timestamp, headers, _resolve, fut, None
            ):
                self._ensure_producer()
                await self.batcher.wait_until_ready(topic)
            return fut
        return await self._send_transactional(
            topic, key, value, partition, timestamp, headers, transactional_id
        )

    def can_send_nowait(self, topic: str) -> bool:
        """True if :meth:`send_nowait` takes a message to ``topic`` now."""
        return self.batcher.ready(topic)

    async def wait_send_nowait(self, topic: str) -> bool:
        """Wait until the batcher takes messages to ``topic`` (metadata, room).

        Raises:
            NotReady: the producer is not started.
            TransportError: the topic's metadata cannot be had.
        """
        await self.batcher.wait_until_ready(topic)
        return True

    def send_nowait(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        on_done: OnDone,
        fut: Any,
        state: Any,
    ) -> None:
        """Append to the partition's batch (see :mod:`.batcher`).

        Raises:
            NotReady: :meth:`can_send_nowait` was not true.
            MessageSizeTooLarge: the message exceeds ``producer_max_request_size``.
            TransportError: ``partition`` does not exist.
        """
        # _append(), inline: the per-message path
        if not self.batcher.append(
            topic,
            key,
            value,
            partition,
            int(timestamp * 1000) if timestamp is not None else None,
            (headers_list(headers) or []) if headers else [],
            on_done,
            fut,
            state,
        ):
            raise NotReady(f"The producer cannot take a message to {topic!r} now")

    def _append(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        on_done: OnDone,
        fut: Any,
        state: Any,
    ) -> bool:
        # the batcher takes aiokafka's forms: milliseconds, a list of headers
        return self.batcher.append(
            topic,
            key,
            value,
            partition,
            int(timestamp * 1000) if timestamp is not None else None,
            headers_list(headers) or [],
            on_done,
            fut,
            state,
        )

    async def _send_transactional(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        transactional_id: str,
    ) -> Awaitable[RecordMetadata]:
        self._ensure_producer()
        producer = await self._open_transaction(transactional_id)
        tracked = self._tracked.get(transactional_id)
        if tracked is None or topic not in tracked:
            self._track(producer, transactional_id, topic)
        if partition is None and key is not None and self.partitioner is None:
            partition = _default_partition(producer, topic, key)
        try:
            fut: Awaitable[RecordMetadata] = await producer.send(
                topic,
                value,
                key=key,
                partition=partition,
                timestamp_ms=int(timestamp * 1000) if timestamp is not None else None,
                headers=headers_list(headers) if headers else None,
            )
        except MessageSizeTooLargeError as exc:
            size = (len(key) if key else 0) + (len(value) if value else 0)
            raise MessageSizeTooLarge(
                f"Message of {size} bytes to {topic!r} is larger than "
                f"producer_max_request_size ({self.max_request_size}): nothing "
                f"was sent. Raise producer_max_request_size (and the broker's "
                f"message.max.bytes) or send smaller messages."
            ) from exc
        except AIOProducerFenced as exc:
            raise ProducerFenced(f"{transactional_id!r} was fenced: {exc!r}") from exc
        except KafkaError as exc:
            raise TransportError(
                f"Cannot send to {topic!r}: {exc!r}",
                retriable=bool(getattr(exc, "retriable", False)),
            ) from exc
        return fut

    def _track(
        self, producer: AIOKafkaProducer, transactional_id: Optional[str], topic: str
    ) -> None:
        # aiokafka refreshes metadata only for the topics its client tracks
        # (all topics while it tracks none), and ``send`` adds a topic only
        # when the metadata lacks it. A topic first seen in an all-topics
        # refresh is thus dropped by the next refresh, and its batches wait
        # for a leader forever: every topic we send to is tracked explicitly.
        self._tracked.setdefault(transactional_id, set()).add(topic)
        producer.client.add_topic(topic)

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
    ) -> RecordMetadata:
        """Send a message and wait until the broker acknowledged it."""
        fut = await self.send(
            topic,
            key,
            value,
            partition,
            timestamp,
            headers,
            transactional_id=transactional_id,
        )
        try:
            return await fut
        except KafkaError as exc:
            raise TransportError(
                f"Sending to {topic!r} failed: {exc!r}",
                retriable=bool(getattr(exc, "retriable", False)),
            ) from exc

    async def flush(self) -> None:
        """Publish buffered messages and wait until the broker has them all."""
        await self.buffer.flush()
        await self.batcher.flush()
        producer = self._producer
        if producer is not None:
            await producer.flush()

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
    ) -> None:
        """Create a topic unless it exists (see :class:`~.transport.TopicCreator`)."""
        await self._topics.create_topic(
            topic,
            partitions,
            replication,
            config=config,
            timeout=timeout,
            retention=retention,
            compacting=compacting,
            deleting=deleting,
        )

    def key_partition(self, topic: str, key: bytes) -> TP:
        """The partition ``key`` goes to, as the producer would choose it.

        Uses the topic's partition count from the producer's metadata (or
        ``topic_partitions`` while the topic is unknown to it) and the
        configured ``producer_partitioner`` (default: Kafka's murmur2 rule).
        """
        producer = self._producer
        partitions: Optional[set[int]] = None
        available: Optional[set[int]] = None
        if producer is not None:
            cluster = producer.client.cluster
            partitions = cluster.partitions_for_topic(topic)
            available = cluster.available_partitions_for_topic(topic)
        if not partitions:
            count = self.app.conf.topic_partitions
            return TP(topic, partition_for_key(key, count))
        if self.partitioner is not None:
            all_parts = sorted(partitions)
            return TP(topic, self.partitioner(key, all_parts, sorted(available or ())))
        return TP(topic, partition_for_key(key, len(partitions)))

    def supports_headers(self) -> bool:
        """Kafka 0.11 and later accept headers."""
        return True

    # -- transactions (processing_guarantee='exactly_once') ----------------

    async def _transactional_producer(self, transactional_id: str) -> AIOKafkaProducer:
        producer = self._transactional.get(transactional_id)
        if producer is None:
            settings = self.producer_settings()
            settings.update(
                transactional_id=transactional_id, acks=-1, enable_idempotence=True
            )
            producer = await connect(
                lambda: AIOKafkaProducer(**settings),
                what=f"transactional producer {transactional_id!r}",
                servers=self.transport.servers,
                timeout=float(self.app.conf.broker_request_timeout),
                sleep=self.sleep,
                auth=auth_of(self.app),
            )
            self._transactional[transactional_id] = producer
        return producer

    async def _open_transaction(self, transactional_id: str) -> AIOKafkaProducer:
        producer = await self._transactional_producer(transactional_id)
        if transactional_id not in self._in_transaction:
            await _fenced(transactional_id, producer.begin_transaction())
            self._in_transaction.add(transactional_id)
        return producer

    async def begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction (starting its producer if needed)."""
        await self._open_transaction(transactional_id)

    async def maybe_begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction unless one is open."""
        await self._open_transaction(transactional_id)

    async def commit_transaction(self, transactional_id: str) -> None:
        """Commit the open transaction of ``transactional_id``."""
        producer = self._transactional.get(transactional_id)
        if producer is not None and transactional_id in self._in_transaction:
            self._in_transaction.discard(transactional_id)
            await _fenced(transactional_id, producer.commit_transaction())

    async def abort_transaction(self, transactional_id: str) -> None:
        """Abort the open transaction of ``transactional_id``."""
        producer = self._transactional.get(transactional_id)
        if producer is not None and transactional_id in self._in_transaction:
            self._in_transaction.discard(transactional_id)
            await _fenced(transactional_id, producer.abort_transaction())

    async def stop_transaction(self, transactional_id: str) -> None:
        """Abort the open transaction (if any) and close its producer."""
        producer = self._transactional.pop(transactional_id, None)
        self._tracked.pop(transactional_id, None)
        if producer is None:
            return
        try:
            if transactional_id in self._in_transaction:
                await producer.abort_transaction()
        except KafkaError as exc:  # fenced or gone: the broker aborts it
            logger.warning("Aborting %r failed: %r", transactional_id, exc)
        finally:
            self._in_transaction.discard(transactional_id)
            await producer.stop()

    async def commit_transactions(
        self,
        tid_to_offset_map: Mapping[str, Mapping[TP, int]],
        group_id: str,
        start_new_transaction: bool = True,
    ) -> None:
        """Add source offsets to each transaction, commit it, begin the next.

        Raises:
            ProducerFenced: a newer producer took over a transactional id.
        """
        for tid, offsets in tid_to_offset_map.items():
            producer = await self._open_transaction(tid)
            aio_offsets = {
                TopicPartition(tp.topic, tp.partition): offset
                for tp, offset in offsets.items()
            }
            await _fenced(
                tid, producer.send_offsets_to_transaction(aio_offsets, group_id)
            )
            await self.commit_transaction(tid)
            if start_new_transaction:
                await self._open_transaction(tid)


def _resolve(
    fut: asyncio.Future[Any],
    state: Any,
    metadata: Optional[RecordMetadata],
    exc: Optional[BaseException],
) -> None:
    """Complete the future ``send`` returned (see :data:`.batcher.OnDone`)."""
    if fut.done():
        return
    if exc is None:
        fut.set_result(metadata)
    elif isinstance(exc, asyncio.CancelledError):
        fut.cancel()
    else:
        fut.set_exception(exc)


def _default_partition(producer: Any, topic: str, key: bytes) -> Optional[int]:
    """Kafka's rule, as aiokafka would apply it, with our faster murmur2.

    None while the topic's metadata is unknown: aiokafka then waits for it
    and partitions the message itself.
    """
    cluster = getattr(getattr(producer, "client", None), "cluster", None)
    known = cluster.partitions_for_topic(topic) if cluster is not None else None
    if known.__class__ is not set or not known:
        return None
    return partition_for_key(key, len(known))


async def _fenced(transactional_id: str, op: Awaitable[Any]) -> Any:
    try:
        return await op
    except AIOProducerFenced as exc:
        raise ProducerFenced(
            f"Transactional id {transactional_id!r} was taken over by a newer "
            f"producer (another worker owns the partition now): {exc!r}"
        ) from exc
