"""Window interface: how timestamps map to window ranges."""

from __future__ import annotations

import abc
from datetime import tzinfo
from typing import NamedTuple, Optional

from mode import Seconds

__all__ = ["WindowRange", "WindowT"]


class WindowRange(NamedTuple):
    """``(start, end)`` of a window in epoch seconds."""

    start: float
    end: float

    @classmethod
    def from_start(cls, start: float, size: float) -> WindowRange:
        """Build the range of a window of ``size`` seconds starting at ``start``."""
        return cls(start=start, end=start + size - 0.1)


class WindowT(abc.ABC):
    """A windowing strategy."""

    expires: Optional[float] = None
    tz: Optional[tzinfo] = None

    @abc.abstractmethod
    def ranges(self, timestamp: float) -> list[WindowRange]: ...

    @abc.abstractmethod
    def stale(self, timestamp: float, latest_timestamp: float) -> bool: ...

    @abc.abstractmethod
    def current(self, timestamp: float) -> WindowRange: ...

    @abc.abstractmethod
    def earliest(self, timestamp: float) -> WindowRange: ...

    @abc.abstractmethod
    def delta(self, timestamp: float, d: Seconds) -> WindowRange: ...
