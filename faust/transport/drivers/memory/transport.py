"""The ``memory://`` transport: producer and consumer on the embedded broker.

Every app of a process using the same ``memory://`` URL shares one
:class:`~.broker.MemoryBroker`, so apps can talk to each other and a whole
pipeline runs without Kafka. The broker has real partitions (murmur2 key
partitioning), offsets, timestamps, headers, consumer groups with committed
offsets, and compaction.

Rebalances are processed by the consumer's fetch loop (as Kafka clients do
in ``poll``): when the group's assignment changed, the loop revokes the old
assignment, commits, takes the new one and seeks to the committed offsets
before fetching again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from typing import Any, ClassVar, cast

from mode import Seconds, want_seconds
from yarl import URL

from .... import __version__
from ....exceptions import (
    MessageSizeTooLarge,
    ProducerFenced,
    TopicConflict,
    TransportError,
)
from ....types import TP, AppT, ConsumerMessage, Message, RecordMetadata
from ....types.core import HeadersArg
from ....types.transports import RecordMap
from ....utils.murmur2 import partition_for_key as murmur2_partition
from ...base import Transport as BaseTransport
from ...consumer import Consumer as BaseConsumer
from ...producer import Producer as BaseProducer
from .app_assignor import app_assignor, member_metadata, on_assignment
from .broker import MemoryBroker
from .broker_errors import IllegalGeneration, OffsetOutOfRange, UnknownMemberId
from .broker_member import GroupMember
from .producer_transactions import ProducerTransactions

__all__ = ["Consumer", "Producer", "Transport"]

logger = logging.getLogger(__name__)


def _headers(headers: HeadersArg | None) -> list[tuple[str, bytes]] | None:
    if not headers:
        return None
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def _topic_config(
    config: Mapping[str, Any] | None,
    retention: Seconds | None,
    compacting: bool | None,
    deleting: bool | None,
) -> dict[str, Any]:
    cfg = dict(config or {})
    policies = [
        name for flag, name in ((compacting, "compact"), (deleting, "delete")) if flag
    ]
    if policies:
        cfg["cleanup.policy"] = ",".join(sorted(policies))
    if retention:
        cfg["retention.ms"] = int(want_seconds(retention) * 1000)
    return cfg


async def create_topic(
    broker: MemoryBroker,
    topic: str,
    partitions: int,
    *,
    config: Mapping[str, Any] | None = None,
    retention: Seconds | None = None,
    compacting: bool | None = None,
    deleting: bool | None = None,
) -> None:
    """Create a topic; an existing one must have the same partition count."""
    cfg = _topic_config(config, retention, compacting, deleting)
    result = broker.create_topic(topic, partitions, config=cfg)
    if not result.created and result.partitions != partitions:
        raise TopicConflict(
            f"Topic {topic!r} exists with {result.partitions} partitions, "
            f"but {partitions} were asked for: delete the topic, or declare it "
            f"with partitions={result.partitions}"
        )


class Producer(BaseProducer):
    """Produces to the embedded broker (every send completes at once)."""

    def __init__(self, transport: Transport, **kwargs: Any) -> None:
        super().__init__(transport, **kwargs)
        self.broker = transport.broker
        self.transactions = ProducerTransactions(self.broker)

    def _produce(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: HeadersArg | None,
        transactional_id: str | None = None,
    ) -> RecordMetadata:
        size = (len(key) if key else 0) + (len(value) if value else 0)
        if size > self.max_request_size:
            raise MessageSizeTooLarge(
                f"Message of {size} bytes to {topic!r} is larger than "
                f"producer_max_request_size ({self.max_request_size}): "
                "nothing was sent"
            )
        try:
            return self.broker.produce(
                topic,
                key,
                value,
                partition=partition,
                timestamp=timestamp,
                headers=_headers(headers),
                transaction=(
                    self.transactions.open(transactional_id)
                    if transactional_id is not None
                    else None
                ),
            )
        except (MessageSizeTooLarge, ProducerFenced, TransportError):
            raise
        except Exception as exc:  # engine errors (bad partition, closed broker)
            raise TransportError(f"Cannot produce to {topic!r}: {exc}") from exc

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: HeadersArg | None,
        *,
        transactional_id: str | None = None,
    ) -> Awaitable[RecordMetadata]:
        """Produce a message; returns a completed future of its metadata."""
        fut: asyncio.Future[RecordMetadata] = asyncio.get_running_loop().create_future()
        fut.set_result(
            self._produce(
                topic, key, value, partition, timestamp, headers, transactional_id
            )
        )
        return fut

    async def send_and_wait(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: HeadersArg | None,
        *,
        transactional_id: str | None = None,
    ) -> RecordMetadata:
        """Produce a message and return its metadata."""
        return self._produce(
            topic, key, value, partition, timestamp, headers, transactional_id
        )

    # -- transactions (exactly-once): see ProducerTransactions -------------

    async def begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction of ``transactional_id``."""
        self.transactions.open(transactional_id)

    async def maybe_begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction unless one is open."""
        self.transactions.open(transactional_id)

    async def commit_transaction(self, transactional_id: str) -> None:
        """Commit the open transaction."""
        self.transactions.commit(transactional_id)

    async def abort_transaction(self, transactional_id: str) -> None:
        """Abort the open transaction."""
        self.transactions.abort(transactional_id)

    async def stop_transaction(self, transactional_id: str) -> None:
        """Abort the open transaction and release the id."""
        self.transactions.stop(transactional_id)

    async def commit_transactions(
        self,
        tid_to_offset_map: Mapping[str, Mapping[TP, int]],
        group_id: str,
        start_new_transaction: bool = True,
    ) -> None:
        """Commit each transaction together with its source offsets."""
        consumer = self.app.consumer
        member = getattr(consumer, "_member", None)
        self.transactions.commit_offsets(
            tid_to_offset_map,
            group_id,
            member.member_id if member is not None else None,
            getattr(consumer, "_generation", None) if member is not None else None,
            start_new_transaction,
        )

    async def on_stop(self) -> None:
        """Abort open transactions."""
        self.transactions.close()

    async def create_topic(
        self,
        topic: str,
        partitions: int,
        replication: int,
        *,
        config: Mapping[str, Any] | None = None,
        timeout: Seconds = 1000.0,
        retention: Seconds | None = None,
        compacting: bool | None = None,
        deleting: bool | None = None,
        ensure_created: bool = False,
    ) -> None:
        """Create a topic on the embedded broker."""
        await create_topic(
            self.broker,
            topic,
            partitions,
            config=config,
            retention=retention,
            compacting=compacting,
            deleting=deleting,
        )

    def key_partition(self, topic: str, key: bytes) -> TP:
        """The partition the broker would put ``key`` on."""
        partitions = self.broker.partitions_for(topic) or self.app.conf.topic_partitions
        return TP(topic, murmur2_partition(key, partitions))


class Consumer(BaseConsumer):
    """Consumes from the embedded broker as a member of the app's group."""

    # any partition can be read: global tables read every changelog partition
    reads_unassigned_partitions = True

    def __init__(self, transport: Transport, callback: Any, **kwargs: Any) -> None:
        super().__init__(transport, callback, **kwargs)
        conf = self.app.conf
        self.broker = transport.broker
        self.group_id = conf.id
        self._member: GroupMember | None = None
        self._assignment: frozenset[TP] = frozenset()
        self._generation = 0
        self._positions: dict[TP, int] = {}
        self._highwaters: dict[TP, int] = {}
        self._max_records = conf.broker_max_poll_records or 1000
        self._reset = str(conf.consumer_auto_offset_reset)
        self._read_committed = conf.processing_guarantee.value == "exactly_once"

    # -- subscription and rebalancing --------------------------------------

    async def subscribe(self, topics: Any) -> None:
        """Join the group (or change the subscription); the group rebalances.

        Subscribed topics that do not exist yet are created first, as Kafka
        does with ``auto.create.topics.enable``: the assignment then has
        their partitions at once, instead of a second rebalance when the
        first message is sent (which would wait for events in flight, an
        ``ask()`` waiting for its reply among them).
        """
        names = sorted(topics)
        await self._create_missing_topics(names)
        assignor = self.app.assignor
        metadata = member_metadata(assignor)
        if self._member is None or not self._member.active:
            self._member = self.broker.join_group(
                self.group_id,
                names,
                client_id=self.app.conf.broker_client_id,
                metadata=metadata,
                assignor=app_assignor(assignor),
            )
        else:
            self.broker.update_subscription(self._member, names, metadata=metadata)

    async def _create_missing_topics(self, names: list[str]) -> None:
        broker = self.broker
        if not broker.auto_create_topics:
            return  # a broker that creates nothing by itself (as Kafka's option)
        missing = [name for name in names if broker.partitions_for(name) is None]
        if not missing:
            return
        # Created as the app declares them (partitions, retention, compaction)
        declared: dict[str, Any] = {}
        for subscription in list(self.app.topics):
            for name in subscription.topics or ():
                declared.setdefault(name, subscription)
        conf = self.app.conf
        for name in missing:
            topic = declared.get(name)
            if topic is None:
                broker.create_topic(name)
                continue
            retention = topic.retention
            await create_topic(
                broker,
                name,
                topic.partitions or conf.topic_partitions,
                config=topic.config,
                retention=want_seconds(retention) if retention else None,
                compacting=topic.compacting,
                deleting=topic.deleting,
            )

    async def fetch_messages(self, timeout: float) -> list[Message]:
        """Process a pending rebalance, then fetch."""
        await self._maybe_rebalance()
        return await super().fetch_messages(timeout)

    async def _maybe_rebalance(self) -> None:
        member = self._member
        if member is None or not member.rebalance_pending:
            return
        change = member.poll_rebalance()
        if change is None:
            return
        # eager protocol: everything is revoked, then the new assignment
        # given (buffered events were dropped, so every position resets).
        # The group did not wait for this member to revoke: the new owners
        # of partitions moving away may process them already. So a commit
        # in progress ends under the old generation (refused if it names
        # them), and while revoking this member owns (and commits) only the
        # partitions it kept all along; work on the others is done again by
        # their new owner, never committed twice
        if self._commit_lock is not None:
            async with self._commit_lock:
                pass
        self._generation = change.generation
        on_assignment(self.app.assignor, change.assignment, change.user_data)
        member.metadata = member_metadata(self.app.assignor)  # for the next join
        if self._assignment:
            revoked = set(self._assignment)
            self._assignment = self._kept(change.revoked, change.assignment)
            await self.on_partitions_revoked(revoked)
        self._assignment = change.assignment
        await self.on_partitions_assigned(set(change.assignment), change.generation)

    def _kept(self, revoked: frozenset[TP], assignment: frozenset[TP]) -> frozenset[TP]:
        """Partitions no other member may have processed since the last poll.

        Taken away and given back in between counts as moving away; a
        partition nobody has now (e.g. unsubscribed) is still ours to commit.
        """
        group = self.broker.describe_group(self.group_id)
        others: set[TP] = set(assignment)  # revoked and given back: moved
        if group is not None:
            for member_id, member in group.members.items():
                if self._member is None or member_id != self._member.member_id:
                    others.update(member.assignment)
        return self._assignment - (revoked & others)

    def assignment(self) -> set[TP]:
        """The partitions assigned to this consumer."""
        return set(self._assignment)

    async def seek_to_committed(
        self,
        tps: set[TP] | None = None,
        committed: Mapping[TP, int | None] | None = None,
    ) -> Mapping[TP, int]:
        """Read from the committed offsets (or per ``consumer_auto_offset_reset``)."""
        tps = set(self._assignment) if tps is None else tps
        if committed is None:
            committed = await self._committed_offsets(tps)
        missing = [tp for tp in tps if committed.get(tp) is None]
        resets: Mapping[TP, int] = {}
        if missing:
            if self._reset == "latest":
                resets = self.broker.end_offsets(missing)
            else:
                resets = self.broker.beginning_offsets(missing)
        positions: dict[TP, int] = {}
        for tp in tps:
            offset = committed.get(tp)
            positions[tp] = offset if offset is not None else resets[tp]
        self._seeked(positions)
        return positions

    def _seeked(self, positions: Mapping[TP, int]) -> None:
        self._positions.update(positions)
        # a high watermark seen before the seek may be stale: ask the broker
        # again until the next fetch of the partition
        for tp in positions:
            self._highwaters.pop(tp, None)

    async def _committed_offsets(self, tps: set[TP]) -> Mapping[TP, int | None]:
        found = self.broker.committed_offsets(self.group_id, tps)
        return {tp: (found[tp].offset if tp in found else None) for tp in tps}

    # -- fetching ----------------------------------------------------------

    async def _getmany(self, active_partitions: set[TP], timeout: float) -> RecordMap:
        broker = self.broker
        positions = {
            tp: self._positions[tp] for tp in active_partitions if tp in self._positions
        }
        ready = await broker.wait_for_data(
            positions, timeout, read_committed=self._read_committed, member=self._member
        )
        records: dict[TP, list[Any]] = {}
        for tp in ready:
            offset = positions[tp]
            try:
                result = broker.fetch(
                    tp,
                    offset,
                    max_records=self._max_records,
                    read_committed=self._read_committed,
                    reset="latest" if self._reset == "latest" else "earliest",
                )
            except OffsetOutOfRange as exc:  # reset policy "none"
                raise TransportError(str(exc)) from exc
            self._positions[tp] = result.next_offset
            self._highwaters[tp] = result.high_watermark
            if result.records:
                records[tp] = result.records
        return records

    async def _idle(self, timeout: float) -> None:
        member = self._member
        if member is not None and member.active:
            await self.broker.wait_for_data({}, min(timeout, 1.0), member=member)
        else:
            await self.sleep(min(timeout, 0.05))

    def _to_message(self, tp: TP, record: Any) -> Message:
        offset, key, value, timestamp, timestamp_type, headers = record
        return ConsumerMessage(
            tp.topic,
            tp.partition,
            offset,
            timestamp,
            timestamp_type,
            headers,
            key,
            value,
            None,
            len(key) if key else 0,
            len(value) if value else 0,
            tp,
        )

    # -- offsets -----------------------------------------------------------

    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        member = self._member
        try:
            self.broker.commit_offsets(
                self.group_id,
                dict(offsets),
                member_id=member.member_id if member is not None else None,
                generation=self._generation,
            )
        except (IllegalGeneration, UnknownMemberId) as exc:
            logger.warning("Commit rejected (the group rebalanced): %s", exc)
            return False
        return True

    def highwater(self, tp: TP) -> int:
        """The high watermark of ``tp`` seen by the last fetch."""
        hw = self._highwaters.get(tp)
        if hw is None:
            hw = self.broker.end_offsets([tp])[tp]
        return hw

    async def highwaters(self, *partitions: TP) -> Mapping[TP, int]:
        """The high watermarks of ``partitions``."""
        return self.broker.end_offsets(partitions)

    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]:
        """The log start offsets of ``partitions``."""
        return self.broker.beginning_offsets(partitions)

    async def position(self, tp: TP) -> int | None:
        """The next offset the consumer will read from ``tp``."""
        return self._positions.get(tp)

    async def seek(self, partition: TP, offset: int) -> None:
        """Read ``partition`` from ``offset`` on."""
        self._seeked({partition: offset})

    async def seek_wait(self, partitions: Mapping[TP, int]) -> None:
        """Seek several partitions."""
        self._seeked(partitions)

    def topic_partitions(self, topic: str) -> int | None:
        """Number of partitions of ``topic`` (None if it does not exist)."""
        return self.broker.partitions_for(topic)

    def key_partition(
        self, topic: str, key: bytes | None, partition: int | None = None
    ) -> int | None:
        """The partition a key goes to (or ``partition`` if given)."""
        if partition is not None:
            return partition
        partitions = self.broker.partitions_for(topic)
        if partitions is None or key is None:
            return None
        return murmur2_partition(key, partitions)

    async def create_topic(
        self,
        topic: str,
        partitions: int,
        replication: int,
        *,
        config: Mapping[str, Any] | None = None,
        timeout: Seconds = 1000.0,
        retention: Seconds | None = None,
        compacting: bool | None = None,
        deleting: bool | None = None,
        ensure_created: bool = False,
    ) -> None:
        """Create a topic on the embedded broker."""
        await create_topic(
            self.broker,
            topic,
            partitions,
            config=config,
            retention=retention,
            compacting=compacting,
            deleting=deleting,
        )

    def close(self) -> None:
        """Leave the group."""
        if self._member is not None:
            self.broker.leave_group(self._member)
            self._member = None

    async def on_shutdown(self) -> None:
        """Leave the group once the fetcher stopped."""
        self.close()


class Transport(BaseTransport):
    """The in-process transport (``broker='memory://'``)."""

    Consumer: ClassVar[type[Any]] = Consumer
    Producer: ClassVar[type[Any]] = Producer
    driver_version = f"memory={__version__}"

    def __init__(
        self,
        url: list[URL],
        app: AppT,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(url, app, loop=loop)
        self.broker = MemoryBroker.for_url(
            url[0], default_partitions=app.conf.topic_partitions
        )

    def create_consumer(self, callback: Any, **kwargs: Any) -> Any:
        """Create the consumer (not started)."""
        return cast(Any, self.Consumer)(self, callback, **kwargs)

    async def delete_topics(self, names: list[str]) -> None:
        """Delete topics from the embedded broker (missing ones are ignored)."""
        for name in names:
            self.broker.delete_topic(name)
