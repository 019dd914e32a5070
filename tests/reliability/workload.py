"""The worker of the fault suite: count each event into a table, forward it.

:func:`make_app` builds the app; ``rel_app.py`` builds it from environment
variables for ``faust -A rel_app worker`` (Apache Kafka), and the
``memory://`` tests build several in one process.

The agent, for each event ``(key, n)``:

1. optionally burns ``cpu_ms`` of CPU without awaiting (the CPU-bound
   fault) or sleeps ``delay`` seconds (so faults land mid-processing);
2. adds one to ``counts[key]`` (the changelogged table);
3. sends ``n`` under ``key`` to the output topic.

:class:`LoopWatch` measures the longest stretch the event loop went without
a turn, from the first event on (startup is not counted).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import faust

PARTITIONS = 4


@dataclass
class Spec:
    """What one worker runs; every field has an environment twin in rel_app."""

    app_id: str
    broker: str
    source: str
    output: str
    guarantee: str = "at_least_once"
    delay: float = 0.0
    cpu_ms: float = 0.0
    replication: int = 1
    datadir: str = "data"
    fast: bool = True  # short session/commit intervals (else Faust's defaults)
    request_timeout: float = 10.0
    gap_file: Optional[str] = None  # the longest loop gap is written here

    def settings(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "broker": self.broker,
            "processing_guarantee": self.guarantee,
            "web_enabled": False,
            "datadir": self.datadir,
            "topic_partitions": PARTITIONS,
            "topic_replication_factor": self.replication,
        }
        if self.fast:
            options |= {
                "broker_session_timeout": 3.0,
                "broker_heartbeat_interval": 0.5,
                "broker_rebalance_timeout": 10.0,
                "broker_request_timeout": self.request_timeout,
                "broker_commit_interval": 0.2,
            }
        return options


@dataclass
class LoopWatch:
    """The longest time between two turns of the event loop (seconds)."""

    tick: float = 0.01
    longest: float = 0.0
    armed: bool = False
    gap_file: Optional[str] = None
    _last: float = field(default=0.0, repr=False)

    async def run(self) -> None:
        self._last = time.monotonic()
        while True:
            await asyncio.sleep(self.tick)
            now = time.monotonic()
            gap = now - self._last - self.tick
            self._last = now
            if self.armed and gap > self.longest:
                self.longest = gap
                if self.gap_file:
                    Path(self.gap_file).write_text(f"{gap:.6f}\n")


def make_app(spec: Spec) -> tuple[faust.App, LoopWatch]:
    """The counting and forwarding app of ``spec``, and its loop watch."""
    app = faust.App(spec.app_id, **spec.settings())
    source = app.topic(
        spec.source, partitions=PARTITIONS, key_serializer="raw", value_serializer="raw"
    )
    output = app.topic(
        spec.output, partitions=PARTITIONS, key_serializer="raw", value_serializer="raw"
    )
    counts = app.Table("counts", default=int, key_type=str, value_type=int)
    watch = LoopWatch(gap_file=spec.gap_file)
    burn = spec.cpu_ms / 1000.0

    @app.agent(source)
    async def count_and_forward(stream: Any) -> None:
        async for event in stream.events():
            watch.armed = True
            if burn:
                end = time.perf_counter() + burn
                while time.perf_counter() < end:  # CPU-bound: no await
                    pass
            if spec.delay:
                await asyncio.sleep(spec.delay)
            key = event.key
            counts[key.decode()] += 1
            await output.send(key=key, value=event.value)

    @app.task
    async def watch_loop() -> None:
        await watch.run()

    return app, watch
