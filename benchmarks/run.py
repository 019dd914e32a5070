"""The benchmark driver (``make bench``): our faust next to faust-streaming.

One broker is started (Apache Kafka by default, ``--broker tansu`` for
Tansu); the input topics are filled once with a raw
aiokafka producer; then every scenario runs as real worker processes,
``faust -A scenarios.<module> worker``, ours from this environment and
faust-streaming from its own virtualenv, alternating (ours first in even
rounds, theirs first in odd ones), each run a new app id (consumer group,
internal topics) reading the same input from the start. The scenario app
measures itself from its first event to its last (``scenarios/common.py``)
and the driver kills the worker once the result is written.

Usage::

    python benchmarks/run.py               # every scenario, 3 rounds (< 10 min)
    python benchmarks/run.py --quick       # 1 round, smaller inputs (< 2 min)
    python benchmarks/run.py --only S1,S2 --rounds 5
    python benchmarks/run.py --side ours --broker memory://   # ours on memory://
    python benchmarks/run.py --transports kafka,confluent    # ours on both
    python benchmarks/run.py --micro       # memory broker + model micro-benchmarks
    python benchmarks/run.py --profile S1  # cProfile of our worker -> results/

The Markdown table is printed and saved to ``benchmarks/results/latest.md``
(raw numbers in ``latest.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "extra"))

import raw  # noqa: E402  (benchmarks/raw.py, next to this file)
from kafka_broker import Cluster  # noqa: E402  (extra/kafka_broker.py)
from tansu import Tansu  # noqa: E402  (extra/tansu.py)

RESULTS = HERE / "results"
SCALE = 1.0  # --scale: multiplies every scenario's event count
PYSPY = False  # --py-spy: sample workers with py-spy (results/pyspy-*.txt)
OURS_PYTHON = sys.executable
#: faust-streaming's interpreter: --theirs-python, else $FAUST_BENCH_THEIRS_PYTHON,
#: else ``python`` of a virtualenv named ``.fsvenv`` in the repository root.
THEIRS_PYTHON = os.environ.get(
    "FAUST_BENCH_THEIRS_PYTHON", str(HERE.parent / ".fsvenv" / "bin" / "python")
)


@dataclass
class Scenario:
    sid: str
    title: str
    module: str
    input: str  # "raw" | "orders" | "changelog" | "raw-loop"
    count: int
    quick: int
    timeout: float = 180.0
    max_rounds: int = 0  # 0: as many as asked
    #: an input topic of exactly the events counted: the meter counts the
    #: last stage, and a first stage given more input than that races ahead
    #: on work that is never counted (S4 and S5 shared the 80,000 orders of
    #: S2 before, and measured that race as much as the pipeline)
    own_input: bool = False

    def input_key(self) -> str:
        return f"{self.input}-{self.sid}" if self.own_input else self.input

    def events(self, quick: bool) -> int:
        return int((self.quick if quick else self.count) * SCALE)

    def rounds(self, asked: int) -> int:
        return min(asked, self.max_rounds) if self.max_rounds else asked


SCENARIOS = [
    Scenario(
        "S1", "plain agent, raw bytes", "scenarios.s1_raw", "raw", 100_000, 20_000
    ),
    Scenario("S2", "JSON faust.Record", "scenarios.s2_json", "orders", 80_000, 15_000),
    Scenario(
        "S3", "agent updates a Table", "scenarios.s3_table", "orders", 24_000, 6_000
    ),
    Scenario(
        "S4",
        "group_by, then a Table",
        "scenarios.s4_group_by",
        "orders",
        16_000,
        4_000,
        own_input=True,
    ),
    Scenario(
        "S5",
        "agent A sends to agent B",
        "scenarios.s5_agent_to_agent",
        "orders",
        16_000,
        4_000,
        own_input=True,
    ),
    Scenario(
        "S6", "tumbling-window counts", "scenarios.s6_window", "orders", 24_000, 6_000
    ),
    # faust-streaming recovers ~10,000 records/s: one round of 1M is 2 minutes
    Scenario(
        "S7",
        "changelog recovery",
        "scenarios.s7_recovery",
        "changelog",
        1_000_000,
        200_000,
        timeout=400.0,
        max_rounds=1,
    ),
]
SIDES = {"ours": "faust (ours)", "theirs": "faust-streaming 0.15.3"}


def transport_side(transport: str) -> str:
    """Our side on ``transport``: ``ours`` (kafka://), else ``ours-<scheme>``."""
    return "ours" if transport in ("kafka", "aiokafka") else f"ours-{transport}"


@dataclass
class Run:
    ok: bool
    events: int = 0
    seconds: float = 0.0  # until the broker acknowledged every output
    processed_seconds: float = 0.0  # until the last event was processed
    cpu: float = 0.0
    maxrss_kb: int = 0
    first_event_after: float = 0.0
    wall: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.ok and self.seconds > 0 else 0.0

    @property
    def processed_rate(self) -> float:
        """Events/s with the clock stopped at the last processed event."""
        span = self.processed_seconds or self.seconds
        return self.events / span if self.ok and span > 0 else 0.0


# -- running one worker ----------------------------------------------------


def _faust_bin(python: str) -> str:
    return str(Path(python).parent / "faust")


def _worker_env(python: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["PYTHONPATH"] = str(HERE)  # scenarios/ and raw.py; never the repo root
    env["VIRTUAL_ENV"] = str(Path(python).parent.parent)
    env["PATH"] = f"{Path(python).parent}:{env.get('PATH', '')}"
    return env


def run_worker(
    side: str,
    python: str,
    scen: Scenario,
    count: int,
    broker: str,
    topic: str,
    workdir: Path,
    extra: str = "",
    profile: str = "",
) -> Run:
    app_id = f"bench-{scen.sid.lower()}-{side}-{uuid.uuid4().hex[:8]}"
    rundir = workdir / app_id
    rundir.mkdir(parents=True)
    result = rundir / "result.json"
    env = _worker_env(python)
    env.update(
        BENCH_BROKER=broker,
        BENCH_APP_ID=app_id,
        BENCH_TOPIC=topic,
        BENCH_COUNT=str(count),
        BENCH_RESULT=str(result),
        BENCH_DATADIR=str(rundir / "data"),
        BENCH_INPUT=scen.input,
        BENCH_EXTRA=extra,
        BENCH_PROFILE=profile,
    )
    loglevel = os.environ.get("BENCH_LOGLEVEL", "warn")
    cmd = [_faust_bin(python), "-A", scen.module, "worker", "-l", loglevel]
    if PYSPY:  # sample the whole worker (every thread) with py-spy
        out = RESULTS / f"pyspy-{scen.sid}-{side}.txt"
        cmd = ["py-spy", "record", "-r", "250", "-f", "raw", "-o", str(out), "--", *cmd]
    start = time.time()
    env["BENCH_SPAWN"] = repr(start)
    with (rundir / "worker.log").open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=rundir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + scen.timeout
    note = ""
    while not result.exists():
        if proc.poll() is not None:
            note = f"worker exited with {proc.returncode}"
            break
        if time.monotonic() > deadline:
            note = f"timeout after {scen.timeout:.0f}s"
            break
        time.sleep(0.01)
    wall = time.time() - start
    if PYSPY:  # let py-spy write its file: stop the worker, not py-spy
        subprocess.run(["pkill", "-TERM", "-P", str(proc.pid)], check=False)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    if not result.exists():
        tail = (rundir / "worker.log").read_text(errors="replace")[-2000:]
        print(f"    {side} {scen.sid} FAILED: {note}\n{tail}", file=sys.stderr)
        print(f"    log: {rundir / 'worker.log'}", file=sys.stderr)
        return Run(ok=False, wall=wall, note=note)
    data = json.loads(result.read_text())
    run = Run(
        ok=True,
        events=int(data.pop("events")),
        seconds=float(data.pop("seconds")),
        processed_seconds=float(data.pop("processed_seconds", 0.0)),
        cpu=float(data.pop("cpu")),
        maxrss_kb=int(data.pop("maxrss_kb")),
        first_event_after=float(data.pop("first_event_after")),
        wall=wall,
        extra=data,
    )
    for line in run.extra.pop("tracemalloc", ()):
        print(f"    {line}")
    if os.environ.get("BENCH_KEEP_LOGS"):
        print(f"    log: {rundir / 'worker.log'}")
    else:
        shutil.rmtree(rundir, ignore_errors=True)
    return run


def run_raw_loop(
    mode: str,
    bootstrap: str,
    topic: str,
    count: int,
    workdir: Path,
    client: str = "aiokafka",
) -> Run:
    result = workdir / f"raw-{mode}-{uuid.uuid4().hex[:6]}.json"
    cmd = [
        OURS_PYTHON,
        str(HERE / "raw.py"),
        mode,
        "--bootstrap",
        bootstrap,
        "--topic",
        topic,
        "--count",
        str(count),
        "--result",
        str(result),
        "--client",
        client,
    ]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, timeout=300)
    if proc.returncode != 0 or not result.exists():
        print(proc.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
        return Run(ok=False, note=f"exit {proc.returncode}")
    data = json.loads(result.read_text())
    return Run(
        ok=True,
        events=data["events"],
        seconds=data["seconds"],
        cpu=data["cpu"],
        maxrss_kb=data["maxrss_kb"],
        wall=time.time() - start,
    )


# -- the suite -------------------------------------------------------------


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick: bool = args.quick
        self.rounds: int = args.rounds or (1 if self.quick else 3)
        self.sides = ["ours", "theirs"] if args.side == "both" else [args.side]
        self.pythons = {"ours": args.ours_python, "theirs": args.theirs_python}
        if "theirs" in self.sides and not Path(args.theirs_python).exists():
            print(
                f"faust-streaming's python not found at {args.theirs_python}: "
                "create a virtualenv with `pip install faust-streaming==0.15.3` "
                "and pass its python with --theirs-python (or set "
                "FAUST_BENCH_THEIRS_PYTHON); "
                "running ours only",
                file=sys.stderr,
            )
            self.sides = ["ours"]
        # --transports: our side once per transport (labelled by transport)
        self.transports = [t.strip() for t in args.transports.split(",")]
        if "ours" in self.sides:
            ours = [transport_side(t) for t in self.transports]
            i = self.sides.index("ours")
            self.sides[i : i + 1] = ours
            self.pythons.update(dict.fromkeys(ours, args.ours_python))
        only = {s.strip().upper() for s in args.only.split(",")} if args.only else None
        self.scenarios = [s for s in SCENARIOS if only is None or s.sid in only]
        self.with_s8 = only is None or "S8" in only
        self.memory = args.broker.startswith("memory")
        if self.memory:
            self.sides = ["ours"]
            self.scenarios = [s for s in self.scenarios if s.input in ("raw", "orders")]
            self.with_s8 = False
        self.workdir = Path(tempfile.mkdtemp(prefix="faust-bench-"))
        self.broker = new_broker(args.broker, self.workdir)
        self.runs: dict[tuple[str, str], list[Run]] = {}
        self.topics: dict[str, str] = {}
        self.tag = uuid.uuid4().hex[:6]
        self.changelog = ""

    def broker_url(self, side: str = "ours") -> str:
        if self.memory:
            return str(self.args.broker)
        url: str = self.broker.url
        if side.startswith("ours-"):  # ours on another transport
            url = url.replace("kafka://", side[len("ours-") :] + "://")
        return url

    def fill_inputs(self, kinds: set[str]) -> None:
        """Fill the input topics of ``kinds`` (once each).

        The big inputs (the changelog of S7, the ceiling topics of S8) are
        filled just before their scenario: a broker holding millions of
        records answers every other scenario more slowly (as Tansu's memory
        storage), for both implementations.
        """
        need: dict[str, tuple[str, int]] = {}  # topic key -> (kind, records)
        for s in self.scenarios:
            if s.input in kinds:
                key = s.input_key()
                before = need.get(key, (s.input, 0))[1]
                need[key] = (s.input, max(before, s.events(self.quick)))
        if self.with_s8:
            for kind in {"ceiling", "ceiling-json"} & kinds:
                need[kind] = (kind, self.s8_count())
        gens = {
            "raw": raw.raw_records,
            "orders": raw.order_records,
            "changelog": raw.changelog_records,
            "ceiling": raw.raw_records,
            "ceiling-json": raw.order_records,
        }
        for key, (kind, count) in need.items():
            if key in self.topics:
                continue
            topic = f"bench-{key}-{self.tag}".lower()
            self.topics[key] = topic
            if self.memory:
                continue  # the app fills its in-process broker itself
            t0 = time.perf_counter()
            boot = self.broker.bootstrap
            sent = asyncio.run(raw.fill(boot, topic, gens[kind](count)))
            secs = time.perf_counter() - t0
            print(f"  filled {topic}: {sent:,} records in {secs:.1f}s", flush=True)
            if kind == "changelog":
                self.changelog = topic
                trigger = f"bench-trigger-{self.tag}"
                self.topics["trigger"] = trigger
                go = iter([(b"go", b"go")])
                asyncio.run(raw.fill(self.broker.bootstrap, trigger, go))

    def run(self) -> None:
        t0 = time.monotonic()
        try:
            if not self.memory:
                self.broker.start()
                label = broker_label(self.broker)
                print(f"{label} on {self.broker.bootstrap}", flush=True)
            for scen in self.scenarios:
                self.fill_inputs({scen.input})
                self.run_scenario(scen)
            if self.with_s8:
                self.fill_inputs({"ceiling", "ceiling-json"})
                self.run_s8()
        finally:
            self.broker.stop()
            if not os.environ.get("BENCH_KEEP_LOGS"):
                shutil.rmtree(self.workdir, ignore_errors=True)
        total = time.monotonic() - t0
        report = render(self, total)
        print()
        print(report)
        if not self.args.no_save:
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "latest.md").write_text(report)
            (RESULTS / "latest.json").write_text(
                json.dumps(self.raw_results(), indent=1)
            )

    def run_scenario(self, scen: Scenario) -> None:
        count = scen.events(self.quick)
        key = "trigger" if scen.input == "changelog" else scen.input_key()
        topic = self.topics[key]
        extra = f"{self.changelog}:{count}" if scen.input == "changelog" else ""
        print(f"{scen.sid} {scen.title} ({count:,} events)", flush=True)
        for rnd in range(scen.rounds(self.rounds)):
            order = self.sides if rnd % 2 == 0 else list(reversed(self.sides))
            for side in order:
                run = run_worker(
                    side,
                    self.pythons[side],
                    scen,
                    count,
                    self.broker_url(side),
                    topic,
                    self.workdir,
                    extra=extra,
                )
                self.runs.setdefault((scen.sid, side), []).append(run)
                if run.ok:
                    more = f" keys={run.extra['keys']:,}" if "keys" in run.extra else ""
                    print(
                        f"  {side:<14} {run.rate:>10,.0f}/s acked "
                        f"{run.processed_rate:>10,.0f}/s processed  "
                        f"cpu {run.cpu:6.2f}s  "
                        f"rss {run.maxrss_kb / 1024:6.0f}MB  "
                        f"first event {run.first_event_after:5.2f}s{more}",
                        flush=True,
                    )

    def s8_count(self) -> int:
        return 200_000 if self.quick else 500_000

    def run_s8(self) -> None:
        count = self.s8_count()
        print(f"S8 raw client loops ({count:,} messages)", flush=True)
        boot = self.broker.bootstrap
        loops = [
            ("consume", self.topics["ceiling"]),
            ("consume-json", self.topics["ceiling-json"]),
            ("produce", f"bench-produce-{uuid.uuid4().hex[:6]}"),
        ]
        clients = ["aiokafka"] + ["confluent"] * ("confluent" in self.transports)
        for (mode, topic), client in ((m, c) for m in loops for c in clients):
            n = count // 4 if mode == "produce" else count  # ~100k/s
            key = f"S8 {mode}" + ("" if client == "aiokafka" else f" {client}")
            for _ in range(self.rounds):
                run = run_raw_loop(mode, boot, topic, n, self.workdir, client)
                if mode == "produce":  # a new topic each time
                    topic = f"bench-produce-{uuid.uuid4().hex[:6]}"
                self.runs.setdefault((key, "ours"), []).append(run)
                print(
                    f"  {client:<9} {mode:<13} {run.rate:>10,.0f}/s  "
                    f"cpu {run.cpu:6.2f}s",
                    flush=True,
                )

    def raw_results(self) -> dict[str, Any]:
        return {
            f"{sid}/{side}": [r.__dict__ | {"rate": r.rate} for r in runs]
            for (sid, side), runs in self.runs.items()
        }


# -- the report ------------------------------------------------------------


def _stats(runs: list[Run]) -> dict[str, float] | None:
    ok = [r for r in runs if r.ok]
    if not ok:
        return None
    rates = [r.rate for r in ok]
    return {
        "median": statistics.median(rates),
        "processed": statistics.median(r.processed_rate for r in ok),
        "min": min(rates),
        "max": max(rates),
        "cpu_per_m": statistics.median(r.cpu / r.events * 1e6 for r in ok),
        "rss_mb": max(r.maxrss_kb for r in ok) / 1024,
        "first": statistics.median(r.first_event_after for r in ok),
        "runs": len(ok),
        "failed": len(runs) - len(ok),
    }


def _rate(st: dict[str, float] | None) -> str:
    if st is None:
        return "failed"
    return f"{st['median']:,.0f} ({st['min']:,.0f}–{st['max']:,.0f})"


def _num(st: dict[str, float] | None, key: str, fmt: str) -> str:
    return "–" if st is None else format(st[key], fmt)


def render(suite: Suite, total: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    kind = "quick" if suite.quick else "full"
    broker = "memory:// (in-process)" if suite.memory else broker_label(suite.broker)
    lines = [
        "# Benchmark results",
        "",
        f"{when}; {kind} run, {suite.rounds} round(s) per side, broker {broker}, "
        f"{os.cpu_count()} CPUs; total {total:.0f}s.",
        "",
        "Events/s: median (min–max) over the rounds, the clock stopped when the "
        "broker acknowledged the output of the last event (the fair meter); "
        "processed: median events/s with the clock stopped at the last processed "
        "event instead. CPU: seconds of process CPU "
        "per million events; RSS: peak resident set of the worker; first: "
        "seconds from spawning the worker to its first event.",
        "",
        "| Scenario | ours events/s | faust-streaming events/s | ratio "
        "| processed ours / theirs (ratio) "
        "| CPU s/1M ours / theirs | RSS MB ours / theirs "
        "| first event s ours / theirs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = [(s, side) for s in suite.scenarios for side in _our_sides(suite)]
    for scen, side in rows:
        ours = _stats(suite.runs.get((scen.sid, side), []))
        theirs = _stats(suite.runs.get((scen.sid, "theirs"), []))
        ratio = (
            f"{ours['median'] / theirs['median']:.1f}x"
            if ours and theirs and theirs["median"]
            else "–"
        )
        processed = (
            f"{ours['processed'] / theirs['processed']:.1f}x"
            if ours and theirs and theirs["processed"]
            else "–"
        )
        lines.append(
            f"| {scen.sid} {scen.title}{_on(side)} "
            f"| {_rate(ours)} | {_rate(theirs)} | {ratio} "
            f"| {_num(ours, 'processed', ',.0f')} / {_num(theirs, 'processed', ',.0f')}"
            f" ({processed}) "
            f"| {_num(ours, 'cpu_per_m', '.1f')} / {_num(theirs, 'cpu_per_m', '.1f')} "
            f"| {_num(ours, 'rss_mb', '.0f')} / {_num(theirs, 'rss_mb', '.0f')} "
            f"| {_num(ours, 'first', '.2f')} / {_num(theirs, 'first', '.2f')} |"
        )
    lines.extend(_s8_lines(suite))
    return "\n".join(lines) + "\n"


def _our_sides(suite: Suite) -> list[str]:
    ours = [s for s in suite.sides if s.startswith("ours")]
    return ours or ["ours"]


def _on(side: str) -> str:
    """The row label's transport: none for kafka://, ``on confluent://``."""
    return f" on {side[len('ours-') :]}://" if side.startswith("ours-") else ""


def _s8_lines(suite: Suite) -> list[str]:
    if not suite.with_s8:
        return []
    out: list[str] = []
    clients = [("", "aiokafka")]
    if "confluent" in suite.transports:
        clients.append((" confluent", "confluent-kafka"))
    for mode, (suffix, client) in ((m, c) for m in S8_MODES for c in clients):
        st = _stats(suite.runs.get((f"S8 {mode}{suffix}", "ours"), []))
        out.append(
            f"| S8 raw {client} {mode} loop | {_rate(st)} | – | – | – "
            f"| {_num(st, 'cpu_per_m', '.1f')} | {_num(st, 'rss_mb', '.0f')} | – |"
        )
    s1 = _stats(suite.runs.get(("S1", "ours"), []))
    ceiling = _stats(suite.runs.get(("S8 consume", "ours"), []))
    s2 = _stats(suite.runs.get(("S2", "ours"), []))
    ceiling_json = _stats(suite.runs.get(("S8 consume-json", "ours"), []))
    out.append("")
    if s1 and ceiling:
        out.append(
            f"S1 (ours) is {s1['median'] / ceiling['median']:.0%} of the raw aiokafka "
            "consumer loop."
        )
    if s2 and ceiling_json:
        out.append(
            f"S2 (ours) is {s2['median'] / ceiling_json['median']:.0%} of the raw "
            "aiokafka consumer loop with JSON decoding."
        )
    return out + _confluent_ratios(suite)


S8_MODES = ("consume", "consume-json", "produce")


def _confluent_ratios(suite: Suite) -> list[str]:
    out = []
    s1 = _stats(suite.runs.get(("S1", "ours-confluent"), []))
    ceiling = _stats(suite.runs.get(("S8 consume", "ours"), []))
    if s1 and ceiling:  # confluent:// consumes with the kafka:// consumer
        out.append(
            f"S1 on confluent:// (which consumes with the kafka:// driver's "
            f"aiokafka consumer) is {s1['median'] / ceiling['median']:.0%} of the "
            "raw aiokafka consumer loop."
        )
    ck = _stats(suite.runs.get(("S8 produce confluent", "ours"), []))
    ak = _stats(suite.runs.get(("S8 produce", "ours"), []))
    if ck and ak:
        out.append(
            f"The raw confluent-kafka producer loop is "
            f"{ck['median'] / ak['median']:.1f}x the raw aiokafka one."
        )
    return out


# -- micro-benchmarks and profiling ------------------------------------------


def run_micro(args: argparse.Namespace) -> None:
    subprocess.run(
        [OURS_PYTHON, str(HERE / "memory_broker.py"), "200000", "3"], check=False
    )
    cmd = [
        OURS_PYTHON,
        str(HERE / "models" / "bench_records.py"),
        "--ours",
        OURS_PYTHON,
    ]
    if Path(args.theirs_python).exists():
        cmd += ["--theirs", args.theirs_python]
    subprocess.run(cmd, check=False)


def new_broker(kind: str, workdir: Path) -> Any:
    """The broker of the run (started by the suite): Apache Kafka or Tansu."""
    if kind == "tansu":
        return Tansu(workdir)
    # production-like: no fast compaction; memory:// needs no broker
    return Cluster(workdir / "kafka", nodes=1, fast_compaction=False, quick_jit=False)


def broker_label(broker: Any) -> str:
    if isinstance(broker, Cluster):
        return f"Apache Kafka {broker.version} (1 node, loopback)"
    return "Tansu 0.6 (loopback)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, small inputs")
    parser.add_argument("--rounds", type=int, default=0)
    parser.add_argument("--only", default="", help="e.g. S1,S2,S8")
    parser.add_argument("--side", choices=["both", "ours", "theirs"], default="both")
    parser.add_argument(
        "--transports",
        default="kafka",
        help="our side on each: e.g. kafka,confluent (rows labelled by transport)",
    )
    parser.add_argument(
        "--broker",
        default="kafka",
        help="kafka (Apache Kafka, one node, started here), tansu, or memory://",
    )
    parser.add_argument("--ours-python", default=OURS_PYTHON)
    parser.add_argument("--theirs-python", default=THEIRS_PYTHON)
    parser.add_argument("--micro", action="store_true", help="micro-benchmarks only")
    parser.add_argument("--profile", default="", help="cProfile ours in one scenario")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0, help="event counts x N")
    parser.add_argument("--py-spy", action="store_true", help="sample with py-spy")
    args = parser.parse_args(argv)
    global SCALE, PYSPY
    SCALE = args.scale
    PYSPY = args.py_spy
    if args.micro:
        run_micro(args)
        return 0
    if args.profile:
        return profile(args)
    Suite(args).run()
    return 0


def profile(args: argparse.Namespace) -> int:
    scen = next(s for s in SCENARIOS if s.sid == args.profile.upper())
    args.only = scen.sid
    args.rounds = 1
    args.no_save = True
    suite = Suite(args)
    ours = transport_side(suite.transports[0])  # --transports confluent
    suite.sides = [args.side if args.side != "both" else ours]
    suite.with_s8 = False
    out = RESULTS / f"profile-{scen.sid}-{suite.sides[0]}.prof"
    RESULTS.mkdir(exist_ok=True)
    try:
        if not suite.memory:
            suite.broker.start()
        suite.fill_inputs({scen.input})
        count = scen.events(args.quick)
        key = "trigger" if scen.input == "changelog" else scen.input_key()
        topic = suite.topics[key]
        extra = f"{suite.changelog}:{count}" if scen.input == "changelog" else ""
        side = suite.sides[0]
        run = run_worker(
            side,
            suite.pythons[side],
            scen,
            count,
            suite.broker_url(side),
            topic,
            suite.workdir,
            extra=extra,
            profile=str(out),
        )
    finally:
        suite.broker.stop()
        shutil.rmtree(suite.workdir, ignore_errors=True)
    print(f"{scen.sid} {side}: {run.rate:,.0f}/s (under cProfile); profile in {out}")
    import pstats

    pstats.Stats(str(out)).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
