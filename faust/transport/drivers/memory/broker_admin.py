"""The in-memory broker's offset queries, maintenance, groups and transactions.

:class:`BrokerAdmin` is the second layer of :class:`~.broker.MemoryBroker`
(above :class:`~.broker_base.BrokerBase`): the calls that are not on the
produce/fetch hot path.  Group and transaction calls delegate to
:class:`~.groups.GroupCoordinator` and
:class:`~.transactions.TransactionCoordinator`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from faust.types.tuples import TP

from .broker_base import BrokerBase
from .broker_errors import OffsetOutOfRange
from .broker_types import (
    Assignor,
    GroupDescription,
    OffsetAndMetadata,
    OffsetAndTimestamp,
)
from .groups import GroupMember, OffsetsArg, topic_set
from .transactions import TransactionalProducer

if TYPE_CHECKING:  # pragma: no cover
    from .broker_topics import MemoryTopic

__all__ = ["BrokerAdmin"]


class BrokerAdmin(BrokerBase):
    """Offsets, maintenance, groups and transactions of ``MemoryBroker``."""

    # -- offsets ----------------------------------------------------------

    def end_offsets(
        self, tps: Iterable[TP], *, read_committed: bool = False
    ) -> dict[TP, int]:
        """Return each partition's end: high watermark, or last stable offset.

        Raises:
            UnknownTopicOrPartition: a partition does not exist.
        """
        return {tp: self.log(tp).end_offset(read_committed) for tp in tps}

    def beginning_offsets(self, tps: Iterable[TP]) -> dict[TP, int]:
        """Return each partition's log start offset.

        Raises:
            UnknownTopicOrPartition: a partition does not exist.
        """
        return {tp: self.log(tp).log_start_offset for tp in tps}

    def offset_for_time(self, tp: TP, timestamp: float) -> OffsetAndTimestamp | None:
        """Return the first record with a timestamp >= ``timestamp``, or None."""
        return self.log(tp).offset_for_time(timestamp)

    # -- maintenance ------------------------------------------------------

    def _selected(self, topic: str | None) -> list[MemoryTopic]:
        self._check_open()
        if topic is None:
            return list(self._topics.values())
        return [self._topic(topic)]

    def compact(self, topic: str | None = None) -> int:
        """Compact compacted topics now (all of them, or ``topic``).

        Keeps the latest record of each key, removes tombstones past
        ``delete.retention.ms`` and records of aborted transactions; offsets
        are kept (gaps).  Topics without ``compact`` policy are left alone.

        Returns:
            How many records were removed.
        """
        now = self.clock()
        return sum(t.compact(now) for t in self._selected(topic) if t.config.compact)

    def apply_retention(
        self, topic: str | None = None, *, now: float | None = None
    ) -> int:
        """Delete records older than ``retention.ms`` of ``delete`` topics.

        Call it periodically (the broker has no timer of its own).

        Returns:
            How many records were deleted (the log start offsets advance).
        """
        when = self.clock() if now is None else now
        return sum(t.expire(when) for t in self._selected(topic))

    def delete_records(self, tp: TP, before_offset: int) -> int:
        """Delete the records of ``tp`` below ``before_offset`` (Kafka's DeleteRecords).

        Arguments:
            tp: the partition.
            before_offset: the new log start offset; -1 means the high
                watermark.

        Returns:
            How many records were deleted.

        Raises:
            OffsetOutOfRange: ``before_offset`` is above the high watermark.
        """
        log = self.log(tp)
        if before_offset == -1:
            before_offset = log.high_watermark
        if not 0 <= before_offset <= log.high_watermark:
            raise OffsetOutOfRange(
                tp, before_offset, log.log_start_offset, log.high_watermark
            )
        return log.truncate_before(before_offset)

    def expire_transactions(self, *, now: float | None = None) -> int:
        """Abort and fence transactions open longer than their timeout.

        Returns:
            How many transactions were aborted.
        """
        self._check_open()
        return self.transactions.expire(self.clock() if now is None else now)

    # -- consumer groups --------------------------------------------------

    def join_group(
        self,
        group_id: str,
        topics: Iterable[str],
        *,
        metadata: bytes = b"",
        assignor: Assignor | None = None,
        client_id: str = "",
    ) -> GroupMember:
        """Add a member to a group, which rebalances at once.

        Arguments:
            group_id: the group (created on first join).
            topics: topics to subscribe to.  Unknown ones get no partitions
                until created (or are created now with
                ``auto_create_on_subscribe``).
            metadata: opaque bytes passed to the assignor.
            assignor: assignment function (default:
                :func:`~.broker_assignor.copartitioned_assignor`).  The group
                uses its leader's (oldest member's) assignor.
            client_id: prefix of the member id.

        Returns:
            The member; its first assignment is pending
            (``member.poll_rebalance()``).

        Raises:
            InvalidRequest: bad group id, topics, or assignor result (the
                member is then not added).
        """
        self._check_open()
        names = topic_set(topics)
        if self.auto_create_on_subscribe:
            for topic in sorted(names - self._topics.keys()):
                self.create_topic(topic)
        return self.groups.join(
            group_id, names, metadata=metadata, assignor=assignor, client_id=client_id
        )

    def leave_group(self, member: GroupMember) -> None:
        """Remove a member; the rest of its group rebalances (no-op if gone).

        The member gets a last pending rebalance revoking everything.
        """
        if not self.closed:
            self.groups.leave(member)

    def update_subscription(
        self,
        member: GroupMember,
        topics: Iterable[str],
        *,
        metadata: bytes | None = None,
    ) -> None:
        """Change a member's topics (and metadata); its group rebalances.

        Raises:
            UnknownMemberId: the member left.
        """
        self._check_open()
        self.groups.update_subscription(member, topics, metadata)

    def commit_offsets(
        self,
        group_id: str,
        offsets: OffsetsArg,
        *,
        member_id: str | None = None,
        generation: int | None = None,
    ) -> None:
        """Commit consumer offsets (all or nothing).

        Arguments:
            group_id: the group.
            offsets: ``{tp: next offset to read}`` or
                ``{tp: OffsetAndMetadata(offset, metadata)}``.
            member_id: the committing member; None only for a group without
                members (manual assignment).
            generation: the generation the committed work belongs to.

        Raises:
            IllegalGeneration: the group rebalanced since that generation:
                drop the work and take the new assignment.
            UnknownMemberId: the member is not in the group (or a member is
                needed because the group has members).
            UnknownTopicOrPartition: a partition does not exist.
            InvalidRequest: a negative or non-integer offset.
        """
        self._check_open()
        self.groups.commit(
            group_id, offsets, member_id=member_id, generation=generation
        )

    def committed_offsets(
        self, group_id: str, tps: Iterable[TP] | None = None
    ) -> dict[TP, OffsetAndMetadata]:
        """Return a group's committed offsets (of ``tps``, or all of them)."""
        self._check_open()
        return self.groups.committed(group_id, tps)

    def describe_group(self, group_id: str) -> GroupDescription | None:
        """Return a group's state, or None if it never existed."""
        self._check_open()
        group = self.groups.groups.get(group_id)
        return None if group is None else group.describe()

    def list_groups(self) -> list[str]:
        """Return the ids of every group that ever had a member or commit."""
        self._check_open()
        return list(self.groups.groups)

    # -- transactions -----------------------------------------------------

    def init_transactions(
        self, transactional_id: str, *, timeout: float | None = None
    ) -> TransactionalProducer:
        """Start a transactional producer session, fencing the previous one.

        Arguments:
            transactional_id: stable id of the producer (e.g. per partition).
            timeout: seconds a transaction may stay open before
                :meth:`expire_transactions` aborts it (default: the broker's
                ``transaction_timeout``).

        Returns:
            The producer; older sessions of the id now raise ``ProducerFenced``
            and their open transaction was aborted.
        """
        self._check_open()
        return self.transactions.init(
            transactional_id,
            self.transaction_timeout if timeout is None else timeout,
        )
