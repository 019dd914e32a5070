"""The ``faust`` consumer group protocol: Faust's partition assignor.

The Kafka client of every worker offers this assignor when joining the
group. Each member sends :meth:`PartitionAssignor.metadata`: its subscribed
topics plus :class:`~.client_assignment.ClientMetadata` (what it owned, its
``canonical_url``). The member elected leader runs
:meth:`PartitionAssignor.assign` over everybody's metadata:

1. topics are grouped into co-partitioned groups (same partition count, same
   subscribers), numbered in a stable order (``topic_groups``);
2. each group is assigned by
   :class:`~.copartitioned_assignor.CopartitionedAssignor` (balanced, sticky,
   ``table_standby_replicas`` standbys on other members);
3. changelogs of global tables are given to every subscribed member in full
   (actives it owns, every other partition as standby);
4. every member gets its partitions (actives, plus standbys of changelog
   topics) and, zlib-compressed, the metadata of the whole cluster, which
   :meth:`PartitionAssignor.on_assignment` keeps for the router
   (:meth:`~faust.app.router.Router.key_store`,
   :meth:`~faust.app.router.Router.table_metadata`) and the tables
   (:meth:`assigned_actives`, :meth:`assigned_standbys`).

The assignment itself (:meth:`PartitionAssignor.assign_members`) works on
plain values, so the embedded ``memory://`` broker can use it too.
"""

from __future__ import annotations

import logging
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Optional

from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)
from yarl import URL

from ..types import TP, AppT
from ..types.assignor import HostToPartitionMap, PartitionAssignorT
from .client_assignment import ClientAssignment, ClientMetadata
from .cluster_assignment import ClusterAssignment
from .copartitioned_assignor import CopartitionedAssignor

__all__ = ["PartitionAssignor"]

logger = logging.getLogger(__name__)

#: ``{member_id: (subscribed topics, metadata user_data)}``
MemberSubscriptions = Mapping[str, tuple[Iterable[str], bytes]]
#: ``{member_id: (assigned partitions, assignment user_data)}``
MemberAssignments = dict[str, tuple[list[tuple[str, list[int]]], bytes]]


class PartitionAssignor(
    AbstractPartitionAssignor,  # type: ignore[misc]  # aiokafka has no type hints
    PartitionAssignorT,
):
    """Faust's sticky, co-partitioning assignor with standby replicas.

    Arguments:
        app: the app (``app.assignor``).
        replicas: standby replicas of each table changelog partition
            (``table_standby_replicas``).
    """

    #: Version of the group protocol metadata (Faust 0.x sends 4).
    protocol_version = 4

    def __init__(self, app: AppT, replicas: int = 0) -> None:
        self.app = app
        self.replicas = replicas
        self._assignment = ClientAssignment()
        self._active_tps: set[TP] = set()
        self._standby_tps: set[TP] = set()
        self._changelog_distribution: HostToPartitionMap = {}
        self._tps_url: dict[TP, str] = {}
        self._external_distribution: HostToPartitionMap = {}
        self._external_tps_url: dict[TP, str] = {}
        self._topic_groups: dict[str, int] = {}

    # -- the Kafka client's assignor protocol ------------------------------

    @property
    def name(self) -> str:
        """The group protocol name: ``faust``."""
        return "faust"

    @property
    def version(self) -> int:
        """The group protocol metadata version."""
        return self.protocol_version

    def metadata(self, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata:
        """What this member sends when joining: topics and client metadata."""
        return ConsumerProtocolMemberMetadata(
            self.version, sorted(topics), self.metadata_bytes()
        )

    def metadata_bytes(self) -> bytes:
        """This member's :class:`ClientMetadata` (previous assignment, URL)."""
        return ClientMetadata(
            assignment=self._assignment,
            url=self._url,
            changelog_distribution=self._changelog_distribution,
            topic_groups=self._topic_groups,
        ).dumps()

    def assign(
        self, cluster: Any, member_metadata: Mapping[str, Any]
    ) -> dict[str, ConsumerProtocolMemberAssignment]:
        """Assign partitions to every member (runs on the group leader).

        Arguments:
            cluster: the client's ``ClusterMetadata`` (partition counts).
            member_metadata: ``{member_id: ConsumerProtocolMemberMetadata}``.
        """

        def partitions_of(topic: str) -> Optional[int]:
            parts = cluster.partitions_for_topic(topic)
            return len(parts) if parts else None

        members = {
            member_id: (list(md.subscription), bytes(md.user_data or b""))
            for member_id, md in member_metadata.items()
        }
        result = self.assign_members(members, partitions_of)
        return {
            member_id: ConsumerProtocolMemberAssignment(
                self.version, partitions, user_data
            )
            for member_id, (partitions, user_data) in result.items()
        }

    def on_assignment(self, assignment: Any) -> None:
        """Keep what the leader assigned to this member."""
        self.on_assignment_data(
            [TP(topic, p) for topic, parts in assignment.assignment for p in parts],
            bytes(assignment.user_data or b""),
        )

    # -- transport-neutral core --------------------------------------------

    def assign_members(
        self,
        members: MemberSubscriptions,
        partitions_of: Callable[[str], Optional[int]],
    ) -> MemberAssignments:
        """Assign partitions to members, given their subscriptions and metadata.

        Arguments:
            members: ``{member_id: (topics, metadata bytes)}``; bytes that
                are not faust client metadata count as "owned nothing".
            partitions_of: partition count of a topic (None: no such topic).

        Returns:
            ``{member_id: ([(topic, [partitions])], user_data)}``.
        """
        sensors = self.app.sensors
        state = sensors.on_assignment_start(self)
        try:
            result = self._assign_members(members, partitions_of)
        except Exception as exc:
            sensors.on_assignment_error(self, state, exc)
            raise
        sensors.on_assignment_completed(self, state)
        return result

    def _assign_members(
        self,
        members: MemberSubscriptions,
        partitions_of: Callable[[str], Optional[int]],
    ) -> MemberAssignments:
        cluster = ClusterAssignment()
        urls: dict[str, str] = {}
        for member_id, (topics, user_data) in members.items():
            metadata = _client_metadata(member_id, user_data)
            cluster.add_client(member_id, topics, metadata)
            urls[member_id] = metadata.url
        counts = {t: n for t in cluster.topics() if (n := partitions_of(t))}
        assignments = {m: ClientAssignment() for m in members}
        groups = _copartitioned_groups(cluster.subscriptions, counts)
        topic_groups: dict[str, int] = {}
        load: dict[str, int] = {}
        for group_id, (num_partitions, topics) in enumerate(groups):
            topic_groups.update(dict.fromkeys(topics, group_id))
            replicas = self.replicas if self._has_changelog(topics) else 0
            assignor = CopartitionedAssignor(
                topics,
                cluster.copartitioned_assignments(topics),
                num_partitions,
                replicas,
                load=load,
            )
            for member, copart in assignor.get_assignment().items():
                assignments[member].add_copartitioned_assignment(copart)
        self._add_global_standbys(assignments, cluster.subscriptions, counts)
        changelogs = self._changelog_topics()
        distribution = {
            urls[m]: {t: list(ps) for t, ps in a.actives.items() if t in changelogs}
            for m, a in assignments.items()
        }
        external = {
            urls[m]: {t: list(ps) for t, ps in a.actives.items() if t not in changelogs}
            for m, a in assignments.items()
        }
        return {
            member: (
                assignment.kafka_protocol_assignment(changelogs),
                zlib.compress(
                    ClientMetadata(
                        assignment, urls[member], distribution, topic_groups, external
                    ).dumps()
                ),
            )
            for member, assignment in assignments.items()
        }

    def on_assignment_data(self, partitions: Iterable[TP], user_data: bytes) -> None:
        """Keep an assignment received from the leader.

        Arguments:
            partitions: the partitions the consumer was given.
            user_data: the zlib-compressed :class:`ClientMetadata`; if it
                cannot be read, every partition counts as active.
        """
        partitions = list(partitions)
        try:
            metadata = ClientMetadata.loads(zlib.decompress(user_data))
        except (zlib.error, ValueError) as exc:
            logger.warning(
                "Assignment carries no faust metadata (%r): treating all "
                "%d assigned partitions as actives, without standbys",
                exc,
                len(partitions),
            )
            metadata = ClientMetadata(
                ClientAssignment(_topic_map(partitions)), self._url
            )
        self._assignment = metadata.assignment
        self._active_tps = metadata.assignment.active_tps
        self._standby_tps = {
            tp
            for tp in metadata.assignment.standby_tps
            if tp.topic in self._changelog_topics()
        }
        self._topic_groups = dict(metadata.topic_groups)
        self.changelog_distribution = metadata.changelog_distribution
        self._external_distribution = metadata.external_topic_distribution
        self._external_tps_url = _tps_url(metadata.external_topic_distribution)

    # -- helpers -----------------------------------------------------------

    @property
    def _url(self) -> str:
        return str(self.app.conf.canonical_url)

    def _changelog_topics(self) -> set[str]:
        return set(self.app.tables.changelog_topics)

    def _has_changelog(self, topics: Iterable[str]) -> bool:
        return not self._changelog_topics().isdisjoint(topics)

    def _global_changelog_topics(self) -> set[str]:
        names: set[str] = set()
        for table in self.app.tables.values():
            if getattr(table, "is_global", False):
                names.update(table.changelog_topic.topics)
        return names

    def _add_global_standbys(
        self,
        assignments: Mapping[str, ClientAssignment],
        subscriptions: Mapping[str, Iterable[str]],
        counts: Mapping[str, int],
    ) -> None:
        # every subscriber keeps the whole of a global table: all partitions
        # it does not own are standbys
        for topic in self._global_changelog_topics():
            n = counts.get(topic)
            if not n:
                continue
            for member, assignment in assignments.items():
                if topic in subscriptions.get(member, ()):
                    actives = set(assignment.actives.get(topic, ()))
                    assignment.standbys[topic] = [
                        p for p in range(n) if p not in actives
                    ]

    # -- introspection (router, tables, web) -------------------------------

    @property
    def changelog_distribution(self) -> HostToPartitionMap:
        """``{url: {changelog_topic: [active partitions]}}`` of the cluster."""
        return self._changelog_distribution

    @changelog_distribution.setter
    def changelog_distribution(self, value: HostToPartitionMap) -> None:
        self._changelog_distribution = value
        self._tps_url = _tps_url(value)

    def group_for_topic(self, topic: str) -> int:
        """The number of the co-partitioned group ``topic`` belongs to.

        Raises:
            KeyError: the topic was not part of the last assignment.
        """
        return self._topic_groups[topic]

    def assigned_actives(self) -> set[TP]:
        """Partitions this worker processes."""
        return set(self._active_tps)

    def assigned_standbys(self) -> set[TP]:
        """Changelog partitions this worker keeps as a standby replica."""
        return set(self._standby_tps)

    def is_active(self, tp: TP) -> bool:
        """True if ``tp`` is one of this worker's active partitions."""
        return tp in self._active_tps

    def is_standby(self, tp: TP) -> bool:
        """True if ``tp`` is one of this worker's standby partitions."""
        return tp in self._standby_tps

    def key_store(self, topic: str, key: bytes) -> URL:
        """URL of the worker owning ``key`` of ``topic`` (changelog or other).

        Raises:
            KeyError: no worker owns the key's partition (e.g. during a
                rebalance).
        """
        found = self.app.producer.key_partition(topic, key)
        tp = TP(found.topic, found.partition)
        url = self._tps_url.get(tp) or self._external_tps_url.get(tp)
        if url is None:
            raise KeyError(tp)
        return URL(url)

    def external_topics_metadata(self) -> HostToPartitionMap:
        """``{url: {topic: [partitions]}}`` of the non-changelog topics."""
        return self._external_distribution

    def table_metadata(self, topic: str) -> HostToPartitionMap:
        """``{url: {topic: [partitions]}}`` of one changelog topic."""
        return {
            url: {t: ps for t, ps in topics.items() if t == topic}
            for url, topics in self._changelog_distribution.items()
        }

    def tables_metadata(self) -> HostToPartitionMap:
        """``{url: {changelog_topic: [partitions]}}`` of every table."""
        return self._changelog_distribution

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: actives={len(self._active_tps)} "
            f"standbys={len(self._standby_tps)}>"
        )


def _tps_url(distribution: HostToPartitionMap) -> dict[TP, str]:
    return {
        TP(topic, p): url
        for url, topics in distribution.items()
        for topic, partitions in topics.items()
        for p in partitions
    }


def _client_metadata(member_id: str, user_data: bytes) -> ClientMetadata:
    if user_data:
        try:
            return ClientMetadata.loads(user_data)
        except ValueError as exc:
            logger.warning("Ignoring unreadable metadata of %s: %s", member_id, exc)
    return ClientMetadata(ClientAssignment(), "")


def _topic_map(partitions: Iterable[TP]) -> dict[str, list[int]]:
    result: dict[str, list[int]] = defaultdict(list)
    for tp in partitions:
        result[tp.topic].append(tp.partition)
    return dict(result)


def _copartitioned_groups(
    subscriptions: Mapping[str, Iterable[str]], counts: Mapping[str, int]
) -> list[tuple[int, list[str]]]:
    """``(partitions, topics)`` per group, ordered by partitions then topics."""
    subscribers: dict[str, set[str]] = defaultdict(set)
    for member, topics in subscriptions.items():
        for topic in topics:
            subscribers[topic].add(member)
    groups: dict[tuple[int, tuple[str, ...]], list[str]] = defaultdict(list)
    for topic, n in counts.items():
        groups[(n, tuple(sorted(subscribers[topic])))].append(topic)
    ordered = sorted((n, sorted(topics)) for (n, _), topics in groups.items())
    for topic in sorted(set(subscribers) - set(counts)):
        logger.info("Topic %r does not exist (yet): it gets no partitions", topic)
    return ordered
