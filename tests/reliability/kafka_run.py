"""The Apache Kafka side of a fault test (see ``scenario.py``).

Workers are ``faust -A rel_app worker`` processes (``worker_helpers.Worker``
of the integration tier); kill -9 is SIGKILL, SIGTERM is SIGTERM. Every
topic has replication factor 3 on the 3-node cluster, so a broker can die.
A worker that exits by itself is noted and started again, as a process
supervisor would.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from cluster_helpers import leader_of
from kafka_broker import Cluster
from readers import PARTITIONS, KafkaReaders, changelog_of, produce_kafka
from scenario import WorkerFault
from worker_helpers import ASSIGNED, Worker

HERE = Path(__file__).parent
CRASHED = re.compile(r"Agent \S+ crashed processing .*")


class KafkaRun:
    def __init__(
        self,
        cluster: Cluster,
        tmp: Path,
        faust_bin: str,
        guarantee: str,
        *,
        delay: float = 0.005,
        cpu_ms: float = 0.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.cluster = cluster
        self.tmp = tmp
        self.faust_bin = faust_bin
        tag = uuid.uuid4().hex[:10]
        self.app_id = f"rel-{tag}"
        self.source, self.output = f"events-{tag}", f"output-{tag}"
        self.request_timeout = request_timeout
        self.env = {
            **os.environ,
            "REL_APP_ID": self.app_id,
            "REL_BROKER": cluster.url,
            "REL_SOURCE": self.source,
            "REL_OUTPUT": self.output,
            "REL_GUARANTEE": guarantee,
            "REL_DELAY": str(delay),
            "REL_CPU_MS": str(cpu_ms),
            "REL_REPLICATION": "3",
            "REL_REQUEST_TIMEOUT": str(request_timeout),
        }
        self.readers = KafkaReaders(
            cluster.bootstrap, self.output, changelog_of(self.app_id)
        )
        self.workers: list[Worker] = []
        self.everyone: list[Worker] = []
        self.notes: list[str] = []

    async def setup(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.cluster.bootstrap)
        await admin.start()
        try:
            compact = {"cleanup.policy": "compact"}
            await admin.create_topics(
                [
                    NewTopic(self.source, PARTITIONS, 3),
                    NewTopic(self.output, PARTITIONS, 3),
                    # as the worker would create it (it finds it there)
                    NewTopic(changelog_of(self.app_id), PARTITIONS, 3,
                             topic_configs=compact),  # fmt: skip
                ]
            )
        finally:
            await admin.close()

    async def start_worker(self) -> Worker:
        n = len(self.everyone) + 1
        env = {
            **self.env,
            "REL_DATADIR": str(self.tmp / f"w{n}"),
            "REL_GAP_FILE": str(self.tmp / f"w{n}.gap"),
        }
        worker = Worker(self.faust_bin, env, self.tmp / f"w{n}.log", app="rel_app",
                        cwd=HERE)  # fmt: skip
        self.everyone.append(worker)
        return worker

    async def kill(self, worker: Worker) -> None:
        worker.stop(signal.SIGKILL)

    async def terminate(self, worker: Worker) -> None:
        began = time.monotonic()
        code = await asyncio.to_thread(worker.stop, signal.SIGTERM, 30.0)
        if code != 0:
            took = time.monotonic() - began
            self.notes.append(f"SIGTERM: exit {code} after {took:.1f} s")

    async def until_assigned(self, worker: Worker, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ASSIGNED.search(worker.text()):
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no assignment:\n{worker.text()[-3000:]}")
            await asyncio.sleep(0.1)

    async def produce(self, records: Sequence[tuple[bytes, bytes]]) -> None:
        await produce_kafka(self.cluster.bootstrap, self.source, records)

    async def supervise(self) -> None:
        for worker in self.workers:
            crash = CRASHED.search(worker.text())
            if crash:  # the supervisor restarts it, but that is a fault
                raise WorkerFault(f"{worker.log.name}: {crash.group(0)[:500]}")
        for i, worker in enumerate(self.workers):
            code = worker.proc.poll()
            if code is not None:
                tail = worker.text()[-1500:]
                self.notes.append(f"worker exited by itself ({code}): {tail}")
                self.workers[i] = await self.start_worker()

    async def dump_stacks(self) -> None:
        """SIGUSR1 every live worker: it logs the stack of every task."""
        live = [w for w in self.workers if w.proc.poll() is None]
        for worker in live:
            worker.proc.send_signal(signal.SIGUSR1)
        # the worker's loop writes the dump (mode's "cry": THREADS, TASKS)
        deadline = time.monotonic() + 10.0
        while any("TASKS" not in w.text() for w in live):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        self.notes.append("stalled: stacks dumped into the worker logs")

    async def kill_leader(self) -> None:
        """kill -9 the leader of source partition 0; start it again later."""
        victim = await leader_of(self.cluster.bootstrap, self.source, 0)
        self.cluster.kill(victim)
        await asyncio.sleep(self.request_timeout / 2)
        self._restart(victim)

    async def stop_cluster(self) -> None:
        """Every node down for longer than the request timeout, then up."""
        ids = [node.node_id for node in self.cluster.nodes]
        for node_id in ids:
            self.cluster.kill(node_id)
        await asyncio.sleep(self.request_timeout + 2.0)
        self._restart(*ids)

    def _restart(self, *ids: int) -> None:
        # In this thread, blocking the loop for a few seconds (workers are
        # processes): a node gets SIGKILL when the *thread* that started it
        # ends (PR_SET_PDEATHSIG), so never from asyncio.to_thread's pool.
        self.cluster.restart(*ids)

    def longest_gap(self) -> float:
        gaps = [
            float(path.read_text())
            for path in self.tmp.glob("w*.gap")
            if path.read_text().strip()
        ]
        return max(gaps, default=0.0)

    async def close(self) -> None:
        for worker in self.everyone:
            if worker.proc.poll() is None:
                worker.stop(signal.SIGKILL)
        await self.readers.close()
