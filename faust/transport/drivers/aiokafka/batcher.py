"""The batcher: the producer fills one Kafka record batch per partition itself.

aiokafka's ``send`` costs, per message, two coroutines, a future and a
scheduled callback. Faust sends many small messages per turn of the event
loop (changelog writes, ``group_by`` forwarding, agent output), so the
producer appends them to a record batch per partition instead (aiokafka's
public ``create_batch``), hands the batches filled during the turn to
aiokafka with ``send_batch`` and, once a batch is acknowledged, completes its
messages from the batch's base offset. Per message only the record is
encoded and a completion entry kept.

Order: a partition has one batch filling and at most one in flight (Kafka
sends one batch of a partition per request anyway); the next one is handed
over when the one in flight completes, so a partition's messages reach the
broker in the order they were sent, and batches grow with the load. Every
non-transactional send of the producer goes through here, also ``send()``
and ``send_and_wait()``. :meth:`Batcher.flush` returns once every message
appended before it is completed.

Back-pressure: once ``MAX_BUFFERED_BYTES`` are waiting to be handed to
aiokafka, or ``MAX_PENDING`` messages wait for the broker's ack (the broker
is slow or away, or the worker processes faster than it acknowledges),
:meth:`Batcher.append` refuses and the sender waits in
:meth:`Batcher.wait_until_ready` (``send_soon`` output waits in the
producer's buffer, which the conductor drains before delivering more).

Owner: the aiokafka Producer. Tasks: ``_submitter`` (hands over the batches
of each loop turn).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Optional

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.structs import RecordMetadata
from mode import Service

from ....exceptions import MessageSizeTooLarge, NotReady, TransportError
from ....utils.murmur2 import default_partitioner, partition_for_key

__all__ = ["Batcher", "OnDone", "MAX_BUFFERED_BYTES", "MAX_PENDING"]

logger = logging.getLogger(__name__)

#: ``on_done(fut, state, metadata, exc)``: called once per message, with the
#: :class:`~aiokafka.structs.RecordMetadata` (None with ``acks=0``) or the
#: exception that failed its batch.
OnDone = Callable[[Any, Any, Optional[RecordMetadata], Optional[BaseException]], None]

#: Bytes of keys and values waiting to be handed to aiokafka before senders
#: wait (Kafka's ``buffer.memory`` default).
MAX_BUFFERED_BYTES = 32 * 1024 * 1024
#: Messages sent and not yet acknowledged before senders wait: each one is
#: a few Python objects (its future, the sensors' state), so this bounds
#: the memory of a worker that processes faster than the broker acknowledges.
#: Not much lower: while it is reached, ``send_soon`` output (table writes)
#: takes the slower way through the producer's buffer.
MAX_PENDING = 8192
_STOPPED = "The producer stopped before the message was sent"
#: Below this size a message surely fits the request limit (no exact check).
_SIZE_MARGIN = 1024


class _Batch:
    """A batch of one partition, and its messages' completions."""

    __slots__ = ("builder", "entries", "nbytes", "finished")

    def __init__(self, builder: Any) -> None:
        self.builder = builder
        self.entries: list[tuple[OnDone, Any, Any, Any]] = []
        self.nbytes = 0
        self.finished = False


class _Lane:
    """One partition: the batch being filled, full ones, and the one in flight.

    A lane has at most one batch handed to aiokafka at a time (Kafka sends
    one batch of a partition per request anyway): while it is in flight
    the open batch keeps filling, so batches grow with the load.
    """

    __slots__ = ("topic", "partition", "open", "full", "inflight")

    def __init__(self, topic: str, partition: int) -> None:
        self.topic = topic
        self.partition = partition
        self.open: Optional[_Batch] = None
        self.full: deque[_Batch] = deque()
        self.inflight: Optional[_Batch] = None


class _Topic:
    """What the batcher knows of a topic: partitions, and their lanes."""

    __slots__ = ("partitions", "ordered", "count", "available", "version", "lanes")

    def __init__(self) -> None:
        self.partitions: frozenset[int] = frozenset()
        self.ordered: list[int] = []  # the partitions, sorted
        self.count = 0
        self.available: list[int] = []
        self.version = -1
        self.lanes: dict[int, _Lane] = {}


class Batcher(Service):
    """Builds record batches per partition and hands them to aiokafka.

    Arguments:
        max_request_size: ``producer_max_request_size``.
        partitioner: ``producer_partitioner`` (None: Kafka's murmur2 rule).
    """

    def __init__(
        self,
        *,
        max_request_size: int,
        partitioner: Optional[Callable[..., int]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_request_size = max_request_size
        self.partitioner = partitioner
        self._choose = partitioner or default_partitioner
        self._producer: Optional[AIOKafkaProducer] = None
        self._topics: dict[str, _Topic] = {}
        self._version = 0  # bumped on every metadata update
        #: Lanes with a batch to hand over (insertion-ordered set).
        self._waiting: dict[_Lane, None] = {}
        self._buffered = 0  # bytes of batches not handed over
        self._pending = 0  # messages appended and not completed
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._lock = asyncio.Lock()
        #: Futures of the batches handed to aiokafka and not completed yet.
        self._inflight: set[asyncio.Future[Any]] = set()

    # -- the aiokafka producer ---------------------------------------------

    def attach(self, producer: AIOKafkaProducer) -> None:
        """Send through ``producer`` (a started aiokafka producer)."""
        self._producer = producer
        self._topics.clear()
        self._version += 1
        producer.client.cluster.add_listener(self._on_metadata)

    def detach(self) -> None:
        """Forget the producer; messages not handed over fail."""
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.client.cluster.remove_listener(self._on_metadata)
        self._fail_waiting(NotReady(_STOPPED))
        self._topics.clear()
        self._version += 1

    def _on_metadata(self, cluster: Any) -> None:
        self._version += 1

    def _topic(self, topic: str) -> Optional[_Topic]:
        """The topic's partitions, refreshed after a metadata update."""
        producer = self._producer
        if producer is None:
            return None
        info = self._topics.get(topic)
        cluster = producer.client.cluster
        partitions = cluster.partitions_for_topic(topic)
        if info is None:
            # aiokafka refreshes only the topics it tracks (all topics while
            # it tracks none): a topic first seen in an all-topics refresh
            # would drop out of the next one, its batches waiting forever
            producer.client.add_topic(topic)
            if not partitions:
                return None  # the caller waits for the metadata
            info = self._topics[topic] = _Topic()
        if not partitions:
            return None
        info.partitions = frozenset(partitions)
        info.ordered = sorted(partitions)
        info.count = len(partitions)
        info.available = sorted(cluster.available_partitions_for_topic(topic) or ())
        info.version = self._version
        return info

    def _info(self, topic: str) -> Optional[_Topic]:
        """The topic's partitions as known now (None: metadata unknown)."""
        info = self._topics.get(topic)
        if info is None or info.version != self._version:
            return self._topic(topic)
        return info

    # -- appending ---------------------------------------------------------

    def ready(self, topic: str) -> bool:
        """True if :meth:`append` takes a message to ``topic`` now."""
        info = self._topics.get(topic)  # _info() and _full(), inline
        if (info is None or info.version != self._version) and (
            self._topic(topic) is None
        ):
            return False
        return self._buffered < MAX_BUFFERED_BYTES and self._pending < MAX_PENDING

    def append(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp_ms: Optional[int],
        headers: list[tuple[str, bytes]],
        on_done: OnDone,
        fut: Any,
        state: Any,
    ) -> bool:
        """Add a message to its partition's batch.

        Returns:
            False if it cannot be added now (producer not started, topic
            metadata unknown, buffer full): await :meth:`wait_until_ready`
            and try again.

        Raises:
            MessageSizeTooLarge: the message exceeds ``max_request_size``.
            TransportError: ``partition`` does not exist.
        """
        info = self._topics.get(topic)  # _info() and _full(), inline
        if info is None or info.version != self._version:
            info = self._topic(topic)
            if info is None:
                return False
        if self._buffered >= MAX_BUFFERED_BYTES or self._pending >= MAX_PENDING:
            return False
        size = (len(key) if key is not None else 0) + (
            len(value) if value is not None else 0
        )
        if headers or size + _SIZE_MARGIN > self.max_request_size:
            self._check_size(topic, key, value, headers)
        if partition is None:
            if key is not None and self.partitioner is None:
                partition = partition_for_key(key, info.count)
            else:
                partition = self._choose(key, info.ordered, info.available)
        elif partition not in info.partitions:
            raise TransportError(
                f"Cannot send to partition {partition} of {topic!r}: it has "
                f"partitions {info.ordered}."
            )
        lane = info.lanes.get(partition)
        if lane is None:
            lane = info.lanes[partition] = _Lane(topic, partition)
        batch = lane.open
        if batch is None:
            batch = lane.open = self._open(lane)
        metadata = batch.builder.append(
            timestamp=timestamp_ms, key=key, value=value, headers=headers
        )
        if metadata is None:  # the batch is full: the next one takes it
            lane.full.append(batch)
            batch = lane.open = self._open(lane)
            metadata = batch.builder.append(
                timestamp=timestamp_ms, key=key, value=value, headers=headers
            )
            if metadata is None:
                raise MessageSizeTooLarge(
                    f"A message of {size} bytes to {topic!r} does not fit in an "
                    f"empty batch: raise producer_max_batch_size."
                )
        batch.entries.append((on_done, fut, state, metadata))
        batch.nbytes += size
        self._buffered += size
        self._pending += 1
        return True

    def _full(self) -> bool:
        return self._buffered >= MAX_BUFFERED_BYTES or self._pending >= MAX_PENDING

    def _room_if_any(self) -> None:
        """Wake the senders waiting in :meth:`wait_until_ready`, if there is room."""
        if not self._room.is_set() and not self._full():
            self._room.set()

    def _check_size(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        headers: list[tuple[str, bytes]],
    ) -> None:
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers)
        if size > self.max_request_size:
            raise MessageSizeTooLarge(
                f"Message of {size} bytes to {topic!r} is larger than "
                f"producer_max_request_size ({self.max_request_size}): nothing "
                f"was sent. Raise producer_max_request_size (and the broker's "
                f"message.max.bytes) or send smaller messages."
            )

    def _open(self, lane: _Lane) -> _Batch:
        producer = self._producer
        assert producer is not None
        if lane.inflight is None:
            self._wake.set()  # handed over at the next loop turn
        self._waiting[lane] = None
        return _Batch(producer.create_batch())

    async def wait_until_ready(self, topic: str) -> None:
        """Wait until :meth:`append` can take a message to ``topic``.

        Raises:
            NotReady: the producer is not started.
            TransportError: the topic's metadata cannot be had.
        """
        producer = self._producer
        if producer is None:
            raise NotReady("The producer is not started: start the app first")
        if self._info(topic) is None:
            try:
                await producer.partitions_for(topic)
            except KafkaError as exc:
                raise TransportError(
                    f"No metadata for topic {topic!r}: {exc!r}",
                    retriable=bool(getattr(exc, "retriable", False)),
                ) from exc
        while self._full():
            self._room.clear()
            self._wake.set()
            await self._room.wait()

    # -- handing over ------------------------------------------------------

    @Service.task
    async def _submitter(self) -> None:
        wake = self._wake
        while not self.should_stop:
            await wake.wait()
            wake.clear()
            await self.hand_over()

    async def hand_over(self) -> None:
        """Hand aiokafka the next batch of every partition not in flight."""
        async with self._lock:
            for lane in list(self._waiting):
                if lane.inflight is not None:
                    continue  # handed over when the one in flight completes
                batch: Optional[_Batch]
                if lane.full:
                    batch = lane.full.popleft()
                else:
                    batch, lane.open = lane.open, None
                if not lane.full and lane.open is None:
                    self._waiting.pop(lane, None)
                if batch is None:  # emptied as the batcher stopped
                    continue
                if batch.entries:
                    await self._send(lane, batch)
                else:  # nothing to send (an append failed after opening it)
                    batch.finished = True

    async def _send(self, lane: _Lane, batch: _Batch) -> None:
        batch.builder.close()
        lane.inflight = batch
        self._buffered -= batch.nbytes
        self._room_if_any()
        producer = self._producer
        try:
            if producer is None:
                raise NotReady(_STOPPED)
            done = await producer.send_batch(
                batch.builder, lane.topic, partition=lane.partition
            )
        except asyncio.CancelledError:
            lane.inflight = None
            self._complete(batch, None, NotReady(_STOPPED))
            raise
        except Exception as exc:
            self._on_batch_done(lane, batch, None, exc)
            return
        self._inflight.add(done)
        done.add_done_callback(partial(self._on_batch_future, lane, batch))

    async def flush(self) -> None:
        """Hand every batch over, and wait until each one is completed.

        When this returns, every message appended before the call has been
        acknowledged (or failed) and its ``on_done`` has run.
        """
        targets = []
        for lane in self._waiting:
            if lane.open is not None:
                lane.full.append(lane.open)
                lane.open = None
            targets.append(lane.full[-1])
        targets.extend(
            lane.inflight
            for topic in self._topics.values()
            for lane in topic.lanes.values()
            if lane.inflight is not None
        )
        while not all(batch.finished for batch in targets):
            await self.hand_over()
            inflight = list(self._inflight)
            if inflight:
                # our callback was added first, so it ran when wait() returns
                await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
            else:
                await asyncio.sleep(0)  # (never a busy loop that blocks)

    def _fail_waiting(self, exc: BaseException) -> None:
        for lane in list(self._waiting):
            batches = [*lane.full, *([lane.open] if lane.open else [])]
            lane.full.clear()
            lane.open = None
            for batch in batches:
                self._complete(batch, None, exc)
        self._waiting.clear()
        self._buffered = 0
        self._room.set()

    async def on_stop(self) -> None:
        """Messages never handed to aiokafka fail (the producer flushed first)."""
        self._fail_waiting(NotReady(_STOPPED))

    # -- completion --------------------------------------------------------

    def _on_batch_future(
        self, lane: _Lane, batch: _Batch, done: asyncio.Future[Any]
    ) -> None:
        self._inflight.discard(done)
        if done.cancelled():
            self._on_batch_done(lane, batch, None, asyncio.CancelledError())
            return
        exc = done.exception()
        self._on_batch_done(
            lane, batch, None if exc is not None else done.result(), exc
        )

    def _on_batch_done(
        self,
        lane: _Lane,
        batch: _Batch,
        metadata: Optional[RecordMetadata],
        exc: Optional[BaseException],
    ) -> None:
        if lane.inflight is batch:
            lane.inflight = None
            if lane in self._waiting:
                self._wake.set()  # the lane's next batch can go
        self._complete(batch, metadata, exc)

    def _complete(
        self,
        batch: _Batch,
        metadata: Optional[RecordMetadata],
        exc: Optional[BaseException],
    ) -> None:
        entries, batch.entries = batch.entries, []
        batch.finished = True
        self._pending -= len(entries)
        self._room_if_any()
        if exc is not None or metadata is None:  # failed, or acks=0
            for on_done, fut, state, _ in entries:
                try:
                    on_done(fut, state, None, copy.copy(exc) if exc else None)
                except Exception:
                    logger.exception("Completing a sent message failed")
            return
        topic, partition, tp = metadata[:3]
        base, timestamp, timestamp_type, log_start = metadata[3:]
        new = tuple.__new__  # RecordMetadata(...) without its Python frame
        for i, (on_done, fut, state, record) in enumerate(entries):
            try:
                on_done(
                    fut,
                    state,
                    new(
                        RecordMetadata,
                        (
                            topic,
                            partition,
                            tp,
                            base + i,
                            record.timestamp if timestamp == -1 else timestamp,
                            timestamp_type,
                            log_start,
                        ),
                    ),
                    None,
                )
            except Exception:
                logger.exception("Completing a sent message failed")
