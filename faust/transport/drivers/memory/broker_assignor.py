"""The in-memory broker's default partition assignor.

:func:`copartitioned_assignor` has the :data:`~.broker_types.Assignor`
signature.  It:

- co-partitions: topics with the same partition count and the same
  subscribers form one group, and partition *p* of every topic of a group goes
  to the same member (what Faust needs for joins and tables);
- spreads evenly: within a group each eligible member gets either
  ``floor(n/k)`` or ``ceil(n/k)`` partition numbers, and the extra ones go to
  the members with the fewest partitions overall;
- is sticky: a member keeps the partition numbers it owned (``owned`` in its
  subscription) as long as that keeps the spread even, so a rebalance moves
  as few partitions as it can;
- is deterministic: the same input always gives the same output.
"""

from __future__ import annotations

from collections.abc import Mapping

from faust.types.tuples import TP

from .broker_types import MemberAssignment, MemberSubscription

__all__ = ["copartitioned_assignor"]


def _copartition_groups(
    members: Mapping[str, MemberSubscription], partitions_per_topic: Mapping[str, int]
) -> list[tuple[list[str], int, list[str]]]:
    """Return ``(topics, partition_count, subscribers)`` groups, sorted."""
    groups: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for topic in sorted(partitions_per_topic):
        count = partitions_per_topic[topic]
        subscribers = tuple(sorted(m for m, s in members.items() if topic in s.topics))
        if count > 0 and subscribers:
            groups.setdefault((count, subscribers), []).append(topic)
    return [
        (topics, count, list(subscribers))
        for (count, subscribers), topics in sorted(
            groups.items(), key=lambda item: (-item[0][0] * len(item[1]), item[1])
        )
    ]


def _previous_owner(
    members: Mapping[str, MemberSubscription],
    topics: list[str],
    count: int,
    eligible: list[str],
) -> dict[int, str]:
    """Map partition numbers to the member that owned them (first topic wins)."""
    rank = {topic: i for i, topic in enumerate(topics)}
    best: dict[int, tuple[int, str]] = {}
    for member in eligible:
        for tp in members[member].owned:
            r = rank.get(tp.topic)
            if r is not None and tp.partition < count:
                current = best.get(tp.partition)
                if current is None or r < current[0]:
                    best[tp.partition] = (r, member)
    return {partition: member for partition, (_, member) in best.items()}


def _assign_group(
    members: Mapping[str, MemberSubscription],
    topics: list[str],
    count: int,
    eligible: list[str],
    load: dict[str, int],
    result: dict[str, set[TP]],
) -> None:
    floor, extra = divmod(count, len(eligible))
    taken = dict.fromkeys(eligible, 0)
    owner_of: dict[int, str] = {}

    def can_take(member: str) -> bool:
        return taken[member] < floor or (taken[member] == floor and extra > 0)

    def give(partition: int, member: str) -> None:
        nonlocal extra
        if taken[member] == floor:
            extra -= 1
        taken[member] += 1
        load[member] += len(topics)
        owner_of[partition] = member

    previous = _previous_owner(members, topics, count, eligible)
    for partition in range(count):  # sticky pass
        owner = previous.get(partition)
        if owner is not None and can_take(owner):
            give(partition, owner)
    for partition in range(count):
        if partition not in owner_of:
            member = min(
                (m for m in eligible if can_take(m)),
                key=lambda m: (taken[m], load[m], m),
            )
            give(partition, member)
    for partition, member in owner_of.items():
        result[member].update(TP(topic, partition) for topic in topics)


def copartitioned_assignor(
    members: Mapping[str, MemberSubscription], partitions_per_topic: Mapping[str, int]
) -> dict[str, MemberAssignment]:
    """Assign partitions evenly, co-partitioned and sticky (see module doc).

    Arguments:
        members: member id -> subscription.
        partitions_per_topic: partition count of each subscribed topic.

    Returns:
        member id -> assignment, for every member (empty ones included).
    """
    result: dict[str, set[TP]] = {member: set() for member in members}
    load = dict.fromkeys(members, 0)
    for topics, count, eligible in _copartition_groups(members, partitions_per_topic):
        _assign_group(members, topics, count, eligible, load, result)
    return {
        member: MemberAssignment(frozenset(partitions))
        for member, partitions in result.items()
    }
