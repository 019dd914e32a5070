"""A consumer group member as the in-memory broker sees it.

The group (:mod:`.groups`) hands each member its assignment per generation;
the member keeps what it last *collected*, so that
:meth:`GroupMember.poll_rebalance` can describe every change since then as one
:class:`~.broker_types.Rebalance`, however many generations went by.
"""

from __future__ import annotations

from faust.types.tuples import TP

from .broker_types import MemberAssignment, Rebalance
from .broker_wait import WaitSet, wait_any

__all__ = ["GroupMember"]

_EMPTY: frozenset[TP] = frozenset()


class GroupMember:
    """One member of a consumer group, as the broker sees it.

    Read its state from the attributes; collect assignment changes with
    :meth:`poll_rebalance` or :meth:`wait_for_rebalance`.  Leave with
    ``MemoryBroker.leave_group(member)``.
    """

    __slots__ = (
        "group_id",
        "member_id",
        "client_id",
        "topics",
        "metadata",
        "active",
        "generation",
        "assignment",
        "user_data",
        "changed",
        "_acked",
        "_acked_generation",
        "_removed",
    )

    def __init__(
        self,
        group_id: str,
        member_id: str,
        client_id: str,
        topics: frozenset[str],
        metadata: bytes,
    ) -> None:
        self.group_id = group_id
        self.member_id = member_id
        self.client_id = client_id
        self.topics = topics
        self.metadata = metadata
        #: False once the member left (or the broker closed).
        self.active = True
        #: The group generation of ``assignment`` (-1 once inactive).
        self.generation = 0
        self.assignment: frozenset[TP] = _EMPTY
        self.user_data = b""
        #: Woken on every assignment change (for long polls).
        self.changed = WaitSet()
        self._acked: frozenset[TP] = _EMPTY
        self._acked_generation = 0
        self._removed: set[TP] = set()

    def __repr__(self) -> str:
        return (
            f"<GroupMember {self.member_id!r} group={self.group_id!r} "
            f"generation={self.generation} partitions={len(self.assignment)}>"
        )

    @property
    def rebalance_pending(self) -> bool:
        """True if the assignment changed since the last poll."""
        return self.generation != self._acked_generation

    def poll_rebalance(self) -> Rebalance | None:
        """Collect the assignment change, if any, since the last call.

        Returns:
            The change (and marks it seen), or None if nothing changed.
        """
        if self.generation == self._acked_generation:
            return None
        previous = self._acked
        revoked = previous & self._removed
        assigned = self.assignment - (previous - revoked)
        self._acked = self.assignment
        self._acked_generation = self.generation
        self._removed = set()
        return Rebalance(
            self.generation,
            self.assignment,
            previous,
            frozenset(revoked),
            frozenset(assigned),
            self.user_data,
        )

    async def wait_for_rebalance(
        self, timeout: float | None = None
    ) -> Rebalance | None:
        """Wait for the next assignment change and collect it.

        Returns at once when a change is already pending.

        Arguments:
            timeout: seconds to wait at most (None: no limit).

        Returns:
            The change, or None on timeout or when the member is inactive.
        """
        if not self.rebalance_pending and self.active:
            await wait_any((self.changed,), timeout)
        return self.poll_rebalance()

    def _assign(self, generation: int, assignment: MemberAssignment) -> None:
        self._removed |= self.assignment - assignment.partitions
        self.generation = generation
        self.assignment = assignment.partitions
        self.user_data = assignment.user_data
        self.changed.wake()
