"""Helpers of the worker-process tests: run ``faust worker``, read its log.

Used by ``test_workers.py`` (``worker_app``) and ``test_tables_workers.py``
(``table_app``).
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Optional

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

HERE = Path(__file__).parent
PARTITIONS = 4
ASSIGNED = re.compile(
    r"Assigned (\d+) partition\(s\) \(generation (-?\d+)\)(?:: (.*))?"
)
RECOVERED = re.compile(
    r"Recovery complete: (\d+) changelog record\(s\) of (\d+) partition\(s\)"
)


class Worker:
    """One ``faust -A <app> worker`` subprocess and its log.

    Arguments:
        faust_bin: the ``faust`` command.
        env: environment of the process.
        log: file receiving its stdout and stderr.
        app: module of the app (in this directory).
        web_port: serve the web server on this loopback port (None: no web).
        cwd: directory the worker runs in (the app module is imported from it).
    """

    def __init__(
        self,
        faust_bin: str,
        env: dict[str, str],
        log: Path,
        app: str = "worker_app",
        web_port: Optional[int] = None,
        cwd: Path = HERE,
    ) -> None:
        self.log = log
        self.web_port = web_port
        self._out = log.open("wb")
        web = (
            ["--without-web"]
            if web_port is None
            else ["--with-web", "--web-port", str(web_port)]
        )
        self.proc = subprocess.Popen(
            [faust_bin, "-A", app, "worker", "-l", "info", *web],
            cwd=cwd,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        """Base URL of the worker's web server."""
        assert self.web_port is not None, "started without web"
        return f"http://127.0.0.1:{self.web_port}"

    def text(self) -> str:
        """The complete lines logged so far (a line being written is left out)."""
        data = self.log.read_bytes()
        return data[: data.rfind(b"\n") + 1].decode(errors="replace")

    def assignment(self, topic: str) -> tuple[int, set[int]] | None:
        """(generation, partitions of ``topic``) of the last assignment logged."""
        found = ASSIGNED.findall(self.text())
        if not found:
            return None
        _count, generation, listed = found[-1]
        parts = {
            int(item.rsplit(":", 1)[1])
            for item in (listed or "").split(", ")
            if item.startswith(f"{topic}:")
        }
        return int(generation), parts

    def recoveries(self) -> list[tuple[int, int]]:
        """(changelog records read, partitions) of every recovery logged."""
        return [(int(n), int(p)) for n, p in RECOVERED.findall(self.text())]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()
        return int(self.proc.returncode)


def complete_lines(path: Path) -> list[bytes]:
    """The lines of ``path`` (a line being written is left out)."""
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1].splitlines()


def processed(out: Path) -> Counter[int]:
    """How many times each event value was processed, across workers."""
    counts: Counter[int] = Counter()
    for path in out.glob("*.log"):
        for line in complete_lines(path):
            if line:
                counts[int(line.split()[0])] += 1
    return counts


def servers(url: str) -> str:
    """aiokafka's ``bootstrap_servers`` for a faust broker URL (``;``-separated)."""
    return url.split("://", 1)[1].replace(";", ",")


async def topic_configs(url: str, topic: str, timeout: float = 10.0) -> dict[str, str]:
    """The configuration of ``topic`` as the broker reports it.

    A topic just created may be unknown to a broker for a moment (its
    metadata arrives from the controller): asked again until ``timeout``.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(url))
    await admin.start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            resource = ConfigResource(ConfigResourceType.TOPIC, topic)
            (response,) = await admin.describe_configs([resource])
            ((code, message, _type, _name, entries),) = response.resources
            if not code:
                return {entry[0]: entry[1] for entry in entries}
            assert time.monotonic() < deadline, f"{topic}: error {code} {message}"
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


async def create_topic(
    url: str, topic: str, partitions: int = PARTITIONS, replicas: int = 1
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(url))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, replicas)])
    finally:
        await admin.close()


async def read_all(
    url: str, topic: str, partitions: int, expected: int, timeout: float = 10.0
) -> list[ConsumerRecord]:
    """Read ``expected`` records of ``topic`` with a plain aiokafka consumer."""
    consumer = AIOKafkaConsumer(bootstrap_servers=servers(url))
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        records = []
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                records.extend(recs)
        return records
    finally:
        await consumer.stop()


async def produce(
    url: str,
    topic: str,
    values: range,
    pace: float = 0.0,
    *,
    key: Callable[[int], str] = str,
    partition: Optional[Callable[[int], int]] = None,
) -> None:
    """Send ``str(i)`` for each ``i`` of ``values``, keyed by ``key(i)``.

    ``partition(i)`` picks the partition (else the key does); ``pace``
    seconds pass between sends.
    """
    producer = AIOKafkaProducer(bootstrap_servers=servers(url), linger_ms=5)
    await producer.start()
    try:
        futs = []
        for i in values:
            futs.append(
                await producer.send(
                    topic,
                    str(i).encode(),
                    key=key(i).encode(),
                    partition=partition(i) if partition is not None else None,
                )
            )
            if pace:
                await asyncio.sleep(pace)
        await asyncio.gather(*futs)
    finally:
        await producer.stop()


async def until(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    workers: Sequence[Worker] = (),
) -> None:
    """Wait for ``predicate()``; fail if a worker exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not predicate():
        for worker in workers:
            if worker.proc.poll() is not None:
                raise AssertionError(f"a worker exited early:\n{worker.text()[-3000:]}")
        if time.monotonic() > deadline:
            logs = "\n".join(w.text()[-2000:] for w in workers)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        await asyncio.sleep(0.1)


def split_between(workers: Iterable[Worker], topic: str, n: int) -> bool:
    """True when ``n`` workers share all partitions in one generation."""
    found = [w.assignment(topic) for w in workers]
    if any(f is None for f in found):
        return False
    generations = {g for g, _ in found}  # type: ignore[misc]
    parts = [p for _, p in found]  # type: ignore[misc]
    if len(generations) != 1 or any(not p for p in parts[:n]):
        return False
    return sorted(x for p in parts for x in p) == list(range(PARTITIONS))
