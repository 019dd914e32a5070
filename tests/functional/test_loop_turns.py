"""A CPU-bound agent still lets the event loop run (heartbeats, timers)."""

from __future__ import annotations

import asyncio
import time

import pytest

import faust


@pytest.mark.conf(topic_partitions=1)
async def test_cpu_bound_agent_leaves_the_loop_turns(app: faust.App) -> None:
    topic = app.topic("busy", value_type=int, partitions=1)
    total = 600
    done = asyncio.Event()
    count = 0

    @app.agent(topic)
    async def busy(stream):
        nonlocal count
        async for _ in stream:
            end = time.perf_counter() + 0.005  # 5 ms of CPU, no await
            while time.perf_counter() < end:
                pass
            count += 1
            if count == total:
                done.set()

    await app.start()
    for i in range(total):
        await topic.send(value=i, partition=0)
    longest = 0.0
    last = time.monotonic()
    while not done.is_set():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        longest = max(longest, now - last)
        last = now
    await app.stop()
    print(f"longest loop gap: {longest:.3f}s")
    assert longest < 1.0, f"the loop had no turn for {longest:.2f}s"
