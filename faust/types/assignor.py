"""Assignor interfaces: partition assignment and leader election."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from mode import ServiceT
from yarl import URL

from .tuples import TP

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = [
    "PartitionAssignorT",
    "LeaderAssignorT",
    "HostToPartitionMap",
    "TopicToPartitionMap",
]

#: ``{topic: [partitions]}``
TopicToPartitionMap = dict[str, list[int]]
#: ``{worker_url: {topic: [partitions]}}``
HostToPartitionMap = dict[str, TopicToPartitionMap]


class PartitionAssignorT(abc.ABC):
    """Assigns partitions to the members of the consumer group."""

    replicas: int
    app: AppT

    @abc.abstractmethod
    def group_for_topic(self, topic: str) -> int: ...

    @abc.abstractmethod
    def assigned_standbys(self) -> set[TP]: ...

    @abc.abstractmethod
    def assigned_actives(self) -> set[TP]: ...

    @abc.abstractmethod
    def is_active(self, tp: TP) -> bool: ...

    @abc.abstractmethod
    def is_standby(self, tp: TP) -> bool: ...

    @abc.abstractmethod
    def key_store(self, topic: str, key: bytes) -> URL: ...

    @abc.abstractmethod
    def table_metadata(self, topic: str) -> HostToPartitionMap: ...

    @abc.abstractmethod
    def tables_metadata(self) -> HostToPartitionMap: ...


class LeaderAssignorT(ServiceT):
    """Elects the leader worker through a one-partition topic."""

    app: AppT

    @abc.abstractmethod
    def is_leader(self) -> bool: ...

    @abc.abstractmethod
    def leader_topic_name(self) -> str: ...

    @property
    @abc.abstractmethod
    def leader_topic(self) -> Any: ...
