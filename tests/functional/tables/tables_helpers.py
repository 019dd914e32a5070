"""Helpers of the table tests (imported as a top-level module by the tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import faust
from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types import TP

#: ``make_app(datadir="data", **settings)``: see conftest.
AppFactory = Callable[..., faust.App]


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
