"""How long stopping takes, with Faust's default settings.

Target: under 2 s plus the events genuinely in the agent's hands (the agent
handles one event at a time, ``DELAY`` each), with and without a backlog of
events fetched but not yet processed. Measured for an embedded
``app.stop()`` (``memory://`` and Apache Kafka) and for a ``faust worker``
process sent SIGTERM (Apache Kafka).
"""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

import pytest
from harness import Results, numbered
from kafka_run import KafkaRun
from readers import MemoryReaders, changelog_of, produce_memory
from workload import Spec, make_app

from faust.transport.drivers.memory.broker import MemoryBroker

pytestmark = [pytest.mark.timeout(300)]

DELAY = 0.002  # seconds the agent takes per event
BACKLOG = 5000
TARGET = 2.0 + DELAY  # 2 s plus the one event in the agent's hands
KEYS = 12


def _label(backlog: bool) -> str:
    return f"with a {BACKLOG}-event backlog" if backlog else "idle"


@pytest.mark.parametrize("backlog", [False, True], ids=["idle", "backlog"])
async def test_embedded_stop_memory(backlog: bool, results: Results, tmp_path) -> None:
    url = f"memory://stop-{uuid.uuid4().hex[:8]}"
    spec = Spec(app_id="stop", broker=url, source="events", output="output",
                delay=DELAY, datadir=str(tmp_path), fast=False)  # fmt: skip
    app, _ = make_app(spec)
    readers = MemoryReaders(url, "output", changelog_of("stop"))
    try:
        await app.start()
        produce_memory(url, "events", numbered(range(BACKLOG if backlog else 20), KEYS))
        await readers.until_complete(200 if backlog else 20, 60)
        began = time.monotonic()
        await app.stop()
        elapsed = time.monotonic() - began
    finally:
        MemoryBroker.for_url(url).close()
    results.measure(f"embedded app.stop(), {_label(backlog)}", "memory", elapsed,
                    f"< {TARGET:.3f} s")  # fmt: skip
    assert elapsed < TARGET


@pytest.mark.parametrize("backlog", [False, True], ids=["idle", "backlog"])
async def test_embedded_stop_kafka(
    backlog: bool, results: Results, kafka, faust_bin, tmp_path: Path
) -> None:
    run = KafkaRun(kafka, tmp_path, faust_bin, "at_least_once", delay=DELAY)
    spec = Spec(app_id=run.app_id, broker=kafka.url, source=run.source,
                output=run.output, delay=DELAY, replication=3,
                datadir=str(tmp_path / "data"), fast=False)  # fmt: skip
    app, _ = make_app(spec)
    try:
        await run.setup()
        await app.start()
        await run.produce(numbered(range(BACKLOG if backlog else 20), KEYS))
        assert await run.readers.until_complete(200 if backlog else 20, 120)
        began = time.monotonic()
        await app.stop()
        elapsed = time.monotonic() - began
    finally:
        await run.close()
    results.measure(f"embedded app.stop(), {_label(backlog)}", "kafka (3 nodes)",
                    elapsed, f"< {TARGET:.3f} s")  # fmt: skip
    assert elapsed < TARGET


@pytest.mark.parametrize("backlog", [False, True], ids=["idle", "backlog"])
async def test_sigterm_worker_kafka(
    backlog: bool, results: Results, kafka, faust_bin, tmp_path: Path
) -> None:
    run = KafkaRun(kafka, tmp_path, faust_bin, "at_least_once", delay=DELAY)
    run.env["REL_DEFAULTS"] = "1"  # Faust's default timeouts
    try:
        await run.setup()
        worker = await run.start_worker()
        await run.produce(numbered(range(BACKLOG if backlog else 20), KEYS))
        assert await run.readers.until_complete(200 if backlog else 20, 120)
        began = time.monotonic()
        code = worker.stop(signal.SIGTERM, 60.0)
        elapsed = time.monotonic() - began
    finally:
        await run.close()
    results.measure(f"SIGTERM'd worker to exit, {_label(backlog)}",
                    "kafka (3 nodes)", elapsed, f"< {TARGET:.3f} s")  # fmt: skip
    assert code == 0, worker.text()[-3000:]
    assert elapsed < TARGET, worker.text()[-3000:]
