"""Progress of long work (table recovery), as numbers, a bar and a line.

:class:`faust.tables.recovery.Recovery` builds a :class:`Progress` on every
check; the worker shows it to a person: :func:`progress_bar` rewritten in
place on a terminal, :func:`progress_line` as a log line every few seconds
otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, NamedTuple, Optional

__all__ = [
    "Progress",
    "ProgressDisplay",
    "format_seconds",
    "progress_bar",
    "progress_line",
]


class Progress(NamedTuple):
    """A snapshot of table recovery."""

    #: Changelog partitions to recover.
    partitions_total: int
    #: Of those, the ones not complete yet.
    partitions_left: int
    #: Changelog records applied so far.
    records_applied: int
    #: Records left before the high watermarks.
    records_remaining: int
    #: Seconds since recovery started.
    elapsed: float
    #: True once every partition is complete.
    done: bool = False

    @property
    def records_total(self) -> int:
        """Records applied plus records remaining."""
        return self.records_applied + self.records_remaining

    @property
    def fraction(self) -> float:
        """Part of the records done, 0.0 to 1.0 (1.0 when done)."""
        if self.done:
            return 1.0
        total = self.records_total
        return self.records_applied / total if total else 0.0

    @property
    def rate(self) -> float:
        """Records applied per second so far."""
        return self.records_applied / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the first record)."""
        rate = self.rate
        return self.records_remaining / rate if rate > 0 else None


def format_seconds(seconds: float | None) -> str:
    """Format a duration as ``1h02m``, ``3m07s`` or ``12s`` (``?`` if None)."""
    if seconds is None:
        return "?"
    secs = int(round(seconds))
    if secs >= 3600:
        return f"{secs // 3600}h{secs % 3600 // 60:02d}m"
    if secs >= 60:
        return f"{secs // 60}m{secs % 60:02d}s"
    return f"{secs}s"


def _counts(progress: Progress) -> str:
    done = progress.partitions_total - progress.partitions_left
    return (
        f"{done}/{progress.partitions_total} partitions, "
        f"{progress.records_applied:,}/{progress.records_total:,} records, "
        f"{progress.rate:,.0f} records/s"
    )


def progress_line(progress: Progress) -> str:
    """One line for a log: counts, rate, and the ETA or the total time.

    Example:
        >>> progress_line(Progress(8, 3, 1500, 500, 3.0))
        'Recovering tables: 75% (5/8 partitions, 1,500/2,000 records, 500 records/s), ETA 1s'
    """  # noqa: E501 - the doctest output is one line
    percent = f"{progress.fraction * 100:.0f}%"
    if progress.done:
        return (
            f"Tables recovered: {_counts(progress)} "
            f"in {format_seconds(progress.elapsed)}"
        )
    eta = format_seconds(progress.eta)
    return f"Recovering tables: {percent} ({_counts(progress)}), ETA {eta}"


def progress_bar(progress: Progress, width: int = 24) -> str:
    """A one-line bar for a terminal, rewritten in place as work goes on.

    Example:
        >>> progress_bar(Progress(8, 3, 1500, 500, 3.0), width=10)
        'recovering tables [#######...]  75% 5/8 partitions, 1,500/2,000 records, 500 records/s, ETA 1s'
    """  # noqa: E501 - the doctest output is one line
    filled = int(progress.fraction * width)
    bar = "#" * filled + "." * (width - filled)
    percent = f"{progress.fraction * 100:3.0f}%"
    tail = (
        f"in {format_seconds(progress.elapsed)}"
        if progress.done
        else f"ETA {format_seconds(progress.eta)}"
    )
    return f"recovering tables [{bar}] {percent} {_counts(progress)}, {tail}"


class ProgressDisplay:
    """Show :class:`Progress` snapshots to a person.

    With ``stream`` (a terminal) every snapshot redraws one line in place,
    after ``prefix``; the last one (``done``) writes the summary followed by
    ``done_end`` (the worker uses ``", "`` while its ``starting... ready``
    status line is open, so that ``ready`` follows). Without it, ``log`` gets
    :func:`progress_line` every ``interval`` seconds, the first after
    ``interval`` seconds (a quick recovery logs nothing), and the summary
    when done if anything was logged before.

    Arguments:
        stream: the terminal to draw on, or None to log.
        log: called with each log line (when ``stream`` is None).
        prefix: text kept at the start of the terminal line.
        done_end: written after the summary on the terminal.
        interval: seconds between two log lines.
        clock: time source (seconds).
    """

    def __init__(
        self,
        *,
        stream: Optional[IO[str]] = None,
        log: Optional[Callable[[str], None]] = None,
        prefix: str = "",
        done_end: str = "\n",
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.log = log
        self.prefix = prefix
        self.done_end = done_end
        self.interval = interval
        self.clock = clock
        self._next_log: Optional[float] = None
        self._logged = False

    def __call__(self, progress: Progress) -> None:
        """Show one snapshot."""
        if self.stream is not None:
            self._draw(progress)
        elif self.log is not None:
            self._log(progress)

    def _draw(self, progress: Progress) -> None:
        assert self.stream is not None
        if progress.done:
            line = progress_line(progress)
            summary = line[0].lower() + line[1:]
            text = f"\r\x1b[K{self.prefix}{summary}{self.done_end}"
        else:
            text = f"\r\x1b[K{self.prefix}{progress_bar(progress)}"
        self.stream.write(text)
        self.stream.flush()

    def _log(self, progress: Progress) -> None:
        assert self.log is not None
        now = self.clock()
        if progress.done:
            if self._logged:
                self.log(progress_line(progress))
            self._next_log, self._logged = None, False
            return
        if self._next_log is None:
            self._next_log = now + self.interval
        if now >= self._next_log:
            self._next_log = now + self.interval
            self._logged = True
            self.log(progress_line(progress))
