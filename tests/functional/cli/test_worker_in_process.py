"""``app.Worker()`` used from Python, inside a running event loop."""

from __future__ import annotations

import asyncio
import io

import faust


async def test_start_and_stop_in_process(app: faust.App) -> None:
    ready = asyncio.Event()
    stdout = io.StringIO()
    worker = app.Worker(
        stdout=stdout,
        stderr=io.StringIO(),
        override_logging=False,  # leave the test runner's logging alone
        daemon=False,  # start() returns once everything started
        loop=asyncio.get_running_loop(),
    )
    assert isinstance(worker, faust.Worker)
    assert worker.app is app
    on_ready = worker.on_startup_finished

    async def _ready() -> None:
        await on_ready()
        ready.set()

    worker.on_startup_finished = _ready  # type: ignore[method-assign]
    try:
        await worker.start()
        await asyncio.wait_for(ready.wait(), 30)
        assert app.in_worker
        assert app.started
        assert f"| id        | {app.conf.id}" in stdout.getvalue()
    finally:
        await worker.stop()
    assert app.should_stop
