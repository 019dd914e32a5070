"""The embedded broker engine behind the ``memory://`` transport.

A :class:`MemoryBroker` is a whole Kafka-like broker inside the process:
topics of partition logs, keyed partitioning by Kafka's murmur2 rule, record
size limits, compaction and retention, consumer groups with rebalances and
committed offsets, transactions with fencing and ``read_committed`` reads, and
long-polling.  It has no I/O and no background task: everything happens inside
the call that causes it (a produce wakes the waiting consumers, a join
rebalances the group) and periodic work (``apply_retention``,
``expire_transactions``) is left to the caller's timers.

Sharing: :meth:`MemoryBroker.for_url` returns the one broker registered for a
URL, so every app of a process using ``memory://`` talks to the same broker,
while ``memory://other`` is a separate one.  :meth:`MemoryBroker.reset_all`
closes and forgets them all (for test fixtures).  A broker built directly
with ``MemoryBroker()`` is private to its creator.

Event loops: the broker binds to no loop.  Waiting methods create their
future in the running loop when called, so one broker serves the successive
loops of a test suite.  The broker is not thread-safe: use it from one thread
(waiters in other threads' loops are woken thread-safely).

Typical use by a driver::

    broker = MemoryBroker.for_url("memory://")
    broker.create_topic("orders", 4, config={"cleanup.policy": "delete"})
    md = broker.produce("orders", b"key", b"value")      # RecordMetadata
    member = broker.join_group("group", ["orders"], client_id="c1")
    change = member.poll_rebalance()                     # Rebalance
    for tp in change.assigned: ...
    result = broker.fetch(tp, offset, max_records=500)   # FetchResult
    for offset, key, value, timestamp, ts_type, headers in result.records: ...
    ready = await broker.wait_for_data({tp: result.next_offset}, 1.0,
                                       member=member)
    broker.commit_offsets("group", {tp: result.next_offset},
                          member_id=member.member_id,
                          generation=change.generation)
    broker.leave_group(member)

Layers: :mod:`.broker_base` (options, closing, topic admin) <
:mod:`.broker_admin` (offsets, maintenance, groups, transactions) < this
module (registry, produce, fetch, long-poll).  Parts: :mod:`.log`,
:mod:`.broker_topics`, :mod:`.groups`, :mod:`.broker_member`,
:mod:`.broker_assignor`, :mod:`.transactions`, :mod:`.broker_wait`; value
types in :mod:`.broker_types`, errors in :mod:`.broker_errors`.  Import the
public API from here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from faust.types.tuples import TP, RecordMetadata

from .broker_admin import BrokerAdmin
from .broker_assignor import copartitioned_assignor
from .broker_errors import (
    BrokerClosed,
    IllegalGeneration,
    InvalidRequest,
    InvalidTransactionState,
    OffsetOutOfRange,
    UnknownMemberId,
    UnknownTopicOrPartition,
)
from .broker_member import GroupMember
from .broker_topics import (
    PLAIN_TYPES,
    MemoryTopic,
    as_bytes,
    header_tuple,
    reject_record,
)
from .broker_types import (
    TIMESTAMP_CREATE_TIME,
    TIMESTAMP_LOG_APPEND_TIME,
    Assignor,
    CreateTopicResult,
    FetchResult,
    GroupDescription,
    Headers,
    MemberAssignment,
    MemberDescription,
    MemberSubscription,
    OffsetAndMetadata,
    OffsetAndTimestamp,
    OffsetReset,
    Rebalance,
    StoredRecord,
    TopicDescription,
)
from .broker_wait import wait_any
from .log import PartitionLog
from .transactions import TransactionalProducer

# The engine's public API: import everything from this module.
__all__ = [
    "MemoryBroker",
    "copartitioned_assignor",
    "GroupMember",
    "TransactionalProducer",
    "PartitionLog",
    "TIMESTAMP_CREATE_TIME",
    "TIMESTAMP_LOG_APPEND_TIME",
    "Assignor",
    "CreateTopicResult",
    "FetchResult",
    "GroupDescription",
    "Headers",
    "MemberAssignment",
    "MemberDescription",
    "MemberSubscription",
    "OffsetAndMetadata",
    "OffsetAndTimestamp",
    "OffsetReset",
    "Rebalance",
    "StoredRecord",
    "TopicDescription",
    "BrokerClosed",
    "IllegalGeneration",
    "InvalidRequest",
    "InvalidTransactionState",
    "OffsetOutOfRange",
    "UnknownMemberId",
    "UnknownTopicOrPartition",
]

_new_metadata: Callable[[type[RecordMetadata], tuple[object, ...]], RecordMetadata]
_new_metadata = tuple.__new__


class MemoryBroker(BrokerAdmin):
    """An in-process Kafka-like broker (see the module docstring).

    The constructor options are documented on
    :class:`~.broker_base.BrokerBase`; the topic admin calls are there too,
    offsets, maintenance, group and transaction calls on
    :class:`~.broker_admin.BrokerAdmin`.
    """

    _registry: ClassVar[dict[str, MemoryBroker]] = {}

    # -- registry ---------------------------------------------------------

    @classmethod
    def for_url(cls, url: Any, **options: Any) -> MemoryBroker:
        """Return the shared broker of ``url``, creating it if needed.

        ``memory://`` (and ``memory:``) name the default broker,
        ``memory://name`` a separate one (the host part, case-insensitive).

        Arguments:
            url: a ``memory://`` URL (str or ``yarl.URL``).
            **options: constructor options, used only when the broker is
                created by this call.
        """
        name = urlsplit(str(url)).netloc.rpartition("@")[2].lower()
        broker = cls._registry.get(name)
        if broker is None or broker.closed:
            broker = cls._registry[name] = cls(name, **options)
        return broker

    def close(self) -> None:
        """Close (see ``BrokerBase.close``); ``for_url`` then makes a new one."""
        super().close()
        if self._registry.get(self.name) is self:
            del self._registry[self.name]

    @classmethod
    def reset_all(cls) -> None:
        """Close and forget every registered broker (test fixtures)."""
        brokers = list(cls._registry.values())
        cls._registry.clear()
        for broker in brokers:
            broker.close()

    # -- produce ----------------------------------------------------------

    def produce(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        *,
        partition: int | None = None,
        timestamp: float | None = None,
        headers: Sequence[tuple[str, bytes]] | None = None,
        transaction: TransactionalProducer | None = None,
    ) -> RecordMetadata:
        """Append one record.

        Arguments:
            topic: the topic (auto-created if allowed).
            key: the key, or None (``bytearray``/``memoryview`` are copied).
            value: the value, or None (a tombstone).
            partition: explicit partition; else murmur2 of the key, or
                round-robin when the key is None.
            timestamp: CreateTime in seconds; None uses the broker clock.
                Topics with ``LogAppendTime`` always use the broker clock.
            headers: ``(str, bytes)`` pairs.
            transaction: produce within this producer's open transaction.

        Returns:
            Where the record was stored.

        Raises:
            MessageSizeTooLarge: larger than the topic's ``max.message.bytes``.
            UnknownTopicOrPartition: no such topic (and no auto-creation) or
                partition.
            InvalidRequest: bad key/value/header type, negative timestamp, or
                no key for a compacted topic.
            ProducerFenced, InvalidTransactionState: see ``transaction``.
            BrokerClosed: the broker was closed.

        Nothing is appended when an error is raised.
        """
        if self.closed:
            self._check_open()
        t = self._topics.get(topic)
        if t is None:
            t = self._auto_create(topic)
        if key.__class__ not in PLAIN_TYPES or value.__class__ not in PLAIN_TYPES:
            key, value = as_bytes(key, "key"), as_bytes(value, "value")
        size = (0 if key is None else len(key)) + (0 if value is None else len(value))
        stored_headers: Headers = ()
        if headers:
            stored_headers, header_size = header_tuple(headers)
            size += header_size
        config = t.config
        if timestamp is None or config.log_append_time:
            timestamp = self.clock()
            ts_type = (
                TIMESTAMP_LOG_APPEND_TIME
                if config.log_append_time
                else TIMESTAMP_CREATE_TIME
            )
        else:
            ts_type = TIMESTAMP_CREATE_TIME
        if (
            size > config.max_message_bytes
            or timestamp < 0
            or (key is None and config.compact)
        ):
            reject_record(topic, config, size, timestamp)
        if partition is None:
            partition = t.partition_for(key)
        elif not 0 <= partition < len(t.logs):
            raise UnknownTopicOrPartition(
                f"topic {topic!r} has no partition {partition} (it has {len(t.logs)})"
            )
        if transaction is not None:
            transaction.check_can_produce()
        log = t.logs[partition]
        offset = log.append(key, value, timestamp, ts_type, stored_headers, size)
        if transaction is not None:
            transaction.on_append(log, offset)
        if log.dirty >= log.compact_at:
            t.compact_partition(log, self.clock())
        return _new_metadata(
            RecordMetadata, (topic, partition, log.tp, offset, timestamp, ts_type)
        )

    def _auto_create(self, topic: str) -> MemoryTopic:
        if not self.auto_create_topics:
            raise UnknownTopicOrPartition(
                f"topic {topic!r} does not exist (auto_create_topics is off: "
                f"create it first)"
            )
        return self._new_topic(topic, None, None)

    # -- fetch ------------------------------------------------------------

    def fetch(
        self,
        tp: TP,
        offset: int,
        *,
        max_records: int = 500,
        max_bytes: int = 1_048_576,
        read_committed: bool = False,
        reset: OffsetReset | str = OffsetReset.ERROR,
    ) -> FetchResult:
        """Read records of one partition, from ``offset`` on.

        Arguments:
            tp: the partition.
            offset: first offset wanted.
            max_records: at most this many records (>= 1).
            max_bytes: at most this many payload bytes; the first record is
                returned whatever its size.
            read_committed: stop at the last stable offset and skip records
                of aborted transactions (else read up to the high watermark).
            reset: what to do when ``offset`` is below the log start or above
                the high watermark (see :class:`OffsetReset`).

        Returns:
            The records and the offsets of the partition; continue from
            ``next_offset``.

        Raises:
            OffsetOutOfRange: out of range with ``reset="error"``.
            UnknownTopicOrPartition: no such topic or partition.
            InvalidRequest: ``max_records`` < 1 or ``max_bytes`` < 0.
        """
        log = self.log(tp)
        if max_records < 1 or max_bytes < 0:
            raise InvalidRequest(
                f"max_records must be >= 1 and max_bytes >= 0, "
                f"not {max_records!r} and {max_bytes!r}"
            )
        reset_to = None
        if offset < log.log_start_offset or offset > log.high_watermark:
            policy = OffsetReset(reset)
            if policy is OffsetReset.ERROR:
                raise OffsetOutOfRange(
                    tp, offset, log.log_start_offset, log.high_watermark
                )
            if policy is OffsetReset.EARLIEST:
                offset = reset_to = log.log_start_offset
            else:
                offset = reset_to = log.end_offset(read_committed)
        records, next_offset = log.fetch(offset, max_records, max_bytes, read_committed)
        return FetchResult(
            records,
            next_offset,
            log.high_watermark,
            log.last_stable_offset,
            log.log_start_offset,
            reset_to,
        )

    def _ready(self, positions: Mapping[TP, int], read_committed: bool) -> set[TP]:
        ready: set[TP] = set()
        for tp, offset in positions.items():
            log = self._find_log(tp)
            if log is not None and (
                log.end_offset(read_committed) > offset
                or offset < log.log_start_offset
                or offset > log.high_watermark
            ):
                ready.add(tp)
        return ready

    async def wait_for_data(
        self,
        positions: Mapping[TP, int],
        timeout: float | None,
        *,
        read_committed: bool = False,
        member: GroupMember | None = None,
    ) -> set[TP]:
        """Long-poll: wait until some partition has data past its position.

        Returns at once when data is already there.  A partition also counts
        as ready when its position is out of range (the fetch will say so).

        Arguments:
            positions: ``{tp: next offset to read}``.
            timeout: seconds to wait at most; None waits without limit.
            read_committed: data means "below the last stable offset".
            member: also return (with whatever is ready, maybe nothing) as
                soon as this group member has a rebalance pending.

        Returns:
            The partitions that have data (empty on timeout, rebalance or
            close).
        """
        self._check_open()
        ready = self._ready(positions, read_committed)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not ready:
            if self.closed or (member is not None and member.rebalance_pending):
                break
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                break
            waitsets = [self._closing]
            for tp in positions:
                log = self._find_log(tp)
                waitsets.append(self._topology if log is None else log.waiters)
            if member is not None:
                waitsets.append(member.changed)
            if not await wait_any(waitsets, remaining):
                break
            ready = self._ready(positions, read_committed)
        return ready
