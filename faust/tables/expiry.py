"""Which windows of a windowed table expire, and when.

Time is event time: per changelog partition, the newest timestamp written
(:meth:`WindowExpiry.observe`). A window is stale when the window strategy
says so for that timestamp (``window.stale(window_end, latest)``). Stale
windows are removed by the table's cleaner every ``table_cleanup_interval``
seconds, which also calls ``on_window_close``; writes that would land in a
stale window are dropped (they arrived too late).

After recovery the index is rebuilt from the store; the newest timestamp of
a partition is then taken from the newest window start, which is never later
than the real one, so recovery never closes a window early.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from ..types.windows import WindowT

__all__ = ["WindowExpiry"]


class WindowExpiry:
    """Expiry index of one windowed table.

    Arguments:
        window: the table's window strategy.
    """

    def __init__(self, window: WindowT) -> None:
        self.window = window
        #: newest timestamp seen, per changelog partition
        self.latest: dict[int, float] = {}
        self._ends: dict[int, list[float]] = {}
        self._keys: dict[tuple[int, float], set[Any]] = {}

    def observe(self, partition: int, timestamp: float) -> None:
        """A write with event time ``timestamp`` happened in ``partition``."""
        latest = self.latest.get(partition)
        if latest is None or timestamp > latest:
            self.latest[partition] = timestamp

    def is_stale(self, partition: int, window_end: float) -> bool:
        """True if the window ending at ``window_end`` already expired."""
        latest = self.latest.get(partition)
        return latest is not None and self.window.stale(window_end, latest)

    def track(self, partition: int, key: Any) -> None:
        """Remember windowed ``key`` (``(key, (start, end))``) of ``partition``."""
        end = key[1][1]
        bucket = self._keys.get((partition, end))
        if bucket is None:
            bucket = self._keys[(partition, end)] = set()
            heapq.heappush(self._ends.setdefault(partition, []), end)
        bucket.add(key)

    def expired(self, partitions: Iterable[int]) -> Iterator[tuple[int, Any]]:
        """Take the stale keys of ``partitions`` out of the index, oldest first."""
        stale = self.window.stale
        for partition in partitions:
            latest = self.latest.get(partition)
            ends = self._ends.get(partition)
            if latest is None or not ends:
                continue
            while ends and stale(ends[0], latest):
                end = heapq.heappop(ends)
                for key in sorted(self._keys.pop((partition, end), ()), key=repr):
                    yield partition, key

    def rebuild(self, keys: Iterable[tuple[int, Any]]) -> None:
        """Index recovered ``(partition, windowed key)`` pairs."""
        for partition, key in keys:
            try:
                start, _ = float(key[1][0]), float(key[1][1])
            except (TypeError, ValueError, IndexError, KeyError):
                continue  # not a windowed key: nothing to expire
            self.track(partition, key)
            self.observe(partition, start)

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop the index of ``partitions`` (no longer written here)."""
        drop = set(partitions)
        for partition in drop:
            self._ends.pop(partition, None)
            self.latest.pop(partition, None)
        for bucket in [b for b in self._keys if b[0] in drop]:
            del self._keys[bucket]

    def reset(self) -> None:
        """Forget everything."""
        self.latest.clear()
        self._ends.clear()
        self._keys.clear()

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._keys.values())
