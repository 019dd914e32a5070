"""Startup: seconds from spawning a worker to its first processed event.

``faust -A scenarios.s1_raw worker`` with ``BENCH_COUNT=1``: the driver
notes the time, spawns the worker, and the scenario's meter writes how long
after that its first event arrived (``first_event_after``). The input is
ready before the spawn, so what is measured is the interpreter, imports,
starting the app's services, joining the group, recovery and the first
fetch.

- ``--broker memory://`` (ours only): the app puts the one event into its
  embedded broker at import; the target is under 1 s.
- ``--broker kafka`` (Apache Kafka, one node, started here; the default):
  every round also runs ``raw.py join``, a bare aiokafka consumer joining a
  new group on the same topic, which shows the join itself (``start()`` to
  partitions assigned) and the bare client's spawn-to-first-record. The
  target: a faust worker's first event at most 1 s after the bare client's
  join. faust-streaming runs beside ours when its python is found
  (``--theirs-python`` or ``$FAUST_BENCH_THEIRS_PYTHON``).

Usage::

    python benchmarks/startup.py --broker memory:// --rounds 5
    python benchmarks/startup.py --rounds 3 --theirs-python /path/to/bin/python

Figures are medians (min-max) over the rounds; the worker's log is kept
with ``BENCH_KEEP_LOGS=1``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import raw  # benchmarks/raw.py
import run as bench  # benchmarks/run.py (puts extra/ on the path)

SCENARIO = bench.Scenario("S0", "startup", "scenarios.s1_raw", "startup", 1, 1)


def bare_join(python: str, bootstrap: str, topic: str, workdir: Path) -> dict:
    """Run ``raw.py join`` in a new process; its figures."""
    result = workdir / f"join-{uuid.uuid4().hex[:6]}.json"
    spawn = time.time()
    cmd = [python, str(bench.HERE / "raw.py"), "join", "--bootstrap", bootstrap,
           "--topic", topic, "--group", f"join-{uuid.uuid4().hex[:8]}",
           "--count", "1", "--result", str(result), "--spawn", repr(spawn)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, timeout=120)
    if done.returncode or not result.exists():
        sys.exit(f"raw.py join failed:\n{done.stderr.decode(errors='replace')}")
    return dict(json.loads(result.read_text()))


def _summary(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", default="kafka", help="kafka or memory://")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ours-python", default=bench.OURS_PYTHON)
    parser.add_argument("--theirs-python", default=bench.THEIRS_PYTHON)
    args = parser.parse_args(argv)
    memory = args.broker.startswith("memory")
    sides = {"ours": args.ours_python}
    if not memory and Path(args.theirs_python).exists():
        sides["theirs"] = args.theirs_python
    workdir = Path(tempfile.mkdtemp(prefix="faust-startup-"))
    figures: dict[str, list[float]] = {name: [] for name in sides}
    joins: dict[str, list[float]] = {"join": [], "first": [], "python": []}
    broker = None if memory else bench.new_broker("kafka", workdir)
    try:
        url, topic = args.broker, f"startup-{uuid.uuid4().hex[:6]}"
        if broker is not None:
            broker.start()
            url = broker.url
            asyncio.run(raw.fill(broker.bootstrap, topic, raw.raw_records(1)))
            print(f"{bench.broker_label(broker)} on {broker.bootstrap}", flush=True)
        for rnd in range(args.rounds):
            if broker is not None:
                joined = bare_join(args.ours_python, broker.bootstrap, topic, workdir)
                joins["join"].append(joined["join"])
                joins["first"].append(joined["first_record_after"])
                joins["python"].append(joined["python_ready_after"])
                print(
                    f"  bare aiokafka: join {joined['join']:.2f}s, first record "
                    f"{joined['first_record_after']:.2f}s after spawn",
                    flush=True,
                )
            for side in sides if rnd % 2 == 0 else reversed(list(sides)):
                run = bench.run_worker(
                    side, sides[side], SCENARIO, 1, url, topic, workdir
                )
                if run.ok:
                    figures[side].append(run.first_event_after)
                    print(f"  {side:<6} first event {run.first_event_after:.2f}s "
                          "after spawn", flush=True)  # fmt: skip
    finally:
        if broker is not None:
            broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    where = "memory://" if broker is None else bench.broker_label(broker)
    print(f"\nStartup on {where}, {args.rounds} round(s), median (min–max) s:")
    if broker is not None:
        print(
            f"  bare aiokafka consumer: join {_summary(joins['join'])}, first "
            f"record after spawn {_summary(joins['first'])} (interpreter + "
            f"aiokafka import {_summary(joins['python'])})"
        )
    for side, values in figures.items():
        print(f"  {bench.SIDES[side]}: first event after spawn {_summary(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
