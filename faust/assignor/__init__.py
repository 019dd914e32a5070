"""Partition assignment and leader election."""

from __future__ import annotations

from .leader_assignor import LeaderAssignor

__all__ = ["LeaderAssignor"]
