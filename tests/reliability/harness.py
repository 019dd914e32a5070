"""The fault suite's bookkeeping: numbered events, the checker, the results.

Every event of the suite is ``(key, n)``: key ``k<i>`` and its number ``n``,
counting 0, 1, 2, ... per key in the order the producer wrote them (raw
bytes ``b"k3"`` / ``b"17"``). Workers (``workload.py``) count each event
into the table ``counts`` and forward it, unchanged, to the output topic.

:class:`Check` reads back what a ``read_committed`` consumer sees and
judges it per key:

- **lost**: numbers the producer wrote that never reached the output, or
  (whichever is larger) how far the table's final count falls short;
- **duplicated**: output records beyond the first of each number, or
  (whichever is larger) how far the table's count exceeds the events;
- **out of order**: numbers whose *first* appearance in the output comes
  after a higher number of the same key. A number written again after a
  crash (at-least-once replays from the last commit) is a duplicate, not
  an order fault: the replayed run is in order itself.

Readers are incremental (``poll()`` reads what is new), so waiting for the
output to complete costs one pass over it. :class:`Results` collects the
rows of a session and writes ``results/latest.md``.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "latest.md"


@dataclass(frozen=True)
class Scale:
    """How much each fault test does: bounded (CI) by default, long by env.

    ``FAUST_RELIABILITY_LOOPS`` (fault repetitions, default 1) and
    ``FAUST_RELIABILITY_EVENTS`` (events per test, default 1200);
    ``make reliability`` runs the long mode.
    """

    loops: int
    events: int
    keys: int = 12

    @classmethod
    def from_env(cls) -> Scale:
        return cls(
            loops=int(os.environ.get("FAUST_RELIABILITY_LOOPS", "1")),
            events=int(os.environ.get("FAUST_RELIABILITY_EVENTS", "1200")),
        )

    @property
    def timeout(self) -> float:
        """Seconds one fault test may take (pytest-timeout)."""
        return 300.0 + 120.0 * self.loops + 0.02 * self.events

    @property
    def long(self) -> bool:
        return self.loops > 1 or self.events > 1200

    def chunk(self, loop: int) -> range:
        """Global event indexes written in loop ``loop`` (plus one tail chunk)."""
        size = self.events // (self.loops + 1)
        end = self.events if loop == self.loops else (loop + 1) * size
        return range(loop * size, end)


def key_of(i: int, keys: int) -> bytes:
    return f"k{i % keys}".encode()


def numbered(indexes: Iterable[int], keys: int) -> list[tuple[bytes, bytes]]:
    """(key, number) records of global event indexes: number = i // keys."""
    return [(key_of(i, keys), str(i // keys).encode()) for i in indexes]


def expected_counts(events: int, keys: int) -> dict[str, int]:
    """How many events each key gets out of ``events``."""
    counts: dict[str, int] = defaultdict(int)
    for i in range(events):
        counts[f"k{i % keys}"] += 1
    return dict(counts)


@dataclass
class Collected:
    """What the readers saw: output numbers per key, table count per key."""

    output: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    table: dict[str, int] = field(default_factory=dict)

    def add_output(self, key: bytes, value: bytes) -> None:
        self.output[key.decode()].append(int(value))

    def add_changelog(self, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        name = _plain(key)
        if value is None:
            self.table.pop(name, None)
        else:
            self.table[name] = int(_plain(value))

    def distinct(self) -> int:
        return sum(len(set(numbers)) for numbers in self.output.values())


def _plain(data: bytes) -> str:
    """A changelog key or value: JSON-encoded by the table, or raw."""
    try:
        found = json.loads(data)
    except ValueError:
        return data.decode()
    return str(found)


@dataclass(frozen=True)
class KeyReport:
    key: str
    lost: int
    duplicated: int
    out_of_order: int
    output_duplicates: int = 0  # output records beyond the first per number
    table_excess: int = 0  # table count above the events of the key
    missing: str = ""  # the numbers never seen in the output, as ranges
    repeated: str = ""  # the numbers seen more than once in the output


@dataclass(frozen=True)
class Check:
    """The verdict over all keys (see the module docstring)."""

    per_key: tuple[KeyReport, ...]

    @classmethod
    def of(cls, seen: Collected, expected: Mapping[str, int]) -> Check:
        return cls(tuple(judge(k, n, seen) for k, n in sorted(expected.items())))

    @property
    def lost(self) -> int:
        return sum(r.lost for r in self.per_key)

    @property
    def duplicated(self) -> int:
        return sum(r.duplicated for r in self.per_key)

    @property
    def out_of_order(self) -> int:
        return sum(r.out_of_order for r in self.per_key)

    def duplicates_where(self) -> str:
        """Where the duplicates are: ``"output N, table M"`` (empty if none)."""
        out = sum(r.output_duplicates for r in self.per_key)
        table = sum(r.table_excess for r in self.per_key)
        return f"duplicates: output {out}, table {table}" if out or table else ""

    def faulty_keys(self) -> str:
        bad = [r for r in self.per_key if r.lost or r.duplicated or r.out_of_order]
        return ", ".join(
            f"{r.key}: lost {r.lost} dup {r.duplicated} ooo {r.out_of_order}"
            + (f" (missing {r.missing})" if r.missing else "")
            + (f" (repeated {r.repeated})" if r.repeated else "")
            + (f" (table +{r.table_excess})" if r.table_excess else "")
            for r in bad
        )


def judge(key: str, count: int, seen: Collected) -> KeyReport:
    """Lost, duplicated and out-of-order numbers of one key."""
    numbers = seen.output.get(key, [])
    first: list[int] = []
    distinct: set[int] = set()
    repeated: set[int] = set()
    for n in numbers:
        if n not in distinct:
            distinct.add(n)
            first.append(n)
        else:
            repeated.add(n)
    highest = -1
    out_of_order = 0
    for n in first:
        if n < highest:
            out_of_order += 1
        highest = max(highest, n)
    table = seen.table.get(key, 0)
    missing = sorted(set(range(count)) - distinct)
    lost_output = len(missing)
    output_duplicates = len(numbers) - len(distinct)
    table_excess = max(0, table - count)
    return KeyReport(
        key=key,
        lost=max(lost_output, count - table),
        duplicated=max(output_duplicates, table_excess),
        out_of_order=out_of_order,
        output_duplicates=output_duplicates,
        table_excess=table_excess,
        missing=as_ranges(missing),
        repeated=as_ranges(sorted(repeated)),
    )


def as_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` as ``"1-3, 7"`` (sorted input)."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in spans)


@dataclass(frozen=True)
class Row:
    fault: str
    broker: str
    guarantee: str
    loops: int
    events: int
    lost: int
    duplicated: int
    out_of_order: int
    seconds: float
    note: str = ""
    aborted: bool = False  # the run stopped early: no counts to show


@dataclass
class Results:
    """Rows of this session; :meth:`write` renders ``results/latest.md``."""

    rows: list[Row] = field(default_factory=list)
    measures: list[tuple[str, str, float, str]] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def measure(self, what: str, broker: str, seconds: float, target: str) -> None:
        self.measures.append((what, broker, seconds, target))

    def write(self, scale: Scale, path: Path = RESULTS) -> None:
        if not self.rows and not self.measures:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.started))
        mode = "long" if scale.long else "bounded"
        lines = [
            "# Fault suite: latest run",
            "",
            f"{when}, {mode} mode (FAUST_RELIABILITY_LOOPS={scale.loops}, "
            f"FAUST_RELIABILITY_EVENTS={scale.events}); regenerated by "
            "`pytest tests/reliability`.",
            "",
        ]
        if self.rows:
            lines += [
                "| fault | broker | guarantee | loops | events | lost "
                "| duplicated | out of order | seconds | note |",
                "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
            ]
            lines += [_render(r) for r in self.rows]
            lines.append("")
        if self.measures:
            lines += [
                "| measurement | broker | seconds | target |",
                "|---|---|---:|---|",
            ]
            lines += [f"| {w} | {b} | {s:.3f} | {t} |" for w, b, s, t in self.measures]
            lines.append("")
        path.write_text("\n".join(lines))


def _render(r: Row) -> str:
    counts = (
        "| – | – | – "
        if r.aborted
        else f"| {r.lost} | {r.duplicated} | {r.out_of_order} "
    )
    return (
        f"| {r.fault} | {r.broker} | {r.guarantee} | {r.loops} | {r.events} "
        f"{counts}| {r.seconds:.1f} | {r.note} |"
    )
