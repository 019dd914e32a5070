"""Read-ahead: records aiokafka handed over that faust has not delivered yet.

aiokafka fetches a partition again only once everything it buffered for it
was taken. Taking up to ``READ_AHEAD_RECORDS`` at once (instead of a batch
at a time) lets the next fetch travel while faust processes what was read
ahead, so the worker does not stall on the broker's round trip; the limit
keeps the decoded records bounded whatever a broker sends in one answer.

The buffer follows the consumer's state: a seek forgets the partition's
records (they were read from the old position), partitions no longer
assigned are dropped, and paused partitions keep their records until they
are resumed. ``first_offset`` tells the position faust really reached, for
recovery's "caught up" decisions.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Optional

from ....types import TP

__all__ = ["ReadAhead"]


class _Pending:
    __slots__ = ("records", "start")

    def __init__(self, records: list[Any]) -> None:
        self.records = records
        self.start = 0

    def __len__(self) -> int:
        return len(self.records) - self.start


class ReadAhead:
    """Per-partition records waiting to be delivered, in offset order."""

    def __init__(self) -> None:
        self._pending: dict[TP, _Pending] = {}

    def add(self, tp: TP, records: list[Any]) -> None:
        """Append fetched records of ``tp``."""
        pending = self._pending.get(tp)
        if pending is None:
            self._pending[tp] = _Pending(list(records))
        else:
            pending.records = pending.records[pending.start :] + list(records)
            pending.start = 0

    def has_records(self, partitions: Collection[TP]) -> bool:
        """True if any of ``partitions`` has records waiting."""
        pending = self._pending
        return any(tp in pending for tp in partitions)

    def without_records(self, partitions: Collection[TP]) -> set[TP]:
        """The ``partitions`` that have no records waiting."""
        pending = self._pending
        return {tp for tp in partitions if tp not in pending}

    def take(
        self, active: Collection[TP], assigned: Collection[TP], limit: int
    ) -> dict[TP, list[Any]]:
        """Up to ``limit`` records of the ``active`` partitions, shared fairly.

        Records of partitions no longer ``assigned`` are dropped.
        """
        pending = self._pending
        for tp in [tp for tp in pending if tp not in assigned]:
            del pending[tp]
        ready = [tp for tp in pending if tp in active]
        if not ready:
            return {}
        share = max(limit // len(ready), 1)
        out: dict[TP, list[Any]] = {}
        for tp in ready:
            entry = pending[tp]
            start = entry.start
            end = min(start + share, len(entry.records))
            out[tp] = entry.records[start:end]
            if end >= len(entry.records):
                del pending[tp]
            else:
                entry.start = end
        return out

    def first_offset(self, tp: TP) -> Optional[int]:
        """Offset of the first record of ``tp`` not delivered yet."""
        entry = self._pending.get(tp)
        if entry is None:
            return None
        return int(entry.records[entry.start].offset)

    def forget(self, tp: TP) -> None:
        """Drop the records of ``tp`` (after a seek)."""
        self._pending.pop(tp, None)

    def clear(self) -> None:
        """Drop everything."""
        self._pending.clear()

    def __len__(self) -> int:
        return sum(len(entry) for entry in self._pending.values())
