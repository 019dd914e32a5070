"""What S9 and S10 share: a meter read at several points of one run.

S9 and S10 measure how the cost grows with the work, so one run is read at
several points rather than repeated at every size. S9's ``BENCH_EXTRA``
is ``POINTS:KEYS``, for example ``100000,1000000,5000000:1000000``: the
events at which to read the meter, and how many distinct keys the input
cycles over (S10's is ``CHANGELOG:RECORDS:KEYS``, one point per run).
At each point the meter flushes the producer (the fair meter of
``common.py``: every changelog write acknowledged) and records the events so
far, the seconds since the first event, the CPU seconds, and the current and
peak RSS. The result file holds every point under ``points``. A scenario
may pass a ``probe`` that adds its own figures to each point (S9: where the
resident memory is, see :func:`rocksdb_memory`).

``BENCH_TABLE_OPTIONS`` (JSON, experiments only) is passed to the table as
its store ``options``, for example ``{"write_buffer_size": 8388608}``.

With a ``memory://`` broker (ours only) the scenario fills its own input in
the process before the worker starts, as ``common.py`` does for S1-S6.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from scenarios.common import BROKER, Meter, _write

#: the table's store options (RocksDB settings), for experiments
TABLE_OPTIONS = json.loads(os.environ.get("BENCH_TABLE_OPTIONS") or "{}")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kb() -> int:
    """The current resident set of this process (Linux), in KiB."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE_KB
    except OSError:  # not Linux: the peak is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def parse_points(extra: str) -> tuple[list[int], int]:
    """``'100,1000:500'`` -> the points ``[100, 1000]`` and 500 keys."""
    points, _, keys = extra.partition(":")
    return [int(p) for p in points.split(",") if p] or [1000], int(keys or 10**6)


class CurveMeter(Meter):
    """A :class:`~scenarios.common.Meter` read at every one of ``POINTS``."""

    def __init__(
        self, points: list[int], probe: Callable[[], dict[str, int]] | None = None
    ) -> None:
        super().__init__(points[-1])
        self.marks = set(points)
        self.rows: list[dict[str, Any]] = []
        self.probe = probe

    def tick(self) -> bool:
        """Count one event; True at a point (then ``await point(app)``)."""
        n = self.n = self.n + 1
        if n == 1:
            self.begin()
        return n in self.marks

    async def point(self, app: Any) -> None:
        """Read the meter now; write the result at the last point."""
        processed = time.perf_counter() - self.t0
        await app.producer.flush()
        self.rows.append(
            {
                "events": self.n,
                "seconds": time.perf_counter() - self.t0,
                "processed_seconds": processed,
                "cpu": time.process_time() - self.c0,
                "rss_kb": rss_kb(),
                "maxrss_kb": peak_rss_kb(),
                "py_blocks": sys.getallocatedblocks(),
                **(self.probe() if self.probe else {}),
            }
        )
        if self.n == self.expected:
            last = self.rows[-1]
            _write(
                {
                    "events": self.n,
                    "seconds": last["seconds"],
                    "processed_seconds": processed,
                    "cpu": last["cpu"],
                    "first_event_after": self.first,
                    "points": self.rows,
                }
            )


#: RocksDB's figures of where a database's memory is, in bytes
ROCKSDB_MEMORY = {
    "memtables": "rocksdb.cur-size-all-mem-tables",
    "block_cache": "rocksdb.block-cache-usage",
    "table_readers": "rocksdb.estimate-table-readers-mem",
}


def rocksdb_memory(table: Any) -> dict[str, int]:
    """The memory of ``table``'s RocksDB databases, summed over partitions.

    Each partition has its own database and block cache, so the sums are
    what the store holds. Works with rocksdict (ours) and python-rocksdb
    (faust-streaming's); a figure a binding cannot give is left out.
    """
    totals: dict[str, int] = {}
    for db in list(getattr(table.data, "_dbs", {}).values()):
        for name, prop in ROCKSDB_MEMORY.items():
            try:
                if hasattr(db, "property_int_value"):  # rocksdict
                    value = int(db.property_int_value(prop) or 0)
                else:  # python-rocksdb
                    value = int(db.get_property(prop.encode()) or 0)
            except Exception:  # a meter must not stop the run
                continue
            totals[f"rocksdb_{name}"] = totals.get(f"rocksdb_{name}", 0) + value
    return totals


def recovery_result(seconds: float, cpu: float, records: int, keys: int) -> None:
    """Write S10's result: ``records`` recovered in ``seconds``, ``keys`` found."""
    _write(
        {
            "events": records,
            "seconds": seconds,
            "cpu": cpu,
            "first_event_after": 0.0,
            "rss_kb": rss_kb(),
            "keys": keys,
        }
    )


def fill_memory(topic: str, count: int, keys: int, *, changelog: bool = False) -> None:
    """Put the input in the embedded broker (``memory://``, ours only)."""
    if not BROKER.startswith("memory"):
        return
    from raw import distinct_records, table_changelog_records  # benchmarks/raw.py

    from faust.transport.drivers.memory.broker import MemoryBroker

    broker = MemoryBroker.for_url(BROKER, default_partitions=4)
    broker.create_topic(topic, 4)
    records = table_changelog_records if changelog else distinct_records
    produce = broker.produce
    for key, value in records(keys, 0, count):
        produce(topic, key, value)
