"""Assignment of one group of co-partitioned topics: the pure algorithm.

Topics with the same number of partitions, subscribed by the same members,
are co-partitioned: partition *p* of each of them goes to the same member, so
a table's changelog partition lives with the source partition that fills it
and joins see matching keys. The algorithm therefore deals in partition
numbers ``0..N-1`` and members ``m1..mk``:

Actives (every partition has exactly one owner):
  - balance: each member gets ``floor(N/k)`` or ``ceil(N/k)`` partitions; the
    extra ones go to the members with the least ``load`` (partitions taken in
    earlier groups), then by member id;
  - stickiness: a member keeps what it owned, as far as balance allows;
  - warm takeover: an orphaned partition goes first to a member that was its
    standby (it already has the table state).

Standbys (``replicas`` copies of each partition, capped at ``k - 1``):
  - never on the partition's active owner, never twice on one member;
  - sticky (kept where they were), and a member that just lost a partition
    keeps it as standby (its state is warm);
  - spread as evenly as those rules allow.

The result depends only on the input (sorted iteration, no randomness).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Optional

from .client_assignment import CopartitionedAssignment

__all__ = ["CopartitionedAssignor"]


class _Quota:
    """Counts per member against ``base`` each plus ``extra`` one-more slots."""

    __slots__ = ("base", "extra", "counts")

    def __init__(self, members: Iterable[str], total: int, n_members: int) -> None:
        self.base, self.extra = divmod(total, n_members)
        self.counts = dict.fromkeys(members, 0)

    def can_take(self, member: str) -> bool:
        count = self.counts[member]
        return count < self.base or (count == self.base and self.extra > 0)

    def take(self, member: str) -> None:
        count = self.counts[member]
        if count == self.base and self.extra > 0:
            self.extra -= 1
        self.counts[member] = count + 1


class CopartitionedAssignor:
    """Assign partition numbers of one co-partitioned topic group.

    Arguments:
        topics: the topics of the group.
        cluster_asgn: ``{member_id: previous assignment}`` of every member
            eligible for this group (subscribed to all its topics).
        num_partitions: partitions of each topic of the group.
        replicas: standby copies wanted per partition.
        load: ``{member_id: partitions assigned so far}`` across groups;
            updated with this group's actives (optional).
    """

    def __init__(
        self,
        topics: Iterable[str],
        cluster_asgn: Mapping[str, CopartitionedAssignment],
        num_partitions: int,
        replicas: int,
        load: Optional[MutableMapping[str, int]] = None,
    ) -> None:
        if num_partitions < 0 or replicas < 0:
            raise ValueError("num_partitions and replicas must not be negative")
        self.topics = frozenset(topics)
        self.previous = dict(cluster_asgn)
        self.members = sorted(self.previous)
        self.num_partitions = num_partitions
        self.replicas = min(replicas, max(len(self.members) - 1, 0))
        self.load: MutableMapping[str, int] = load if load is not None else {}

    def get_assignment(self) -> dict[str, CopartitionedAssignment]:
        """The new assignment of every eligible member."""
        result = {m: CopartitionedAssignment(topics=self.topics) for m in self.members}
        if not self.members or not self.num_partitions:
            return result
        owners = self._assign_actives()
        for partition, member in owners.items():
            result[member].actives.add(partition)
            self.load[member] = self.load.get(member, 0) + len(self.topics)
        if self.replicas:
            for partition, holders in self._assign_standbys(owners).items():
                for member in holders:
                    result[member].standbys.add(partition)
        return result

    # -- actives -----------------------------------------------------------

    def _previous_actives(self, member: str) -> list[int]:
        n = self.num_partitions
        return sorted(p for p in self.previous[member].actives if p < n)

    def _assign_actives(self) -> dict[int, str]:
        members = self.members
        quota = _Quota(members, self.num_partitions, len(members))
        owners: dict[int, str] = {}
        self._keep_actives(quota, owners)
        # warm takeover: orphans go to a member that was their standby
        for p in range(self.num_partitions):
            if p in owners:
                continue
            warm = [m for m in members if p in self.previous[m].standbys]
            warm = [m for m in warm if quota.can_take(m)]
            if warm:
                member = min(warm, key=self._load_key(quota))
                quota.take(member)
                owners[p] = member
        for p in range(self.num_partitions):
            if p not in owners:
                free = [m for m in members if quota.can_take(m)]
                member = min(free, key=self._load_key(quota))
                quota.take(member)
                owners[p] = member
        return owners

    def _keep_actives(self, quota: _Quota, owners: dict[int, str]) -> None:
        # sticky: first everyone keeps up to the base share, then the extras
        members = self.members
        for member in members:
            for p in self._previous_actives(member):
                if p not in owners and quota.counts[member] < quota.base:
                    quota.take(member)
                    owners[p] = member
        for member in sorted(members, key=self._load_key(quota)):
            for p in self._previous_actives(member):
                if p not in owners and quota.can_take(member):
                    quota.take(member)
                    owners[p] = member

    def _load_key(self, quota: _Quota) -> _LoadKey:
        return _LoadKey(quota.counts, self.load)

    # -- standbys ----------------------------------------------------------

    def _assign_standbys(self, owners: Mapping[int, str]) -> dict[int, list[str]]:
        members = self.members
        n = self.num_partitions
        wanted = self.replicas
        quota = _Quota(members, n * wanted, len(members))
        holders: dict[int, list[str]] = {p: [] for p in range(n)}

        def eligible(p: int, member: str) -> bool:
            held = holders[p]
            return owners[p] != member and member not in held and len(held) < wanted

        def give(p: int, member: str) -> None:
            quota.take(member)
            holders[p].append(member)

        # sticky: keep standbys, then let former owners keep their warm state
        for member in members:
            for p in sorted(self.previous[member].standbys):
                if p < n and eligible(p, member) and quota.can_take(member):
                    give(p, member)
        for member in members:
            for p in self._previous_actives(member):
                if eligible(p, member) and quota.can_take(member):
                    give(p, member)
        for p in range(n):
            while len(holders[p]) < wanted:
                candidates = [m for m in members if eligible(p, m)]
                within = [m for m in candidates if quota.can_take(m)]
                pool = within or candidates
                give(p, min(pool, key=lambda m: (quota.counts[m], m)))
        return holders


class _LoadKey:
    """Sort key: fewest partitions in this group, then least load, then id."""

    __slots__ = ("counts", "load")

    def __init__(self, counts: Mapping[str, int], load: Mapping[str, int]) -> None:
        self.counts = counts
        self.load = load

    def __call__(self, member: str) -> tuple[int, int, str]:
        return (self.counts[member], self.load.get(member, 0), member)
