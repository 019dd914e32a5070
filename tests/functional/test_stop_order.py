"""Stopping an app with a backlog: quick, and no event out of order."""

from __future__ import annotations

import asyncio
import time

import pytest

import faust


@pytest.mark.conf(topic_partitions=4, broker_commit_interval=0.05)
async def test_stop_with_backlog_is_quick_and_in_order(app: faust.App) -> None:
    topic = app.topic("backlog", value_type=int, partitions=4)
    seen: dict[int, list[int]] = {}
    processed = 0
    enough = asyncio.Event()

    @app.agent(topic)
    async def slow(stream):
        nonlocal processed
        async for event in stream.events():
            seen.setdefault(event.message.partition, []).append(event.message.offset)
            await asyncio.sleep(0.002)
            processed += 1
            if processed == 500:
                enough.set()

    await app.start()
    for i in range(5000):
        await topic.send(key=str(i).encode(), value=i)
    await asyncio.wait_for(enough.wait(), 60)
    started = time.monotonic()
    await app.stop()
    elapsed = time.monotonic() - started
    for partition, offsets in seen.items():
        jumps = [
            (a, b) for a, b in zip(offsets, offsets[1:], strict=False) if b != a + 1
        ]
        assert not jumps, f"partition {partition} jumped: {jumps}"
    print(f"app.stop() with backlog: {elapsed:.3f}s")
    assert elapsed < 5, f"stop took {elapsed:.1f}s"
