"""How a running worker sets up Python's cyclic garbage collector.

What was built to start (modules, the app and its services) lives as long
as the process, so it is frozen out of the collector's scans, which then
look only at what events create. Events in flight (read ahead, queued,
waiting for the broker's acknowledgement) outlive a few hundred
allocations, so with Python's default thresholds most of them would be
traced two or three times and promoted to the old generation, whose full
collections trace each of them again.

A young collection runs once the count of container objects allocated
minus those freed since the last one reaches the threshold; frees of
objects older than the last collection do not lower it. So a threshold
below what a busy worker keeps in flight (tens of thousands of objects:
queued events, messages waiting for their acknowledgement) makes
collections follow each other, each tracing everything in flight again; a
threshold above it makes them rare. A running worker's is 100,000 net
allocations instead of 700. The per-event path makes no reference cycles,
so little waits for the collector meanwhile. Thresholds the user set are
left alone. See docs/devguide/benchmarks.rst for the figures.
"""

from __future__ import annotations

import gc

__all__ = ["PYTHON_THRESHOLD", "WORKER_THRESHOLD", "tune_for_running", "untune"]

#: Python's default thresholds.
PYTHON_THRESHOLD = (700, 10, 10)
#: A running worker's.
WORKER_THRESHOLD = (100_000, 10, 10)


def tune_for_running() -> None:
    """Freeze what exists now; collect young garbage less often."""
    gc.freeze()
    if gc.get_threshold() == PYTHON_THRESHOLD:
        gc.set_threshold(*WORKER_THRESHOLD)


def untune() -> None:
    """Undo :func:`tune_for_running` (the worker is stopping)."""
    gc.unfreeze()
    if gc.get_threshold() == WORKER_THRESHOLD:
        gc.set_threshold(*PYTHON_THRESHOLD)
