"""@app.timer, @app.crontab, @app.service and app signals."""

from __future__ import annotations

import asyncio
from unittest.mock import patch

import mode

import faust
from faust.types import TP


async def test_timer_runs_repeatedly_and_survives_errors(app: faust.App) -> None:
    calls = 0
    done = asyncio.Event()

    @app.timer(0.01)
    async def tick():
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("one bad tick")
        if calls == 4:
            done.set()

    await app.start()
    await asyncio.wait_for(done.wait(), 5)
    await app.stop()
    assert calls >= 4


async def test_timer_on_leader_runs_on_the_leader(app: faust.App) -> None:
    done = asyncio.Event()

    @app.timer(0.01, on_leader=True)
    async def leader_only():
        done.set()

    await app.start()
    await asyncio.wait_for(done.wait(), 5)
    assert app.is_leader()
    await app.stop()


async def test_crontab_runs_at_the_next_match(app: faust.App) -> None:
    done = asyncio.Event()

    @app.crontab("* * * * *")
    async def every_minute():
        done.set()

    with patch("faust.app.decorators.secs_for_next", return_value=0.01) as secs:
        await app.start()
        await asyncio.wait_for(done.wait(), 5)
        await app.stop()
    assert secs.call_args[0][0] == "* * * * *"


async def test_service_started_and_stopped_with_app(app: faust.App) -> None:
    events: list[str] = []

    @app.service
    class Background(mode.Service):
        async def on_start(self) -> None:
            events.append("start")

        async def on_stop(self) -> None:
            events.append("stop")

    await app.start()
    assert events == ["start"]
    await app.stop()
    assert events == ["start", "stop"]


async def test_partition_signals(app: faust.App) -> None:
    assigned: list[set[TP]] = []
    got = asyncio.Event()

    @app.on_partitions_assigned.connect
    async def on_assigned(sender, assigned_tps, **kwargs):
        assigned.append(assigned_tps)
        got.set()

    @app.agent(app.topic("sig-topic", partitions=2))
    async def noop(stream):
        async for _ in stream:
            pass

    await app.topic("sig-topic").declare()
    await app.start()
    await asyncio.wait_for(got.wait(), 5)
    assert any(TP("sig-topic", 0) in a for a in assigned)
    await app.stop()


async def test_on_produce_message_can_add_headers(app: faust.App) -> None:
    topic = app.topic("with-headers", partitions=1)
    seen: list[dict] = []
    done = asyncio.Event()

    @app.on_produce_message.connect
    def add_header(sender, key, value, partition, timestamp, headers, **kwargs):
        headers.append(("trace-id", b"abc"))

    @app.agent(topic)
    async def read(stream):
        async for event in stream.events():
            seen.append(dict(event.headers))
            done.set()

    await app.start()
    await topic.send(value="x", partition=0)
    await asyncio.wait_for(done.wait(), 5)
    assert seen == [{"trace-id": b"abc"}]
    await app.stop()
