"""The ``memory://`` side of a fault test (see ``scenario.py``).

Workers are apps in this process (``memory_workers.MemoryWorker``); each
run has its own embedded broker, closed at the end.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from memory_workers import MemoryWorker
from readers import MemoryReaders, changelog_of, produce_memory
from workload import Spec

from faust.transport.drivers.memory.broker import MemoryBroker


class MemoryRun:
    def __init__(
        self, tmp: Path, guarantee: str, *, delay: float = 0.002, cpu_ms: float = 0.0
    ) -> None:
        tag = uuid.uuid4().hex[:10]
        self.url = f"memory://rel-{tag}"
        self.spec = Spec(
            app_id=f"rel-{tag}", broker=self.url, source="events", output="output",
            guarantee=guarantee, delay=delay, cpu_ms=cpu_ms, datadir=str(tmp),
        )  # fmt: skip
        self.readers = MemoryReaders(self.url, "output", changelog_of(self.spec.app_id))
        self.workers: list[MemoryWorker] = []
        self.everyone: list[MemoryWorker] = []
        self.notes: list[str] = []
        self.count = 0

    async def start_worker(self) -> MemoryWorker:
        self.count += 1
        datadir = f"{self.spec.datadir}/w{self.count}"
        spec = dataclasses.replace(self.spec, datadir=datadir)
        worker = MemoryWorker(spec)
        self.everyone.append(worker)
        await worker.start()
        return worker

    async def kill(self, worker: MemoryWorker) -> None:
        worker.kill()

    async def terminate(self, worker: MemoryWorker) -> None:
        await worker.stop()

    async def until_assigned(self, worker: MemoryWorker, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not worker.assigned:
            assert time.monotonic() < deadline, "the new worker got no partition"
            await asyncio.sleep(0.01)

    async def produce(self, records: Sequence[tuple[bytes, bytes]]) -> None:
        produce_memory(self.url, self.spec.source, records)

    async def supervise(self) -> None:
        for worker in self.workers:
            crashed = worker.app.crash_reason
            if crashed is not None:
                raise AssertionError(f"a worker crashed: {crashed!r}")

    async def dump_stacks(self) -> None:
        """Nothing to do: the workers are tasks of the test's own process."""

    def longest_gap(self) -> float:
        return max((w.watch.longest for w in self.everyone), default=0.0)

    async def close(self) -> None:
        for worker in self.workers:
            if not worker.freezer.frozen and not worker.app.should_stop:
                await worker.stop()
        MemoryBroker.for_url(self.url).close()
