"""Helpers for table tests: app factories sharing one broker and data dir."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import faust
from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types import TP

AppFactory = Callable[..., faust.App]


@pytest.fixture(params=["memory://", "rocksdb://"])
def store(request: pytest.FixtureRequest) -> str:
    """Every test using it runs on both stores."""
    return str(request.param)


@pytest.fixture
def app_id() -> str:
    return f"tables-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def make_app(
    broker_url: str, tmp_path: Path, app_id: str
) -> AsyncIterator[AppFactory]:
    """Build apps with the same id, broker and data directory (a restart)."""
    apps: list[faust.App] = []

    def factory(datadir: str = "data", **options: Any) -> faust.App:
        settings = {
            "broker": broker_url,
            "web_enabled": False,
            "datadir": str(tmp_path / datadir),
            "topic_partitions": 4,
            "broker_commit_interval": 0.05,
            "table_cleanup_interval": 0.05,
            **options,
        }
        instance = faust.App(app_id, **settings)
        apps.append(instance)
        return instance

    yield factory
    for instance in apps:
        if instance.started and not instance.should_stop:
            await instance.stop()
    MemoryBroker.for_url(broker_url).close()


def broker_of(app: faust.App) -> MemoryBroker:
    return app.transport.broker  # type: ignore[attr-defined, no-any-return]


def changelog_records(app: faust.App, table: Any) -> list[tuple[int, Any, Any]]:
    """``(partition, key, value)`` of every record of the table's changelog."""
    broker = broker_of(app)
    topic = table.changelog_topic.get_topic_name()
    found = []
    for partition in range(broker.partitions_for(topic) or 0):
        tp = TP(topic, partition)
        result = broker.fetch(tp, 0, max_records=100_000)
        for record in result.records:
            found.append((partition, record[1], record[2]))
    return found


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``predicate`` (for state that has no event to await)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def recovered(app: faust.App, timeout: float = 10.0) -> None:
    """Wait until the app's tables recovered."""
    await asyncio.wait_for(app.tables.wait_until_recovery_completed(), timeout)


async def start_and_recover(app: faust.App) -> None:
    await app.start()
    await recovered(app)


Sender = Callable[..., Awaitable[Any]]
