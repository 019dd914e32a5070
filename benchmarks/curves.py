"""Cost as work grows (``make bench-curves``): S9 and S10, ours and faust-streaming.

S9 is an agent counting into a RocksDB table whose input cycles over a
million distinct keys (``scenarios/s9_keys.py``); one worker per side reads
its meter at 100,000, 1,000,000 and 5,000,000 events (events/s from the first
event, events/s since the previous point, current and peak RSS). S10 is
changelog recovery into a RocksDB table (``scenarios/s10_recovery.py``) of
1,000,000 then 5,000,000 records (the same keys); each size is a new worker,
the changelog topic filled up to it before. These runs are long (faust-
streaming's at millions of events take most of an hour), hence a target of
their own, apart from ``make bench``.

Workers, broker and input are those of ``benchmarks/run.py`` (its
``run_worker`` and broker launchers). The results are merged into
``benchmarks/results/curves.json`` (a run of ``--only S10`` keeps the S9
rows), and rendered to ``curves.md`` and the picture ``curves.png`` (events/s
and peak RSS against the work, ours and faust-streaming on each panel;
matplotlib from the ``bench`` extra).

Usage::

    python benchmarks/curves.py                     # the issue's sizes
    python benchmarks/curves.py --quick             # 10k/50k, 20k keys
    python benchmarks/curves.py --s9 100000,1000000,2000000 --theirs-s9 100000
    python benchmarks/curves.py --side ours --broker memory:// --quick --out /tmp/c
    python benchmarks/curves.py --plot-only         # redraw from curves.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import curves_plot  # noqa: E402  (benchmarks/curves_plot.py)
import raw  # noqa: E402  (benchmarks/raw.py)
import run as bench  # noqa: E402  (benchmarks/run.py: workers and brokers)

FULL = {"s9": "100000,1000000,5000000", "s10": "1000000,5000000", "keys": 1_000_000}
QUICK = {"s9": "10000,50000", "s10": "10000,50000", "keys": 20_000}


def _sizes(text: str) -> list[int]:
    return sorted({int(float(n)) for n in text.split(",") if n.strip()})


def scenario(sid: str, timeout: float) -> Any:
    if sid == "S9":
        module, title, kind = "scenarios.s9_keys", "RocksDB table", "distinct"
    else:
        module, title, kind = "scenarios.s10_recovery", "recovery", "changelog"
    return bench.Scenario(sid, title, module, kind, 0, 0, timeout=timeout)


class Curves:
    """One broker, then S9 and S10 for every side; the rows, saved."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        preset = QUICK if args.quick else FULL
        self.keys: int = args.keys or int(preset["keys"])
        ours9, ours10 = (
            _sizes(args.s9 or preset["s9"]),
            _sizes(args.s10 or preset["s10"]),
        )
        self.sizes = {
            ("S9", "ours"): ours9,
            ("S9", "theirs"): _sizes(args.theirs_s9) if args.theirs_s9 else ours9,
            ("S10", "ours"): ours10,
            ("S10", "theirs"): _sizes(args.theirs_s10) if args.theirs_s10 else ours10,
        }
        self.sides = ["ours", "theirs"] if args.side == "both" else [args.side]
        self.memory = args.broker.startswith("memory")
        if self.memory:
            self.sides = ["ours"]  # the embedded broker is ours alone
        elif "theirs" in self.sides and not Path(args.theirs_python).exists():
            print(f"no faust-streaming at {args.theirs_python}: ours only")
            self.sides = ["ours"]
        self.pythons = {"ours": args.ours_python, "theirs": args.theirs_python}
        self.only = [s.strip().upper() for s in args.only.split(",") if s.strip()]
        self.workdir = Path(tempfile.mkdtemp(prefix="faust-curves-"))
        self.broker: Any = (
            None if self.memory else bench.new_broker(args.broker, self.workdir)
        )
        self.tag = uuid.uuid4().hex[:6]
        self.rows: list[dict[str, Any]] = []

    def url(self) -> str:
        return self.args.broker if self.memory else self.broker.url

    def fill(self, topic: str, gen: Any, start: int, stop: int) -> None:
        if self.memory or stop <= start:
            return  # memory://: the worker fills its own broker
        t0 = time.perf_counter()
        records = gen(self.keys, start, stop)
        sent = asyncio.run(raw.fill(self.broker.bootstrap, topic, records))
        secs = time.perf_counter() - t0
        print(f"  filled {topic}: +{sent:,} records in {secs:.1f}s", flush=True)

    def run(self) -> None:
        t0 = time.monotonic()
        try:
            if self.broker is not None:
                self.broker.start()
                print(bench.broker_label(self.broker), flush=True)
            if "S9" in self.only:
                self.run_s9()
            if "S10" in self.only:
                self.run_s10()
        finally:
            if self.broker is not None:
                self.broker.stop()
            if not os.environ.get("BENCH_KEEP_LOGS"):
                shutil.rmtree(self.workdir, ignore_errors=True)
        self.save(time.monotonic() - t0)

    def worker(self, side: str, sid: str, count: int, topic: str, extra: str) -> Any:
        scen = scenario(sid, self.args.timeout)
        python = self.pythons[side]
        workdir = self.workdir
        return bench.run_worker(
            side, python, scen, count, self.url(), topic, workdir, extra
        )

    def run_s9(self) -> None:
        topic = f"bench-distinct-{self.tag}"
        most = max(self.sizes[("S9", side)][-1] for side in self.sides)
        print(
            f"S9 RocksDB table, {self.keys:,} keys, up to {most:,} events", flush=True
        )
        self.fill(topic, raw.distinct_records, 0, most)
        for side in self.sides:
            points = self.sizes[("S9", side)]
            extra = f"{','.join(map(str, points))}:{self.keys}"
            run = self.worker(side, "S9", points[-1], topic, extra)
            if not run.ok:
                continue
            before = {"events": 0, "seconds": 0.0}
            for point in run.extra["points"]:
                span = point["seconds"] - before["seconds"]
                self.add("S9", side, point, (point["events"] - before["events"]) / span)
                before = point

    def run_s10(self) -> None:
        changelog = f"bench-s10-changelog-{self.tag}"
        trigger = f"bench-s10-trigger-{self.tag}"
        if not self.memory:
            asyncio.run(
                raw.fill(self.broker.bootstrap, trigger, iter([(b"go", b"go")]))
            )
        sizes = sorted({n for side in self.sides for n in self.sizes[("S10", side)]})
        filled = 0
        for count in sizes:
            print(f"S10 recovery into RocksDB, {count:,} records", flush=True)
            self.fill(changelog, raw.table_changelog_records, filled, count)
            filled = count
            for side in self.sides:
                if count not in self.sizes[("S10", side)]:
                    continue
                extra = f"{changelog}:{count}:{self.keys}"
                run = self.worker(side, "S10", count, trigger, extra)
                if run.ok:
                    point = {"events": count, "seconds": run.seconds}
                    point |= {"rss_kb": run.extra["rss_kb"], "cpu": run.cpu}
                    point |= {"maxrss_kb": run.maxrss_kb, "keys": run.extra["keys"]}
                    self.add("S10", side, point, None)

    def add(self, sid: str, side: str, point: dict[str, Any], segment: Any) -> None:
        row = {
            "scenario": sid,
            "side": side,
            "work": point["events"],
            "seconds": round(point["seconds"], 3),
            "rate": point["events"] / point["seconds"],
            "segment_rate": segment,
            "cpu": round(point["cpu"], 3),
            "rss_mb": point["rss_kb"] / 1024,
            "peak_rss_mb": max(point["maxrss_kb"], point["rss_kb"]) / 1024,
        }
        if "keys" in point:
            row["keys"] = point["keys"]
        # where S9's memory is: the figures its table shows, when recorded
        row |= {
            key: point[key] for key, _, _ in curves_plot.MEMORY_COLUMNS if key in point
        }
        self.rows.append(row)
        keys = f"  keys {point['keys']:,}" if "keys" in point else ""
        since = f"(since previous {segment:>9,.0f}/s)  " if segment else ""
        print(
            f"  {side:<6} {row['work']:>10,} {row['rate']:>10,.0f}/s "
            f"{since}"
            f"rss {row['rss_mb']:6.0f}MB peak {row['peak_rss_mb']:6.0f}MB{keys}",
            flush=True,
        )

    def save(self, total: float) -> None:
        out = Path(self.args.out)
        store = out / "curves.json"
        old = json.loads(store.read_text()) if store.exists() else {}
        done = {(r["scenario"], r["side"]) for r in self.rows}
        kept = [
            r for r in old.get("rows", []) if (r["scenario"], r["side"]) not in done
        ]
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        broker = "memory://" if self.memory else bench.broker_label(self.broker)
        runs = {f"{sid}/{side}": f"{when}, {broker}" for sid, side in sorted(done)}
        data = {
            "keys": self.keys,
            "cpus": os.cpu_count(),
            "runs": old.get("runs", {}) | runs,
            "rows": kept + self.rows,
        }
        out.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(data, indent=1))
        print(f"total {total:.0f}s")
        draw(out)


def draw(out: Path) -> None:
    """Render ``curves.md`` and ``curves.png`` from ``out/curves.json``."""
    data = json.loads((out / "curves.json").read_text())
    runs = "; ".join(f"{k}: {v}" for k, v in sorted(data["runs"].items()))
    header = (
        f"Distinct keys {data['keys']:,}; {data['cpus']} CPUs. "
        "Rate: from the first event (S9) or the partitions being assigned "
        "(S10) to the point, changelog writes acknowledged; since previous: "
        "between two points of the same S9 run; RSS: current at the point, "
        f"peak: the worker's peak so far. Runs: {runs}."
    )
    report = curves_plot.render(data["rows"], header)
    (out / "curves.md").write_text(report)
    brokers = sorted({v.split(", ", 1)[1] for v in data["runs"].values()})
    subtitle = f"{data['keys']:,} distinct keys, RocksDB store; {', '.join(brokers)}"
    curves_plot.plot(data["rows"], out / "curves.png", subtitle)
    print(report)
    print(f"picture: {out / 'curves.png'}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k/50k, 20k keys")
    parser.add_argument("--only", default="S9,S10")
    parser.add_argument("--s9", default="", help="S9 points, e.g. 100000,1000000")
    parser.add_argument("--s10", default="", help="S10 sizes (one run each)")
    parser.add_argument("--theirs-s9", default="", help="faust-streaming's S9 points")
    parser.add_argument("--theirs-s10", default="", help="faust-streaming's S10 sizes")
    parser.add_argument("--keys", type=int, default=0, help="distinct keys")
    parser.add_argument("--side", choices=["both", "ours", "theirs"], default="both")
    parser.add_argument("--broker", default="kafka", help="kafka, tansu or memory://")
    parser.add_argument("--ours-python", default=bench.OURS_PYTHON)
    parser.add_argument("--theirs-python", default=bench.THEIRS_PYTHON)
    parser.add_argument("--timeout", type=float, default=5400.0, help="per worker, s")
    parser.add_argument("--out", default=str(bench.RESULTS), help="results directory")
    parser.add_argument("--plot-only", action="store_true", help="redraw only")
    args = parser.parse_args(argv)
    if args.plot_only:
        draw(Path(args.out))
    else:
        Curves(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
