"""The picture and the table of ``benchmarks/curves.py`` (cost as work grows).

Both take the rows of ``curves.json``: one dict per measured point, with
``scenario`` (S9, S10), ``side`` (ours, theirs), ``work`` (events or
records), ``rate`` (per second, from the first event to the point),
``segment_rate`` (S9: since the previous point), ``rss_mb`` (current) and
``peak_rss_mb``. matplotlib is a benchmark-only dependency (the ``bench``
extra); it is imported only when a picture is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TITLES = {
    "S9": "S9 RocksDB table, events",
    "S10": "S10 recovery into RocksDB, records",
}
LABELS = {"ours": "faust (ours)", "theirs": "faust-streaming"}
COLORS = {"ours": "tab:blue", "theirs": "tab:orange"}
STYLES = {"S9": ("-", "o"), "S10": ("--", "s")}

Row = dict[str, Any]


def _series(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    out: dict[tuple[str, str], list[Row]] = {}
    for row in sorted(rows, key=lambda r: r["work"]):
        out.setdefault((row["scenario"], row["side"]), []).append(row)
    return out


def _count(value: float, _pos: Any = None) -> str:
    """A tick label: 50k, 1M, 2.5M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def plot(rows: list[Row], path: Path, subtitle: str = "") -> None:
    """Draw events/s and peak RSS against the work, two panels, into ``path``."""
    import matplotlib

    matplotlib.use("Agg")  # no display; a file only
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for (sid, side), points in _series(rows).items():
        work = [p["work"] for p in points]
        line, marker = STYLES.get(sid, ("-", "o"))
        label = f"{sid} {LABELS.get(side, side)}"
        style = {"linestyle": line, "marker": marker, "color": COLORS.get(side)}
        left.plot(work, [p["rate"] for p in points], label=label, **style)
        right.plot(work, [p["peak_rss_mb"] for p in points], label=label, **style)
    for ax, ylabel in (
        (left, "events (S9) or records (S10) per second"),
        (right, "peak RSS of the worker, MB"),
    ):
        ax.set_xscale("log")
        ax.set_xlabel("work: events (S9) or changelog records (S10)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    for ax in (left, right):
        ax.xaxis.set_major_formatter(FuncFormatter(_count))
        ax.xaxis.set_minor_formatter(NullFormatter())
    left.set_yscale("log")  # before its formatter: setting the scale resets it
    left.yaxis.set_major_formatter(FuncFormatter(_count))
    left.yaxis.set_minor_formatter(FuncFormatter(_count))
    right.set_ylim(bottom=0)
    left.set_title("Throughput as work grows")
    right.set_title("Memory as work grows")
    if subtitle:
        fig.suptitle(subtitle, fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _cell(row: Row | None, key: str, fmt: str) -> str:
    value = None if row is None else row.get(key)
    return "–" if value is None else format(value, fmt)


def render(rows: list[Row], header: str) -> str:
    """The Markdown report: one table per scenario, ours beside theirs."""
    lines = ["# Cost as work grows", "", header, ""]
    series = _series(rows)
    for sid in ("S9", "S10"):
        ours = {r["work"]: r for r in series.get((sid, "ours"), [])}
        theirs = {r["work"]: r for r in series.get((sid, "theirs"), [])}
        if not ours and not theirs:
            continue
        unit = "events" if sid == "S9" else "records"
        since = sid == "S9"  # S10: one point per run
        lines += [
            f"## {TITLES[sid]}",
            "",
            f"| {unit} | ours {unit}/s | faust-streaming {unit}/s | ratio "
            + ("| since previous point ours / theirs " if since else "")
            + "| RSS MB ours / theirs | peak RSS MB ours / theirs |",
            "|---|---|---|---|" + ("---|" if since else "") + "---|---|",
        ]
        for work in sorted(set(ours) | set(theirs)):
            o, t = ours.get(work), theirs.get(work)
            ratio = f"{o['rate'] / t['rate']:.1f}x" if o and t and t["rate"] else "–"
            segment = (
                f"| {_cell(o, 'segment_rate', ',.0f')} / "
                f"{_cell(t, 'segment_rate', ',.0f')} "
            )
            lines.append(
                f"| {work:,} | {_cell(o, 'rate', ',.0f')} "
                f"| {_cell(t, 'rate', ',.0f')} | {ratio} "
                + (segment if since else "")
                + f"| {_cell(o, 'rss_mb', ',.0f')} / {_cell(t, 'rss_mb', ',.0f')} "
                f"| {_cell(o, 'peak_rss_mb', ',.0f')} / "
                f"{_cell(t, 'peak_rss_mb', ',.0f')} |"
            )
        lines.append("")
    lines += _memory_table(series)
    return "\n".join(lines)


#: S9's memory figures (bytes, or blocks for Python), as columns
MEMORY_COLUMNS = (
    ("py_blocks", "Python blocks (k)", 1e3),
    ("rocksdb_memtables", "memtables MB", 2**20),
    ("rocksdb_block_cache", "block cache MB", 2**20),
    ("rocksdb_table_readers", "table readers MB", 2**20),
)


def _memory_table(series: dict[tuple[str, str], list[Row]]) -> list[str]:
    """Where S9's resident memory is at each point (runs that recorded it)."""
    lines: list[str] = []
    for side in ("ours", "theirs"):
        rows = [r for r in series.get(("S9", side), []) if "py_blocks" in r]
        if not rows:
            continue
        name = "ours" if side == "ours" else "faust-streaming"
        lines += [
            f"### S9, where the memory is ({name})",
            "",
            "| events | RSS MB | "
            + " | ".join(title for _, title, _ in MEMORY_COLUMNS)
            + " |",
            "|---|---|" + "---|" * len(MEMORY_COLUMNS),
        ]
        for r in rows:
            cells = [
                f"{r[key] / unit:,.0f}" if key in r else "–"
                for key, _, unit in MEMORY_COLUMNS
            ]
            lines.append(
                f"| {r['work']:,} | {r['rss_mb']:,.0f} | " + " | ".join(cells) + " |"
            )
        lines.append("")
    return lines
