"""Run the app's partition assignor (``app.assignor``) inside the embedded broker.

The ``memory://`` broker calls an assignor function with every member's
subscription and metadata bytes; :func:`app_assignor` wraps the app's
:class:`~faust.assignor.PartitionAssignor` (the ``faust`` group protocol used
on Kafka) in that signature, so ``memory://`` apps get the same assignment:
co-partitioned, sticky, with ``table_standby_replicas`` standbys and global
tables everywhere, and the same ``app.assignor`` metadata for the router.

Members send :meth:`~faust.assignor.PartitionAssignor.metadata_bytes` (their
URL and current assignment); the consumer refreshes it after every rebalance
it applies, as a Kafka client does on each join. An assignor without the
transport-neutral methods (a custom ``PartitionAssignor`` setting) is not
used: the broker's own co-partitioning assignor is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from faust.types.tuples import TP

from .broker_types import Assignor, MemberAssignment, MemberSubscription

__all__ = ["app_assignor", "on_assignment", "member_metadata"]


def app_assignor(assignor: Any) -> Optional[Assignor]:
    """The broker assignor function for ``app.assignor`` (None: unsupported)."""
    assign_members = getattr(assignor, "assign_members", None)
    if assign_members is None or not hasattr(assignor, "on_assignment_data"):
        return None

    def assign(
        members: Mapping[str, MemberSubscription], partitions: Mapping[str, int]
    ) -> dict[str, MemberAssignment]:
        result = assign_members(
            {mid: (sub.topics, sub.metadata) for mid, sub in members.items()},
            partitions.get,
        )
        return {
            mid: MemberAssignment(
                frozenset(TP(t, p) for t, parts in assigned for p in parts), user_data
            )
            for mid, (assigned, user_data) in result.items()
        }

    return assign


def member_metadata(assignor: Any) -> bytes:
    """What this member tells the group leader (empty if unsupported)."""
    metadata_bytes = getattr(assignor, "metadata_bytes", None)
    return bytes(metadata_bytes()) if metadata_bytes is not None else b""


def on_assignment(assignor: Any, assignment: frozenset[TP], user_data: bytes) -> None:
    """Hand a received assignment to ``app.assignor`` (if it wants it)."""
    receive = getattr(assignor, "on_assignment_data", None)
    if receive is not None and user_data:
        receive(assignment, user_data)
