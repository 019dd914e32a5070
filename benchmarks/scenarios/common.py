"""What every scenario app shares: settings from the driver, and the meter.

The same scenario modules run under our faust and under faust-streaming
(``faust -A scenarios.s1_raw worker``), so they use only the public Faust
API. The driver passes everything through environment variables:

``BENCH_BROKER``   broker URL (``kafka://127.0.0.1:PORT``)
``BENCH_APP_ID``   app id = consumer group (fresh for every run)
``BENCH_TOPIC``    input topic (already filled by the driver)
``BENCH_COUNT``    events to process before the meter stops
``BENCH_RESULT``   file the meter writes its JSON result to
``BENCH_DATADIR``  the app's data directory
``BENCH_SPAWN``    ``time.time()`` when the driver started the process
``BENCH_PROFILE``  write a cProfile of the measured span (main thread) here
``BENCH_INPUT``    ``raw``, ``orders`` or ``startup`` (one event): with a
                   ``memory://`` broker (ours only) the app fills its input
                   itself, in-process, before the worker starts

The meter starts at the first event. It reads the clock twice: at the
``BENCH_COUNT``-th processed event (``processed_seconds``), and once the
producer has flushed, that is when the broker has acknowledged every output
of every event, the last one's included (``seconds``, the fair figure:
changelog writes, repartitioned and forwarded events still in flight are
work not yet done). It then writes events, both spans, CPU seconds (every
thread of the process, up to the acknowledgement) and peak RSS; the driver
kills the worker once the result is there.
"""

from __future__ import annotations

import json
import os
import resource
import time
from typing import Any

import faust

BROKER = os.environ.get("BENCH_BROKER", "kafka://127.0.0.1:9092")
APP_ID = os.environ.get("BENCH_APP_ID", "bench")
TOPIC = os.environ.get("BENCH_TOPIC", "bench-input")
COUNT = int(os.environ.get("BENCH_COUNT", "100000"))
RESULT = os.environ.get("BENCH_RESULT", "")
DATADIR = os.environ.get("BENCH_DATADIR", "/tmp/bench-data")
SPAWN = float(os.environ.get("BENCH_SPAWN", "0") or 0)
EXTRA = os.environ.get("BENCH_EXTRA", "")
INPUT = os.environ.get("BENCH_INPUT", "raw")
if os.environ.get("BENCH_TRACEMALLOC"):
    import tracemalloc

    tracemalloc.start()
PROFILE = os.environ.get("BENCH_PROFILE", "")


def make_app(**options: Any) -> faust.App:
    """An app with the settings both implementations get.

    Only this differs from Faust's defaults: no web server, and a short
    session timeout, which Tansu needs (it waits half of it in JoinGroup)
    and which changes nothing measured on Apache Kafka.
    """
    settings: dict[str, Any] = {
        "broker": BROKER,
        "web_enabled": False,
        "datadir": DATADIR,
        "topic_partitions": 4,
        "broker_session_timeout": 3.0,
        "broker_heartbeat_interval": 0.5,
        "broker_rebalance_timeout": 10.0,
        "broker_request_timeout": 10.0,
    }
    settings.update(options)
    overrides = os.environ.get("BENCH_SETTINGS")  # JSON: experiments only
    if overrides:
        settings.update(json.loads(overrides))
    if BROKER.startswith("memory"):
        _fill_memory_broker()
    return faust.App(APP_ID, **settings)


def _fill_memory_broker() -> None:
    # ours only: the embedded broker lives in this process
    if INPUT in ("distinct", "changelog"):
        return  # S9 and S10 fill their own (scenarios/curve.py)
    from faust.transport.drivers.memory.broker import MemoryBroker

    broker = MemoryBroker.for_url(BROKER, default_partitions=4)
    broker.create_topic(TOPIC, 4)
    if INPUT == "startup":  # one event (benchmarks/startup.py): no raw.py
        broker.produce(TOPIC, b"a0", b"x")
        return
    from raw import order_records, raw_records  # benchmarks/raw.py (aiokafka)

    records = order_records if INPUT == "orders" else raw_records
    produce = broker.produce
    for key, value in records(COUNT):
        produce(TOPIC, key, value)


class Order(faust.Record, serializer="json"):
    """The JSON record of S2-S6 (as produced by ``benchmarks.produce``)."""

    id: str
    account_id: str
    amount: float
    quantity: int
    country: str


def _write(result: dict[str, Any]) -> None:
    if os.environ.get("BENCH_TRACEMALLOC"):  # what holds memory (see run.py)
        import tracemalloc

        if tracemalloc.is_tracing():
            top = tracemalloc.take_snapshot().statistics("lineno")[:15]
            result["tracemalloc"] = [str(stat) for stat in top]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["maxrss_kb"] = usage.ru_maxrss
    tmp = RESULT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.replace(tmp, RESULT)  # the driver never sees half a file


class Meter:
    """Counts processed events; measures from the first input event to the last.

    ``tick()`` once per event at the end of the pipeline. Pipelines with
    several stages (group_by, agent to agent) also call ``begin()`` for every
    event of the first stage, so the measurement includes the forwarding and
    any rebalance a new internal topic causes (one compare per call once
    started).
    """

    __slots__ = ("expected", "n", "t0", "c0", "first", "started", "profiler")

    def __init__(self, expected: int = COUNT) -> None:
        self.expected = expected
        self.n = 0
        self.t0 = self.c0 = self.first = 0.0
        self.started = False
        self.profiler: Any = None

    def begin(self) -> None:
        if self.started:
            return
        self.started = True
        if PROFILE:
            import cProfile

            self.profiler = cProfile.Profile()
            self.profiler.enable()
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        self.first = time.time() - SPAWN if SPAWN else 0.0

    def tick(self) -> bool:
        """Count one event; True at the last one (then ``await finish(app)``)."""
        n = self.n = self.n + 1
        if n == 1:
            self.begin()
        return n == self.expected

    async def finish(self, app: faust.App) -> None:
        """Stop both clocks: processed now, acknowledged after the flush."""
        processed = time.perf_counter() - self.t0
        # every output sent so far (send_soon buffers, batches, the client's
        # own queue) is published and acknowledged when flush() returns
        await app.producer.flush()
        elapsed = time.perf_counter() - self.t0
        cpu = time.process_time() - self.c0
        if self.profiler is not None:
            self.profiler.disable()
            self.profiler.dump_stats(PROFILE)
        _write(
            {
                "events": self.expected,
                "seconds": elapsed,
                "processed_seconds": processed,
                "cpu": cpu,
                "first_event_after": self.first,
            }
        )


def meter(expected: int = COUNT) -> Meter:
    """The meter of this worker."""
    return Meter(expected)


class Span:
    """Explicit start/stop measurement (recovery: from assignment to ready)."""

    def __init__(self) -> None:
        self.t0: float | None = None
        self.c0 = 0.0

    def start(self) -> None:
        if self.t0 is None:
            self.t0 = time.perf_counter()
            self.c0 = time.process_time()

    def stop(self, events: int, **extra: Any) -> None:
        if self.t0 is None:
            self.start()
        assert self.t0 is not None
        _write(
            {
                "events": events,
                "seconds": time.perf_counter() - self.t0,
                "cpu": time.process_time() - self.c0,
                "first_event_after": time.time() - SPAWN if SPAWN else 0.0,
                **extra,
            }
        )
