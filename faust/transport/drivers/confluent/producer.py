"""The ``confluent://`` producer: faust's Producer over librdkafka.

``send`` and ``send_nowait`` hand the message to ``confluent_kafka.Producer``
at once (librdkafka batches, compresses and retries in its own threads) and
return; nothing is awaited per message. librdkafka reports deliveries only
from ``poll()``: the ``_poll_deliveries`` task calls ``poll(0)`` (never
blocking the event loop) every :data:`POLL_INTERVAL` seconds while messages
are in flight and every :data:`IDLE_POLL_INTERVAL` seconds otherwise, so a
delivery is seen at most a few milliseconds late, and the callbacks (which
then run in the loop's thread) complete the futures (see
:mod:`.delivery`). Calls that block (connecting, flushing, transactions) run
in the loop's executor; delivery reports served there are queued and run in
the loop after one wake-up per burst.

Exactly-once uses one transactional librdkafka producer per transactional
id (as the aiokafka driver does) and ``send_offsets_to_transaction`` with
the group's metadata.

Owner: the app. Children: the send-soon buffer. Tasks:
``_poll_deliveries``. ``on_start`` creates the client and checks that a
broker answers; ``on_stop`` flushes, aborts open transactions.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Optional

from mode import Seconds, Service

from ....exceptions import (
    BrokerUnavailable,
    MessageSizeTooLarge,
    NotReady,
    TransportError,
)
from ....types import TP, RecordMetadata
from ....types.core import HeadersArg
from ....utils.murmur2 import partition_for_key
from ...producer import Producer as BaseProducer
from .client import ck, kafka_error, topic_partitions
from .config import producer_config
from .delivery import Deliveries, OnDone
from .transactions import Transactions

__all__ = ["Producer"]

logger = logging.getLogger(__name__)

#: seconds between ``poll(0)`` calls while messages are in flight / idle
POLL_INTERVAL = 0.002
IDLE_POLL_INTERVAL = 0.05
#: messages in librdkafka's queue beyond which ``can_send_nowait`` is false
MAX_PENDING = 100_000

#: ``partition`` of ``produce()`` when librdkafka's partitioner picks it
UNASSIGNED = -1


def headers_list(headers: Optional[HeadersArg]) -> Optional[list[tuple[str, bytes]]]:
    """Headers as librdkafka takes them: ``(str, bytes)`` pairs (or None)."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [
        (k, v if isinstance(v, bytes) else str(v).encode() if v is not None else b"")
        for k, v in items
    ]


def _resolve(
    fut: asyncio.Future[Any],
    state: Any,
    metadata: Optional[RecordMetadata],
    exc: Optional[BaseException],
) -> None:
    if fut.done():
        return
    if exc is None:
        fut.set_result(metadata)
    else:
        fut.set_exception(exc)


class Producer(BaseProducer):
    """Produces to Kafka with librdkafka (``broker='confluent://host:port'``).

    Arguments:
        transport: the confluent :class:`~.transport.Transport`.
    """

    transport: Any  # the confluent Transport (servers, topic_creator)

    def __init__(self, transport: Any, **kwargs: Any) -> None:
        super().__init__(transport, **kwargs)
        self._producer: Any = None
        self._topics = transport.topic_creator()
        self._partitions: dict[str, int] = {}
        self._deliveries: Optional[Deliveries] = None
        self.transactions = Transactions(self)

    def producer_settings(self) -> dict[str, Any]:
        """The librdkafka properties of the producer."""
        return producer_config(self.app, self.transport.servers)

    def _new_producer(self, settings: Optional[dict[str, Any]] = None) -> Any:
        return ck().Producer(settings or self.producer_settings())

    async def on_start(self) -> None:
        """Create the client and wait until a broker answers."""
        self._deliveries = Deliveries(self.loop, threading.get_ident())
        producer = self._new_producer()
        timeout = float(self.app.conf.broker_request_timeout)
        try:
            await self.run_blocking(producer.list_topics, None, timeout)
        except ck().KafkaException as exc:
            raise BrokerUnavailable(
                f"Cannot connect the producer to the Kafka broker(s) "
                f"{', '.join(self.transport.servers)} within {timeout:g} seconds "
                f"(broker_request_timeout): {exc}. Check the 'broker' setting "
                f"and that the broker is running and reachable from this host."
            ) from exc
        self._producer = producer

    async def on_stop(self) -> None:
        """Deliver what is pending, abort open transactions, close."""
        try:
            await self.buffer.flush()
            await self._flush_client()
        except Exception as exc:  # the broker may be gone: report what is lost
            logger.warning("Flushing the producer at stop failed: %r", exc)
        finally:
            await self.transactions.close()
            await self._topics.close()
            self._producer = None

    async def run_blocking(self, fun: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking librdkafka call in the loop's executor."""
        return await asyncio.get_running_loop().run_in_executor(None, fun, *args)

    @Service.task
    async def _poll_deliveries(self) -> None:
        while not self.should_stop:
            producer = self._producer
            busy = self.transactions.poll()
            if producer is not None:
                producer.poll(0)
                busy = busy or len(producer) > 0
            await self.sleep(POLL_INTERVAL if busy else IDLE_POLL_INTERVAL)

    def _ensure_producer(self) -> Any:
        if self._producer is None:
            raise NotReady("The producer is not started: start the app first")
        return self._producer

    def callback(self, on_done: OnDone, fut: Any, state: Any) -> Callable[..., None]:
        """The librdkafka delivery callback completing ``on_done``."""
        deliveries = self._deliveries
        if deliveries is None:
            deliveries = self._deliveries = Deliveries(self.loop, threading.get_ident())
        return deliveries.callback(on_done, fut, state)

    def produce(
        self,
        client: Any,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        delivered: Callable[..., None],
    ) -> None:
        """Hand a message to ``client`` (raises ``BufferError`` when full)."""
        if partition is None:
            if key is not None and self.partitioner is not None:
                partition = self.key_partition(topic, key).partition
            else:
                partition = UNASSIGNED
        try:
            # positional: no keyword dict per message. confluent-kafka's order
            # is (topic, value, key, partition, callback, on_delivery,
            # timestamp, headers); a timestamp of 0 is "now", as when none is
            # given (test_produce_takes_positional_arguments checks the order)
            if timestamp is None and not headers:
                client.produce(topic, value, key, partition, delivered)
            else:
                client.produce(
                    topic,
                    value,
                    key,
                    partition,
                    delivered,
                    None,
                    int(timestamp * 1000) if timestamp is not None else 0,
                    headers_list(headers),
                )
        except ck().KafkaException as exc:
            raise self._refused(topic, key, value, exc) from exc

    def _refused(
        self, topic: str, key: Optional[bytes], value: Optional[bytes], exc: Any
    ) -> TransportError:
        err = exc.args[0]
        if err.code() == ck().KafkaError.MSG_SIZE_TOO_LARGE:
            size = (len(key) if key else 0) + (len(value) if value else 0)
            return MessageSizeTooLarge(
                f"Message of {size} bytes to {topic!r} is larger than "
                f"producer_max_request_size ({self.max_request_size}): nothing "
                f"was sent. Raise producer_max_request_size (and the broker's "
                f"message.max.bytes) or send smaller messages."
            )
        return kafka_error(err, topic)

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
            TransportError: librdkafka refused the message.
        """
        producer = self._ensure_producer()
        if transactional_id is not None:
            producer = await self.transactions.open(transactional_id)
        if self.partitioner is not None and topic not in self._partitions:
            await self._learn_topic(topic)
        fut: asyncio.Future[RecordMetadata] = self.loop.create_future()
        delivered = self.callback(_resolve, fut, None)
        while True:
            try:
                self.produce(
                    producer,
                    topic,
                    key,
                    value,
                    partition,
                    timestamp,
                    headers,
                    delivered,
                )
                return fut
            except BufferError:  # librdkafka's queue is full: let it drain
                await self.sleep(POLL_INTERVAL)

    def can_send_nowait(self, topic: str) -> bool:
        """True if :meth:`send_nowait` takes a message now."""
        producer = self._producer
        return (
            producer is not None
            and len(producer) < MAX_PENDING
            and (self.partitioner is None or topic in self._partitions)
        )

    async def wait_send_nowait(self, topic: str) -> bool:
        """Wait until :meth:`can_send_nowait` is true for ``topic``."""
        self._ensure_producer()
        if self.partitioner is not None and topic not in self._partitions:
            await self._learn_topic(topic)
        while not self.can_send_nowait(topic):
            await self.sleep(POLL_INTERVAL)
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
        """Hand a message to librdkafka; ``on_done`` runs once it is delivered.

        Raises:
            NotReady: :meth:`can_send_nowait` was not true.
            MessageSizeTooLarge: the message exceeds ``producer_max_request_size``.
        """
        producer = self._producer
        if producer is None or (
            self.partitioner is not None and topic not in self._partitions
        ):
            raise NotReady(f"The producer cannot take a message to {topic!r} now")
        try:  # a full queue raises BufferError (can_send_nowait was checked)
            self.produce(
                producer,
                topic,
                key,
                value,
                partition,
                timestamp,
                headers,
                self.callback(on_done, fut, state),
            )
        except BufferError as exc:
            raise NotReady(f"The producer's queue is full ({topic!r})") from exc

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
        return await fut

    async def flush(self) -> None:
        """Publish buffered messages and wait until the broker has them all."""
        await self.buffer.flush()
        await self._flush_client()

    async def _flush_client(self) -> None:
        producer = self._producer
        while producer is not None and len(producer) > 0:
            producer.poll(0)
            await self.sleep(POLL_INTERVAL)

    async def _learn_topic(self, topic: str) -> None:
        counts = await self.run_blocking(
            topic_partitions,
            self._ensure_producer(),
            topic,
            float(self.app.conf.broker_request_timeout),
        )
        self._partitions.update(counts)

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
        """Create a topic unless it exists (the aiokafka driver's admin)."""
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
        """The partition ``key`` goes to (murmur2, as the Java client)."""
        count = self._partitions.get(topic) or self.app.conf.topic_partitions
        if self.partitioner is not None:
            every = list(range(count))
            return TP(topic, self.partitioner(key, every, every))
        return TP(topic, partition_for_key(key, count))

    def supports_headers(self) -> bool:
        """Kafka 0.11 and later accept headers."""
        return True

    # -- transactions: see .transactions ------------------------------------

    async def begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction (creating its producer if needed)."""
        await self.transactions.open(transactional_id)

    async def maybe_begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction unless one is open."""
        await self.transactions.open(transactional_id)

    async def commit_transaction(self, transactional_id: str) -> None:
        """Commit the open transaction of ``transactional_id``."""
        await self.transactions.commit(transactional_id)

    async def abort_transaction(self, transactional_id: str) -> None:
        """Abort the open transaction of ``transactional_id``."""
        await self.transactions.abort(transactional_id)

    async def stop_transaction(self, transactional_id: str) -> None:
        """Abort the open transaction (if any) and drop its producer."""
        await self.transactions.stop(transactional_id)

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
            await self.transactions.commit_with_offsets(tid, offsets, group_id)
            if start_new_transaction:
                await self.transactions.open(tid)
