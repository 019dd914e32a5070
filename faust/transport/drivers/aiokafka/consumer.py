"""The Kafka consumer: faust's Consumer over ``aiokafka.AIOKafkaConsumer``.

The aiokafka consumer runs in the app's event loop and is a member of the
consumer group ``app.conf.id`` with the ``faust`` group protocol
(``app.assignor``). Rebalances reach faust through
:class:`ConsumerRebalanceListener`:

- *revoked* runs the app's revoke handler inside aiokafka's callback (stop the
  flow, wait for in-flight events, flush the producer, commit). aiokafka keeps
  heartbeating meanwhile, so this may take a while without losing the group;
- *assigned* only records the new assignment: aiokafka sends no heartbeats
  while its callback runs, so the app's (possibly slow: tables, user signal
  handlers) assign handler runs afterwards, in the ``_apply_assignments``
  task. Revoke and assign handlers never overlap.

Fetching (``_getmany``) reads the partitions of the *applied* assignment that
are not paused. The high watermark of a partition comes from fetch responses
(:meth:`Consumer.highwaters` sends a fetch for partitions not fetched yet),
never from ListOffsets alone: some brokers answer ListOffsets with the start
of the last batch.

A worker whose event loop is blocked longer than ``broker_session_timeout``
cannot heartbeat, and the group gives its partitions away; the
``_watch_event_loop`` task logs an error saying so and why, aiokafka rejoins
the group, and commits for the lost generation are refused (the new owner
processes those events again: nothing is lost).

Owner: the app. Children: the Fetcher. Tasks: ``_commit_handler`` (base),
``_apply_assignments``, ``_watch_event_loop``, ``_watch_missing_topics``
(:func:`.subscription.refresh_while_missing`). ``on_start`` connects,
``on_shutdown`` leaves the group and closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Optional

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import (
    ConsumerStoppedError,
    IllegalStateError,
    KafkaError,
)
from aiokafka.structs import OffsetAndMetadata
from mode import Seconds, Service

from ....exceptions import ImproperlyConfigured, TransportError
from ....types import TP, ConsumerMessage, Message
from ....types.transports import RecordMap
from ....utils.murmur2 import partition_for_key
from ...consumer import Consumer as BaseConsumer
from .connection import auth_of, connect, to_ms
from .highwaters import fetch_highwaters
from .readahead import ReadAhead
from .rebalance import (
    REBALANCE_ERRORS,
    ConsumerRebalanceListener,
    aio_tp,
    warn_if_loop_blocked,
)
from .subscription import refresh_while_missing, subscription_for
from .transport import Transport

__all__ = ["Consumer", "ConsumerRebalanceListener"]

logger = logging.getLogger(__name__)

#: Records per fetch when ``broker_max_poll_records`` is None (as memory://).
DEFAULT_BATCH_RECORDS = 1000
#: Most records one fetch from aiokafka decodes. A broker may answer a fetch
#: with far more than ``consumer_max_fetch_size`` (some send a partition's
#: whole backlog); aiokafka keeps the rest as compact bytes and decodes it on
#: the next call, so the records held decoded stay bounded.
READ_AHEAD_RECORDS = 10_000
#: Longest a fetch waits at the broker for new records (aiokafka: 500 ms,
#: Faust: 1500). A fetch covers only the partitions with nothing buffered, so
#: records arriving meanwhile on the others (a repartition topic the worker
#: writes and reads itself) wait for it to return: short keeps them moving,
#: for a few more small requests a second on an idle consumer.
FETCH_MAX_WAIT_MS = 100
#: seconds between metadata refreshes while a subscribed topic is missing
MISSING_TOPICS_INTERVAL = 1.0


class Consumer(BaseConsumer):
    """Consumes from Kafka as a member of the app's consumer group.

    Arguments:
        transport: the :class:`~faust.transport.drivers.aiokafka.transport.Transport`.
        callback: called with every fetched message (the conductor).
    """

    consumer_stopped_errors = (ConsumerStoppedError,)
    transport: Transport

    def __init__(self, transport: Transport, callback: Any, **kwargs: Any) -> None:
        super().__init__(transport, callback, **kwargs)
        conf = self.app.conf
        if conf.broker_session_timeout > conf.broker_request_timeout:
            raise ImproperlyConfigured(
                f"broker_session_timeout ({conf.broker_session_timeout}) must not "
                f"be greater than broker_request_timeout "
                f"({conf.broker_request_timeout})"
            )
        self._consumer: Optional[AIOKafkaConsumer] = None
        self._topics = transport.topic_creator()
        self._listener = ConsumerRebalanceListener(self)
        self._assignment: frozenset[TP] = frozenset()
        self._generation = -1
        self._pending: Optional[tuple[frozenset[TP], int]] = None
        self._pending_event: Optional[asyncio.Event] = None
        self._rebalance_lock: Optional[asyncio.Lock] = None
        self._highwaters: dict[TP, int] = {}
        self._fetch_tps: tuple[frozenset[TP], list[TopicPartition]] = (frozenset(), [])
        self._max_records = conf.broker_max_poll_records
        # records one fetch hands over: without a limit aiokafka returns all
        # it buffered (~1 MB a partition: 60,000 small changelog records),
        # all converted at once. Larger batches are not faster.
        self._batch_records = self._max_records or DEFAULT_BATCH_RECORDS
        self._read_ahead_records = max(self._batch_records, READ_AHEAD_RECORDS)
        self._read_committed = conf.processing_guarantee.value == "exactly_once"
        self._ahead = ReadAhead()

    # -- lifecycle ---------------------------------------------------------

    def consumer_settings(self) -> dict[str, Any]:
        """Keyword arguments of the ``AIOKafkaConsumer``."""
        conf = self.app.conf
        return {
            "bootstrap_servers": self.transport.servers,
            "client_id": conf.broker_client_id,
            "group_id": conf.id,
            "group_instance_id": conf.consumer_group_instance_id or None,
            "enable_auto_commit": False,
            "auto_offset_reset": conf.consumer_auto_offset_reset,
            "max_poll_records": self._max_records,
            "fetch_max_wait_ms": FETCH_MAX_WAIT_MS,
            "max_poll_interval_ms": to_ms(conf.broker_max_poll_interval),
            "max_partition_fetch_bytes": conf.consumer_max_fetch_size,
            "request_timeout_ms": to_ms(conf.broker_request_timeout),
            "session_timeout_ms": to_ms(conf.broker_session_timeout),
            "rebalance_timeout_ms": to_ms(conf.broker_rebalance_timeout),
            "heartbeat_interval_ms": to_ms(conf.broker_heartbeat_interval),
            "check_crcs": conf.broker_check_crcs,
            "isolation_level": (
                "read_committed" if self._read_committed else "read_uncommitted"
            ),
            "metadata_max_age_ms": conf.consumer_metadata_max_age_ms,
            "connections_max_idle_ms": conf.consumer_connections_max_idle_ms,
            "partition_assignment_strategy": [self.app.assignor],
            **auth_of(self.app),
        }

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(**self.consumer_settings())

    async def on_start(self) -> None:
        """Connect to the brokers (the conductor subscribes later)."""
        self._pending_event = asyncio.Event()
        self._rebalance_lock = asyncio.Lock()
        self._consumer = await connect(
            self._new_consumer,
            what="consumer",
            servers=self.transport.servers,
            timeout=float(self.app.conf.broker_request_timeout),
            sleep=self.sleep,
            auth=auth_of(self.app),
        )

    async def on_shutdown(self) -> None:
        """Leave the group and close, once the fetcher stopped."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()
        await self._topics.close()

    def close(self) -> None:
        """The consumer is closed by stopping the service (``on_shutdown``)."""

    def _ensure_consumer(self) -> AIOKafkaConsumer:
        consumer = self._consumer
        if consumer is None:
            raise ConsumerStoppedError()
        return consumer

    # -- subscription and rebalancing --------------------------------------

    async def subscribe(self, topics: Iterable[str]) -> None:
        """Subscribe to ``topics`` plus the app's pattern subscriptions."""
        consumer = self._ensure_consumer()
        names, pattern = subscription_for(topics, self.app.topics)
        if pattern is not None:
            consumer.subscribe(pattern=pattern, listener=self._listener)
        elif names:
            consumer.subscribe(topics=names, listener=self._listener)
        else:
            consumer.unsubscribe()

    def _lock(self) -> asyncio.Lock:
        if self._rebalance_lock is None:
            self._rebalance_lock = asyncio.Lock()
        return self._rebalance_lock

    async def on_rebalance_revoked(self) -> None:
        """The group rebalances: give up the applied assignment."""
        self._pending = None  # an assignment never applied is void now
        async with self._lock():
            revoked = set(self._assignment)
            try:
                await self.on_partitions_revoked(revoked)
            except Exception as exc:  # aiokafka would only log it: say what it means
                logger.exception("Revoking partitions failed: %r", exc)
            finally:
                self._assignment = frozenset()
                # positions restart from the committed offsets after this
                self._ahead.clear()

    def on_rebalance_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        """Record a new assignment; ``_apply_assignments`` applies it."""
        consumer = self._consumer
        coordinator = getattr(consumer, "_coordinator", None)
        generation = getattr(coordinator, "generation", self._generation + 1)
        self._pending = (
            frozenset(TP(tp.topic, tp.partition) for tp in assigned),
            int(generation),
        )
        if self._pending_event is not None:
            self._pending_event.set()

    @Service.task
    async def _apply_assignments(self) -> None:
        event = self._pending_event
        assert event is not None
        while not self.should_stop:
            await self.wait_for_stopped(event.wait())
            event.clear()
            if self.should_stop:
                break
            await self.apply_pending_assignment()

    async def apply_pending_assignment(self) -> bool:
        """Run the app's assign handler for a recorded assignment, if any."""
        async with self._lock():
            pending, self._pending = self._pending, None
            if pending is None:
                return False
            assigned, generation = pending
            self._assignment = assigned
            self._generation = generation
            try:
                await self.on_partitions_assigned(set(assigned), generation)
            except Exception as exc:
                logger.exception("Assigning partitions failed: %r", exc)
                await self.crash(exc)
            return True

    def assignment(self) -> set[TP]:
        """The partitions assigned to this consumer (as applied by the app)."""
        return set(self._assignment)

    @Service.task
    async def _watch_event_loop(self) -> None:
        interval = min(1.0, float(self.app.conf.broker_session_timeout) / 4)
        loop = asyncio.get_running_loop()
        last = loop.time()
        while not self.should_stop:
            await self.sleep(interval)
            now = loop.time()
            self.on_loop_lag(now - last - interval)
            last = now

    @Service.task
    async def _watch_missing_topics(self) -> None:
        reported: set[str] = set()
        while not self.should_stop:
            await self.sleep(MISSING_TOPICS_INTERVAL)
            if self._consumer is not None:
                await refresh_while_missing(self._consumer, reported)

    def on_loop_lag(self, blocked: float) -> None:
        """Warn when the event loop was blocked long enough to lose the group."""
        warn_if_loop_blocked(blocked, float(self.app.conf.broker_session_timeout))

    # -- fetching ----------------------------------------------------------

    def _fetch_partitions(self, active: Collection[TP]) -> list[TopicPartition]:
        key, tps = self._fetch_tps
        if active != key:
            frozen = frozenset(active)
            tps = [aio_tp(tp) for tp in sorted(frozen)]
            self._fetch_tps = (frozen, tps)
        return tps

    async def _getmany(self, active_partitions: set[TP], timeout: float) -> RecordMap:
        ahead = self._ahead
        empty = ahead.without_records(active_partitions)
        if len(empty) == len(active_partitions):
            # nothing read ahead: wait for the broker
            await self._drain(empty, timeout)
        elif empty:
            # take what aiokafka buffered for partitions we ran out of,
            # without waiting: aiokafka then fetches them again while we
            # process what we read ahead. A partition with records read
            # ahead is left alone, so at most two fetches of it are held
            await self._drain(empty, 0)
        # partitions may have been paused while we waited (table recovery
        # pauses sources at an assignment): their records stay read ahead
        paused = self._paused
        active = [tp for tp in active_partitions if tp not in paused]
        return ahead.take(active, self._assignment, self._batch_records)

    async def _drain(self, active_partitions: Collection[TP], timeout: float) -> None:
        consumer = self._ensure_consumer()
        try:
            records = await consumer.getmany(
                *self._fetch_partitions(active_partitions),
                timeout_ms=int(timeout * 1000),
                max_records=self._read_ahead_records,
            )
        except REBALANCE_ERRORS as exc:
            logger.info("Fetch interrupted by a rebalance: %r", exc)
            return
        except ConsumerStoppedError:
            raise
        except KafkaError as exc:
            if getattr(exc, "retriable", False):
                logger.warning("Fetch failed, retrying: %r", exc)
                return
            raise TransportError(f"Fetching from Kafka failed: {exc!r}") from exc
        for atp, batch in records.items():
            if batch:
                self._ahead.add(TP(atp.topic, atp.partition), batch)

    def _to_message(self, tp: TP, record: Any) -> Message:
        timestamp = record.timestamp
        return ConsumerMessage(
            record.topic,
            record.partition,
            record.offset,
            timestamp / 1000.0 if timestamp is not None else None,  # type: ignore[arg-type]  # None when the broker gave none
            record.timestamp_type,
            record.headers,
            record.key,
            record.value,
            record.checksum,
            record.serialized_key_size,
            record.serialized_value_size,
            tp,
        )

    def _to_message_list(self, tp: TP, records: list[Any]) -> list[Message]:
        """:meth:`_to_message` of each record, inline (once per record fetched)."""
        return [
            ConsumerMessage(
                r.topic,
                r.partition,
                r.offset,
                r.timestamp / 1000.0 if r.timestamp is not None else None,  # type: ignore[arg-type]  # None when the broker gave none
                r.timestamp_type,
                r.headers,
                r.key,
                r.value,
                r.checksum,
                r.serialized_key_size,
                r.serialized_value_size,
                tp,
            )
            for r in records
        ]

    # -- offsets -----------------------------------------------------------

    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        consumer = self._ensure_consumer()
        coordinator = consumer._coordinator
        subscription = consumer._subscription.subscription
        assignment = subscription.assignment if subscription is not None else None
        to_commit = {
            aio_tp(tp): OffsetAndMetadata(offset, "") for tp, offset in offsets.items()
        }
        try:
            # directly through the coordinator: AIOKafkaConsumer.commit refuses
            # while a new subscription waits for its assignment, which is just
            # when a revoke handler must commit
            await coordinator.commit_offsets(assignment, to_commit)
        except REBALANCE_ERRORS as exc:
            logger.warning(
                "Commit refused: the group rebalanced and these partitions may "
                "belong to another worker now; their uncommitted events will be "
                "processed again (%r)",
                exc,
            )
            return False
        except KafkaError as exc:
            logger.warning("Commit failed: %r", exc)
            return False
        return True

    async def _committed_offsets(self, tps: set[TP]) -> Mapping[TP, Optional[int]]:
        if not tps:
            return {}
        coordinator = self._ensure_consumer()._coordinator
        found = await coordinator.fetch_committed_offsets([aio_tp(tp) for tp in tps])
        result: dict[TP, Optional[int]] = dict.fromkeys(tps)
        for atp, meta in found.items():
            if meta.offset >= 0:
                result[TP(atp.topic, atp.partition)] = meta.offset
        return result

    async def seek_to_committed(
        self,
        tps: Optional[set[TP]] = None,
        committed: Optional[Mapping[TP, Optional[int]]] = None,
    ) -> Mapping[TP, int]:
        """Read from the committed offsets (others follow ``auto_offset_reset``)."""
        tps = set(self._assignment) if tps is None else tps
        if committed is None:
            committed = await self._committed_offsets(tps)
        positions: dict[TP, int] = {}
        missing: list[TP] = []
        for tp in tps:
            offset = committed.get(tp)
            if offset is None:
                missing.append(tp)
            elif self._seek(tp, offset):
                positions[tp] = offset
        if missing:
            await self._reset_positions(missing)
        return positions

    async def _reset_positions(self, tps: list[TP]) -> None:
        """Read ``tps`` (nothing committed) per ``consumer_auto_offset_reset``.

        The position of a partition kept through a rebalance may have moved
        past records that were never delivered (fetched while the rebalance
        began): without this they would be skipped.
        """
        for tp in tps:
            self._ahead.forget(tp)
        consumer = self._ensure_consumer()
        atps = [aio_tp(tp) for tp in tps]
        try:
            if str(self.app.conf.consumer_auto_offset_reset) == "latest":
                await consumer.seek_to_end(*atps)
            else:
                await consumer.seek_to_beginning(*atps)
        except (IllegalStateError, AssertionError):
            pass  # no longer assigned: a newer rebalance is coming

    def _seek(self, tp: TP, offset: int) -> bool:
        self._ahead.forget(tp)  # read ahead from the old position
        try:
            self._ensure_consumer().seek(aio_tp(tp), offset)
        except (IllegalStateError, AssertionError):
            return False  # no longer assigned: a newer rebalance is coming
        return True

    async def seek(self, partition: TP, offset: int) -> None:
        """Read ``partition`` from ``offset`` on."""
        self._seek(partition, offset)

    async def seek_wait(self, partitions: Mapping[TP, int]) -> None:
        """Seek several partitions."""
        for tp, offset in partitions.items():
            self._seek(tp, offset)

    async def position(self, tp: TP) -> Optional[int]:
        """The next offset the consumer will hand over for ``tp``."""
        pending = self._ahead.first_offset(tp)
        if pending is not None:
            return pending  # read ahead, not handed over yet
        try:
            return int(await self._ensure_consumer().position(aio_tp(tp)))
        except (IllegalStateError, AssertionError):
            return None

    def highwater(self, tp: TP) -> int:
        """The high watermark of ``tp`` from the last fetch response (0 if none)."""
        consumer = self._consumer
        if consumer is not None:
            try:
                hw = consumer.highwater(aio_tp(tp))
            except (IllegalStateError, AssertionError):
                hw = None
            if hw is not None and hw >= 0:
                return int(hw)
        return self._highwaters.get(tp, 0)

    async def highwaters(self, *partitions: TP) -> Mapping[TP, int]:
        """High watermarks of ``partitions``, from a fetch request for each."""
        consumer = self._ensure_consumer()
        found = await fetch_highwaters(
            consumer._client,
            partitions,
            read_committed=self._read_committed,
            timeout=float(self.app.conf.broker_request_timeout),
        )
        self._highwaters.update(found)
        return found

    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]:
        """The log start offsets of ``partitions``."""
        if not partitions:
            return {}
        found = await self._ensure_consumer().beginning_offsets(
            [aio_tp(tp) for tp in partitions]
        )
        return {TP(tp.topic, tp.partition): int(o) for tp, o in found.items()}

    # -- flow control ------------------------------------------------------

    def pause_partitions(self, tps: Iterable[TP]) -> None:
        """Stop fetching from ``tps``."""
        tps = list(tps)
        super().pause_partitions(tps)
        consumer = self._consumer
        if consumer is not None:
            assigned = consumer.assignment()
            consumer.pause(*(atp for atp in map(aio_tp, tps) if atp in assigned))

    def resume_partitions(self, tps: Iterable[TP]) -> None:
        """Fetch from ``tps`` again."""
        tps = list(tps)
        super().resume_partitions(tps)
        consumer = self._consumer
        if consumer is not None:
            assigned = consumer.assignment()
            consumer.resume(*(atp for atp in map(aio_tp, tps) if atp in assigned))

    # -- metadata and topics -----------------------------------------------

    def topic_partitions(self, topic: str) -> Optional[int]:
        """Number of partitions of ``topic`` (None if unknown)."""
        consumer = self._consumer
        if consumer is None:
            return None
        parts = consumer.partitions_for_topic(topic)
        return len(parts) if parts else None

    def key_partition(
        self, topic: str, key: Optional[bytes], partition: Optional[int] = None
    ) -> Optional[int]:
        """The partition a key goes to (or ``partition`` if given)."""
        if partition is not None:
            return partition
        count = self.topic_partitions(topic)
        if count is None or key is None:
            return None
        return partition_for_key(key, count)

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

    def _repr_info(self) -> str:
        return f"assigned={len(self._assignment)} generation={self._generation}"
