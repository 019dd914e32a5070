"""What the partition assignor knows about one member of the group.

A member tells the group leader what it owned before (its
:class:`ClientAssignment`, for stickiness) and where other workers can reach
it (``canonical_url``, for table routing); the leader answers with the new
assignment plus the cluster-wide changelog distribution. Both travel as
:class:`ClientMetadata` JSON in the ``user_data`` bytes of the Kafka group
protocol, in the format Faust uses (field names ``assignment``, ``url``,
``changelog_distribution``, ``topic_groups``; an assignment is
``{"actives": {topic: [partition, ...]}, "standbys": {...}}``), so the
metadata of workers running Faust and this library are understood both ways.

:class:`CopartitionedAssignment` is the working view of one member within one
group of co-partitioned topics: partition *numbers* only, since every topic
of the group gets the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from ..types import TP
from ..types.assignor import HostToPartitionMap

__all__ = ["ClientAssignment", "ClientMetadata", "CopartitionedAssignment"]

#: ``{topic: [partitions]}``
TopicToPartitionMap = dict[str, list[int]]


class CopartitionedAssignment:
    """Active and standby partition numbers of one member in one topic group.

    Arguments:
        actives: partition numbers the member processes.
        standbys: partition numbers the member keeps a warm copy of.
        topics: the co-partitioned topics these numbers apply to.
    """

    __slots__ = ("actives", "standbys", "topics")

    def __init__(
        self,
        actives: Optional[Iterable[int]] = None,
        standbys: Optional[Iterable[int]] = None,
        topics: Optional[Iterable[str]] = None,
    ) -> None:
        self.actives: set[int] = set(actives or ())
        self.standbys: set[int] = set(standbys or ())
        self.topics: frozenset[str] = frozenset(topics or ())

    def validate(self) -> None:
        """A partition is never both active and standby: the active wins."""
        self.standbys.difference_update(self.actives)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CopartitionedAssignment):
            return NotImplemented
        return (self.actives, self.standbys, self.topics) == (
            other.actives,
            other.standbys,
            other.topics,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} actives={sorted(self.actives)} "
            f"standbys={sorted(self.standbys)} topics={sorted(self.topics)}>"
        )


def _partition_map(data: Any) -> TopicToPartitionMap:
    if not isinstance(data, Mapping):
        return {}
    return {str(topic): sorted(int(p) for p in parts) for topic, parts in data.items()}


class ClientAssignment:
    """Active and standby partitions of one member, per topic.

    Arguments:
        actives: ``{topic: [partitions]}`` the member processes.
        standbys: ``{topic: [partitions]}`` of table changelogs the member
            keeps up to date as a standby replica.
    """

    __slots__ = ("actives", "standbys")

    def __init__(
        self,
        actives: Optional[Mapping[str, Iterable[int]]] = None,
        standbys: Optional[Mapping[str, Iterable[int]]] = None,
    ) -> None:
        self.actives: TopicToPartitionMap = {
            t: sorted(ps) for t, ps in (actives or {}).items()
        }
        self.standbys: TopicToPartitionMap = {
            t: sorted(ps) for t, ps in (standbys or {}).items()
        }

    @property
    def active_tps(self) -> set[TP]:
        """Active partitions as :class:`~faust.types.TP`."""
        return _tps(self.actives)

    @property
    def standby_tps(self) -> set[TP]:
        """Standby partitions as :class:`~faust.types.TP`."""
        return _tps(self.standbys)

    def kafka_protocol_assignment(
        self, changelog_topics: Iterable[str]
    ) -> list[tuple[str, list[int]]]:
        """The partitions the consumer reads: actives plus changelog standbys.

        Standbys of other topics are bookkeeping only (they say which member
        would take over) and are not consumed.
        """
        changelogs = set(changelog_topics)
        merged: dict[str, set[int]] = {t: set(ps) for t, ps in self.actives.items()}
        for topic, partitions in self.standbys.items():
            if topic in changelogs and partitions:
                merged.setdefault(topic, set()).update(partitions)
        return sorted((t, sorted(ps)) for t, ps in merged.items() if ps)

    def add_copartitioned_assignment(self, assignment: CopartitionedAssignment) -> None:
        """Record a topic group's assignment for each of its topics."""
        actives = sorted(assignment.actives)
        standbys = sorted(assignment.standbys)
        for topic in assignment.topics:
            self.actives[topic] = list(actives)
            self.standbys[topic] = list(standbys)

    def copartitioned_assignment(
        self, topics: Iterable[str]
    ) -> CopartitionedAssignment:
        """What this member owned of a topic group (for stickiness).

        The group's topics may have changed since; the first topic (in sorted
        order) the member owned partitions of speaks for the group.
        """
        ordered = sorted(topics)
        actives = next((self.actives[t] for t in ordered if self.actives.get(t)), [])
        standbys = next((self.standbys[t] for t in ordered if self.standbys.get(t)), [])
        assignment = CopartitionedAssignment(actives, standbys, ordered)
        assignment.validate()
        return assignment

    def asdict(self) -> dict[str, Any]:
        """The JSON-ready form."""
        return {"actives": self.actives, "standbys": self.standbys}

    @classmethod
    def from_data(cls, data: Any) -> ClientAssignment:
        """Build from the JSON form (unknown keys are ignored)."""
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            _partition_map(data.get("actives")), _partition_map(data.get("standbys"))
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClientAssignment):
            return NotImplemented
        return self.active_tps == other.active_tps and (
            self.standby_tps == other.standby_tps
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} actives={self.actives} standbys={self.standbys}>"
        )


def _tps(mapping: Mapping[str, Iterable[int]]) -> set[TP]:
    return {TP(topic, p) for topic, partitions in mapping.items() for p in partitions}


class ClientMetadata:
    """A member's assignment, URL and the cluster's changelog distribution.

    Arguments:
        assignment: the member's assignment.
        url: the member's ``canonical_url``.
        changelog_distribution: ``{url: {changelog_topic: [active partitions]}}``
            of every member (filled in by the leader).
        topic_groups: ``{topic: group number}`` of co-partitioned topic groups.
        external_topic_distribution: ``{url: {topic: [active partitions]}}`` of
            the other (non-changelog) topics, for ``@app.topic_route``.
    """

    __slots__ = (
        "assignment",
        "url",
        "changelog_distribution",
        "topic_groups",
        "external_topic_distribution",
    )

    def __init__(
        self,
        assignment: ClientAssignment,
        url: str,
        changelog_distribution: Optional[HostToPartitionMap] = None,
        topic_groups: Optional[Mapping[str, int]] = None,
        external_topic_distribution: Optional[HostToPartitionMap] = None,
    ) -> None:
        self.assignment = assignment
        self.url = url
        self.external_topic_distribution: HostToPartitionMap = dict(
            external_topic_distribution or {}
        )
        self.changelog_distribution: HostToPartitionMap = dict(
            changelog_distribution or {}
        )
        self.topic_groups: dict[str, int] = dict(topic_groups or {})

    def dumps(self) -> bytes:
        """Serialize to JSON bytes."""
        return json.dumps(
            {
                "assignment": self.assignment.asdict(),
                "url": self.url,
                "changelog_distribution": self.changelog_distribution,
                "external_topic_distribution": self.external_topic_distribution,
                "topic_groups": self.topic_groups,
            },
            separators=(",", ":"),
            sort_keys=True,
        ).encode()

    @classmethod
    def loads(cls, data: bytes) -> ClientMetadata:
        """Parse JSON bytes (as written by this library or by Faust).

        Raises:
            ValueError: the bytes are not client metadata.
        """
        try:
            obj = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"Not faust client metadata: {exc}") from exc
        if not isinstance(obj, Mapping):
            raise ValueError("Not faust client metadata: expected a JSON object")
        distribution = obj.get("changelog_distribution") or {}
        external = obj.get("external_topic_distribution") or {}
        groups = obj.get("topic_groups") or {}
        return cls(
            assignment=ClientAssignment.from_data(obj.get("assignment")),
            url=str(obj.get("url") or ""),
            changelog_distribution={
                str(url): _partition_map(topics) for url, topics in distribution.items()
            }
            if isinstance(distribution, Mapping)
            else {},
            topic_groups={str(t): int(g) for t, g in groups.items()}
            if isinstance(groups, Mapping)
            else {},
            external_topic_distribution={
                str(url): _partition_map(topics) for url, topics in external.items()
            }
            if isinstance(external, Mapping)
            else {},
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} url={self.url!r} {self.assignment!r}>"
