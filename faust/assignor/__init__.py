"""Partition assignment and leader election."""

from __future__ import annotations

from .client_assignment import ClientAssignment, ClientMetadata, CopartitionedAssignment
from .cluster_assignment import ClusterAssignment
from .copartitioned_assignor import CopartitionedAssignor
from .leader_assignor import LeaderAssignor
from .partition_assignor import PartitionAssignor

__all__ = [
    "ClientAssignment",
    "ClientMetadata",
    "ClusterAssignment",
    "CopartitionedAssignment",
    "CopartitionedAssignor",
    "LeaderAssignor",
    "PartitionAssignor",
]
