"""The group leader's view of every member: subscriptions and past assignments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Optional

from .client_assignment import ClientAssignment, ClientMetadata, CopartitionedAssignment

__all__ = ["ClusterAssignment"]


class ClusterAssignment:
    """Subscriptions and previous assignments of the members of a group.

    Arguments:
        subscriptions: ``{member_id: [topics]}``.
        assignments: ``{member_id: ClientAssignment}`` (what each owned).
    """

    def __init__(
        self,
        subscriptions: Optional[Mapping[str, Iterable[str]]] = None,
        assignments: Optional[Mapping[str, ClientAssignment]] = None,
    ) -> None:
        self.subscriptions: dict[str, list[str]] = {
            m: sorted(set(ts)) for m, ts in (subscriptions or {}).items()
        }
        self.assignments: dict[str, ClientAssignment] = dict(assignments or {})

    def add_client(
        self, member_id: str, subscription: Iterable[str], metadata: ClientMetadata
    ) -> None:
        """Add a member with its subscription and metadata."""
        self.subscriptions[member_id] = sorted(set(subscription))
        self.assignments[member_id] = metadata.assignment

    def topics(self) -> set[str]:
        """Every topic some member subscribes to."""
        return {topic for topics in self.subscriptions.values() for topic in topics}

    def copartitioned_assignments(
        self, topics: Iterable[str]
    ) -> dict[str, CopartitionedAssignment]:
        """Previous assignments in a topic group, of members subscribed to all of it."""
        wanted = set(topics)
        return {
            member: self.assignments.get(
                member, ClientAssignment()
            ).copartitioned_assignment(wanted)
            for member, subscription in self.subscriptions.items()
            if wanted.issubset(subscription)
        }
