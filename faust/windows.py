"""Window strategies: which time ranges an event timestamp falls into.

A windowed table (``app.Table(...).tumbling(10)``) keeps one value per key
*and* window range; these classes compute the ranges. Times are float epoch
seconds; sizes and steps are numbers of seconds or
:class:`~datetime.timedelta` objects.

A window range is ``(start, end)`` with ``end = start + size - 0.1``, as in
Faust, so range keys written by Faust apps read back the same. Window starts
are multiples of the step (epoch aligned); for a size that is a multiple of
the step (every tumbling window, the usual hopping window) the ranges are
exactly Faust's.

``expires`` is how long a window is kept after the newest timestamp seen
moved past it; a table removes stale windows (and calls ``on_window_close``)
every ``table_cleanup_interval`` seconds.
"""

from __future__ import annotations

import math
from datetime import tzinfo
from typing import Optional

from mode import Seconds, want_seconds

from .types.windows import WindowRange, WindowT

__all__ = ["Window", "HoppingWindow", "TumblingWindow", "SlidingWindow"]


def _positive(name: str, value: Seconds) -> float:
    seconds = want_seconds(value)
    if not seconds > 0:  # also rejects NaN
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return seconds


def _expires(value: Optional[Seconds]) -> Optional[float]:
    return None if value is None else _positive("expires", value)


class Window(WindowT):
    """Base class of windows: subclass it to write your own strategy.

    A window implements :meth:`ranges`, :meth:`stale`, :meth:`current`,
    :meth:`earliest` and :meth:`delta`.
    """

    tz: Optional[tzinfo] = None


class HoppingWindow(Window):
    """Overlapping windows of ``size`` seconds, a new one every ``step``.

    Arguments:
        size: length of each window.
        step: seconds between the starts of consecutive windows.
        expires: keep a window about this long after the newest timestamp
            seen passed its end (None: keep forever).

    Example:
        >>> window = HoppingWindow(size=60, step=10)
        >>> [(r.start, r.end) for r in window.ranges(125)][:2]
        [(70.0, 129.9), (80.0, 139.9)]
    """

    def __init__(
        self, size: Seconds, step: Seconds, expires: Optional[Seconds] = None
    ) -> None:
        self.size = _positive("size", size)
        self.step = _positive("step", step)
        self.expires = _expires(expires)

    def _first(self, timestamp: float) -> int:
        # index of the oldest window with start <= timestamp < start + size;
        # checked against the start, as rounding may hide it in the division
        k = math.floor((timestamp - self.size) / self.step)
        if k * self.step + self.size <= timestamp:
            k += 1
        return k

    def _last(self, timestamp: float) -> int:
        # index of the newest window with start <= timestamp; checked against
        # the start, as the division may round (or underflow to -0.0) upwards
        k = math.floor(timestamp / self.step)
        if k * self.step > timestamp:
            k -= 1
        return k

    def ranges(self, timestamp: float) -> list[WindowRange]:
        """Every window that contains ``timestamp``, oldest first."""
        first, last = self._first(timestamp), self._last(timestamp)
        # events come in time order, mostly: consecutive ones fall in the
        # same windows, so the last answer is kept (a copy is returned)
        cached = self.__dict__.get("_last_ranges")
        if cached is not None and cached[0] == first and cached[1] == last:
            return list(cached[2])
        size, step = self.size, self.step
        ranges = tuple(
            WindowRange.from_start(float(k * step), size)
            for k in range(first, last + 1)
        )
        self.__dict__["_last_ranges"] = (first, last, ranges)
        return list(ranges)

    def current(self, timestamp: float) -> WindowRange:
        """The newest window containing ``timestamp``."""
        return WindowRange.from_start(
            float(self._last(timestamp) * self.step), self.size
        )

    def earliest(self, timestamp: float) -> WindowRange:
        """The oldest window containing ``timestamp``."""
        return WindowRange.from_start(
            float(self._first(timestamp) * self.step), self.size
        )

    def delta(self, timestamp: float, d: Seconds) -> WindowRange:
        """The newest window containing the time ``d`` seconds before ``timestamp``."""
        return self.current(timestamp - want_seconds(d))

    def stale(self, timestamp: float, latest_timestamp: float) -> bool:
        """True if a window ending at ``timestamp`` has expired.

        ``latest_timestamp`` is the newest timestamp seen. Without
        ``expires`` nothing is ever stale.
        """
        if self.expires is None:
            return False
        # the start of current(latest_timestamp - expires), without the range
        return timestamp <= float(
            self._last(latest_timestamp - self.expires) * self.step
        )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: size={self.size} step={self.step} "
            f"expires={self.expires}>"
        )


class TumblingWindow(HoppingWindow):
    """Consecutive windows of ``size`` seconds that do not overlap.

    Every timestamp is in exactly one window.

    Arguments:
        size: length of each window.
        expires: see :class:`HoppingWindow`.

    Example:
        >>> TumblingWindow(10).ranges(25)
        [WindowRange(start=20.0, end=29.9)]
    """

    def __init__(self, size: Seconds, expires: Optional[Seconds] = None) -> None:
        super().__init__(size, size, expires)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: size={self.size} expires={self.expires}>"


class SlidingWindow(Window):
    """A window around every event: ``before`` seconds before to ``after`` after.

    Arguments:
        before: seconds before the timestamp.
        after: seconds after the timestamp.
        expires: keep a window this long after the newest timestamp passed
            its end (required: sliding windows are per event, so keeping
            them forever would keep every event).

    Example:
        >>> SlidingWindow(before=5, after=5, expires=60).ranges(100)
        [WindowRange(start=95.0, end=105.0)]
    """

    def __init__(self, before: Seconds, after: Seconds, expires: Seconds) -> None:
        self.before = want_seconds(before)
        self.after = want_seconds(after)
        if self.before < 0 or self.after < 0 or not self.before + self.after > 0:
            raise ValueError(
                "SlidingWindow needs before >= 0 and after >= 0, not both zero "
                f"(got before={before!r}, after={after!r})"
            )
        self.expires = _positive("expires", expires)

    def ranges(self, timestamp: float) -> list[WindowRange]:
        """The one window of ``timestamp``."""
        return [self.current(timestamp)]

    def current(self, timestamp: float) -> WindowRange:
        """The window of ``timestamp``."""
        return WindowRange(
            start=float(timestamp - self.before), end=float(timestamp + self.after)
        )

    def earliest(self, timestamp: float) -> WindowRange:
        """The window of ``timestamp`` (there is only one)."""
        return self.current(timestamp)

    def delta(self, timestamp: float, d: Seconds) -> WindowRange:
        """The window of the time ``d`` seconds before ``timestamp``."""
        return self.current(timestamp - want_seconds(d))

    def stale(self, timestamp: float, latest_timestamp: float) -> bool:
        """True if a window ending at ``timestamp`` has expired."""
        assert self.expires is not None
        return timestamp <= latest_timestamp - self.expires

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: before={self.before} after={self.after} "
            f"expires={self.expires}>"
        )
