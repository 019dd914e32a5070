"""Fixtures shared by every tier.

``app``: a fresh App on its own ``memory://`` broker, with the web server off;
settings can be given with ``@pytest.mark.conf(key=value, ...)``. The app is
stopped (if started) and its broker closed after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

import faust
from faust.transport.drivers.memory.broker import MemoryBroker


@pytest.fixture
def broker_url() -> str:
    """A private embedded broker for this test."""
    return f"memory://{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, broker_url: str, tmp_path
) -> AsyncIterator[faust.App]:
    marker = request.node.get_closest_marker("conf")
    options = {
        "broker": broker_url,
        "web_enabled": False,
        "datadir": str(tmp_path / "data"),
        "topic_partitions": 4,
        "broker_commit_interval": 0.05,
    }
    if marker is not None:
        options.update(marker.kwargs)
    instance = faust.App(f"test-{uuid.uuid4().hex[:8]}", **options)
    yield instance
    if instance.started and not instance.should_stop:
        await instance.stop()
    MemoryBroker.for_url(broker_url).close()


@pytest.fixture(autouse=True)
def _no_leftover_env() -> Iterator[None]:
    """Tests must not leave FAUST_* variables behind."""
    before = {k: v for k, v in os.environ.items() if k.startswith(("FAUST_", "F_"))}
    yield
    after = {k: v for k, v in os.environ.items() if k.startswith(("FAUST_", "F_"))}
    assert after == before, f"test changed environment: {set(after) ^ set(before)}"
