"""Consumer groups of the in-memory broker.

A member joins a group with the topics it subscribes to; every membership
change (join, leave, new subscription) and every change of a subscribed topic
(created, deleted, more partitions) rebalances the group at once: the
generation goes up by one and the assignor computes every member's new
assignment.  Each :class:`GroupMember` then has a pending :class:`Rebalance`
that it collects with :meth:`GroupMember.poll_rebalance` or awaits with
:meth:`GroupMember.wait_for_rebalance`; its ``revoked``/``assigned`` sets are
relative to what the member collected last, however many generations passed.

Offsets are committed per ``(group, TP)``.  A commit names the member and
the generation its work belongs to; once the group moved on to a newer
generation the commit is refused with :class:`IllegalGeneration`, so a member
never commits for partitions it may have lost.  Commits naming no member are
accepted only while the group has no members (Kafka's rule for "simple"
consumers that do not use group management).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from faust.types.tuples import TP

from .broker_assignor import copartitioned_assignor
from .broker_errors import (
    IllegalGeneration,
    InvalidRequest,
    UnknownMemberId,
    UnknownTopicOrPartition,
)
from .broker_member import GroupMember
from .broker_types import (
    Assignor,
    GroupDescription,
    MemberAssignment,
    MemberDescription,
    MemberSubscription,
    OffsetAndMetadata,
)

__all__ = [
    "GroupMember",
    "ConsumerGroup",
    "GroupCoordinator",
    "OffsetsArg",
    "topic_set",
]

_EMPTY: frozenset[TP] = frozenset()

#: Offsets to commit: ``{tp: offset}`` or ``{tp: OffsetAndMetadata}``.
OffsetsArg = Mapping[TP, int | OffsetAndMetadata]


class ConsumerGroup:
    """A group: its members, generation, assignor and committed offsets."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        #: Members in join order; the first is the leader.
        self.members: dict[str, GroupMember] = {}
        self.assignors: dict[str, Assignor] = {}
        self.generation = 0
        self.offsets: dict[TP, OffsetAndMetadata] = {}

    @property
    def leader(self) -> str | None:
        """The oldest member's id, whose assignor the group uses."""
        return next(iter(self.members), None)

    def rebalance(self, partitions_of: Callable[[str], int | None]) -> None:
        """Compute and hand out a new generation of assignments."""
        leader = self.leader
        if leader is None:
            self.generation += 1
            return
        members = self.members
        topics = sorted({t for m in members.values() for t in m.topics})
        counts = {t: n for t in topics if (n := partitions_of(t))}
        subscriptions = {
            mid: MemberSubscription(m.topics, m.metadata, m.assignment)
            for mid, m in members.items()
        }
        result = self.assignors[leader](subscriptions, counts)
        assignments = {
            mid: self._checked(mid, assignment, counts)
            for mid, assignment in result.items()
        }
        self.generation += 1
        empty = MemberAssignment(_EMPTY)
        for mid, member in members.items():
            member._assign(self.generation, assignments.get(mid, empty))

    def _checked(
        self,
        member_id: str,
        assignment: MemberAssignment | Iterable[TP],
        counts: Mapping[str, int],
    ) -> MemberAssignment:
        if member_id not in self.members:
            raise InvalidRequest(
                f"assignor of group {self.group_id!r} assigned partitions "
                f"to unknown member {member_id!r}"
            )
        if not isinstance(assignment, MemberAssignment):
            assignment = MemberAssignment(frozenset(assignment))
        for tp in assignment.partitions:
            if not 0 <= tp.partition < counts.get(tp.topic, 0):
                raise InvalidRequest(
                    f"assignor of group {self.group_id!r} assigned {tp} "
                    f"which is not a partition of a subscribed topic"
                )
        return assignment

    def check_member(self, member_id: str | None, generation: int | None) -> None:
        """Raise unless a commit by this member and generation is allowed."""
        if member_id is None:
            if generation is not None:
                raise InvalidRequest("a generation needs a member_id")
            if self.members:
                raise UnknownMemberId(
                    f"group {self.group_id!r} has members: commits must name "
                    f"a member and its generation"
                )
            return
        if member_id not in self.members:
            raise UnknownMemberId(
                f"{member_id!r} is not a member of group {self.group_id!r} "
                f"(it left or never joined); join again"
            )
        if generation != self.generation:
            raise IllegalGeneration(
                self.group_id,
                member_id,
                -1 if generation is None else generation,
                self.generation,
            )

    def describe(self) -> GroupDescription:
        """Return the group's state."""
        return GroupDescription(
            self.group_id,
            self.generation,
            "Stable" if self.members else "Empty",
            self.leader,
            {
                mid: MemberDescription(mid, m.client_id, m.topics, m.assignment)
                for mid, m in self.members.items()
            },
        )


class GroupCoordinator:
    """All consumer groups of one broker.

    Arguments:
        partitions_of: returns a topic's partition count, or None if the
            topic does not exist.
    """

    def __init__(self, partitions_of: Callable[[str], int | None]) -> None:
        self.partitions_of = partitions_of
        self.groups: dict[str, ConsumerGroup] = {}
        self._next_member = 0

    def get_or_create(self, group_id: str) -> ConsumerGroup:
        """Return the group, creating it (empty) on first use."""
        group = self.groups.get(group_id)
        if group is None:
            if not isinstance(group_id, str) or not group_id:
                raise InvalidRequest(f"invalid group id {group_id!r}")
            group = self.groups[group_id] = ConsumerGroup(group_id)
        return group

    def join(
        self,
        group_id: str,
        topics: Iterable[str],
        *,
        metadata: bytes = b"",
        assignor: Assignor | None = None,
        client_id: str = "",
    ) -> GroupMember:
        """Add a member and rebalance (see ``MemoryBroker.join_group``)."""
        group = self.get_or_create(group_id)
        self._next_member += 1
        member_id = f"{client_id or 'consumer'}-{self._next_member}"
        member = GroupMember(
            group_id, member_id, client_id, topic_set(topics), bytes(metadata)
        )
        group.members[member_id] = member
        group.assignors[member_id] = assignor or copartitioned_assignor
        try:
            group.rebalance(self.partitions_of)
        except BaseException:
            del group.members[member_id]
            del group.assignors[member_id]
            raise
        return member

    def leave(self, member: GroupMember) -> None:
        """Remove a member (no-op if gone) and rebalance the rest."""
        group = self.groups.get(member.group_id)
        if group is None or group.members.get(member.member_id) is not member:
            return
        del group.members[member.member_id]
        del group.assignors[member.member_id]
        member.active = False
        member._assign(-1, MemberAssignment(_EMPTY))
        group.rebalance(self.partitions_of)

    def update_subscription(
        self,
        member: GroupMember,
        topics: Iterable[str],
        metadata: bytes | None = None,
    ) -> None:
        """Change a member's topics (and metadata) and rebalance."""
        group = self.groups.get(member.group_id)
        if group is None or group.members.get(member.member_id) is not member:
            raise UnknownMemberId(f"{member.member_id!r} left its group")
        member.topics = topic_set(topics)
        if metadata is not None:
            member.metadata = bytes(metadata)
        group.rebalance(self.partitions_of)

    def on_topic_changed(self, topic: str) -> None:
        """Rebalance every group with a member subscribed to ``topic``."""
        for group in self.groups.values():
            if any(topic in m.topics for m in group.members.values()):
                group.rebalance(self.partitions_of)

    def forget_topic(self, topic: str) -> None:
        """Drop committed offsets of a deleted topic."""
        for group in self.groups.values():
            for tp in [tp for tp in group.offsets if tp.topic == topic]:
                del group.offsets[tp]

    def commit(
        self,
        group_id: str,
        offsets: OffsetsArg,
        *,
        member_id: str | None = None,
        generation: int | None = None,
    ) -> None:
        """Validate, then store offsets (all or nothing)."""
        group = self.get_or_create(group_id)
        group.check_member(member_id, generation)
        group.offsets.update(self.normalize_offsets(offsets))

    def normalize_offsets(self, offsets: OffsetsArg) -> dict[TP, OffsetAndMetadata]:
        """Return offsets as :class:`OffsetAndMetadata`, or raise if invalid."""
        result: dict[TP, OffsetAndMetadata] = {}
        for tp, value in offsets.items():
            count = self.partitions_of(tp.topic)
            if count is None or not 0 <= tp.partition < count:
                raise UnknownTopicOrPartition(f"cannot commit offset of unknown {tp}")
            if not isinstance(value, OffsetAndMetadata):
                value = OffsetAndMetadata(value)
            if (
                not isinstance(value.offset, int)
                or isinstance(value.offset, bool)
                or value.offset < 0
            ):
                raise InvalidRequest(f"invalid offset {value.offset!r} for {tp}")
            result[tp] = value
        return result

    def committed(
        self, group_id: str, tps: Iterable[TP] | None = None
    ) -> dict[TP, OffsetAndMetadata]:
        """Return committed offsets (only partitions that have one)."""
        group = self.groups.get(group_id)
        if group is None:
            return {}
        if tps is None:
            return dict(group.offsets)
        offsets = group.offsets
        return {tp: offsets[tp] for tp in tps if tp in offsets}

    def close(self) -> None:
        """Deactivate every member and wake their waiters."""
        for group in self.groups.values():
            for member in group.members.values():
                member.active = False
                member._assign(-1, MemberAssignment(_EMPTY))
            group.members.clear()
            group.assignors.clear()


def topic_set(topics: Iterable[str]) -> frozenset[str]:
    """Return topic names as a frozenset (rejecting a lone string)."""
    if isinstance(topics, str):
        raise InvalidRequest(f"topics must be a collection of names, not {topics!r}")
    return frozenset(topics)
