"""Helpers for table tests: app factories sharing one broker and data dir."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tables_helpers import AppFactory

import faust
from faust.transport.drivers.memory.broker import MemoryBroker


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
