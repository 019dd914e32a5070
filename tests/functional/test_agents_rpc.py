"""Request/reply: agent.ask, map, join, on the embedded broker."""

from __future__ import annotations

import asyncio

import pytest

import faust
from faust.agents.models import ReqRepRequest


class Point(faust.Record, serializer="json"):
    x: int
    y: int


@pytest.mark.conf(reply_create_topic=True)
async def test_ask_returns_the_yielded_value(app: faust.App) -> None:
    @app.agent()
    async def double(stream):
        async for n in stream:
            yield n * 2

    await app.start()
    assert await asyncio.wait_for(double.ask(21), 10) == 42
    await app.stop()


@pytest.mark.conf(reply_create_topic=True)
async def test_ask_with_model_values(app: faust.App) -> None:
    @app.agent(value_type=Point)
    async def swap(stream):
        async for p in stream:
            yield Point(x=p.y, y=p.x)

    await app.start()
    reply = await asyncio.wait_for(swap.ask(Point(1, 2)), 10)
    assert reply == Point(x=2, y=1)
    await app.stop()


@pytest.mark.conf(reply_create_topic=True)
async def test_ask_without_reply_headers_wraps_the_value(app: faust.App) -> None:
    seen: list[object] = []

    @app.agent(use_reply_headers=False)
    async def echo(stream):
        async for v in stream:
            seen.append(v)
            yield v

    await app.start()
    assert await asyncio.wait_for(echo.ask("hi"), 10) == "hi"
    # the agent saw the value, not the ReqRepRequest wrapper
    assert seen == ["hi"] and not isinstance(seen[0], ReqRepRequest)
    await app.stop()


@pytest.mark.conf(reply_create_topic=True)
async def test_map_and_join(app: faust.App) -> None:
    @app.agent(concurrency=3)
    async def square(stream):
        async for n in stream:
            await asyncio.sleep(0.001 * (5 - n))
            yield n * n

    await app.start()
    results = []
    async for r in square.map([1, 2, 3, 4]):
        results.append(r)
    assert sorted(results) == [1, 4, 9, 16]
    joined = await asyncio.wait_for(square.join([4, 3, 2, 1]), 10)
    assert joined == [16, 9, 4, 1]  # in request order
    kv = await asyncio.wait_for(square.kvjoin([("a", 5), ("b", 6)]), 10)
    assert kv == [25, 36]
    await app.stop()


@pytest.mark.conf(reply_create_topic=True)
async def test_ask_timeout_cleans_up(app: faust.App) -> None:
    @app.agent()
    async def silent(stream):
        async for _ in stream:
            pass  # never replies

    await app.start()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(silent.ask("x", correlation_id="c-1"), 0.2)
    assert app.reply_consumer.waiting("c-1") is None  # type: ignore[attr-defined]
    await app.stop()


async def test_ask_without_reply_create_topic(app: faust.App) -> None:
    @app.agent()
    async def inc(stream):
        async for n in stream:
            yield n + 1

    await app.start()
    assert await asyncio.wait_for(inc.ask(1), 10) == 2
    assert await asyncio.wait_for(inc.ask(2), 10) == 3
    await app.stop()


async def test_ask_from_an_agent_without_a_rebalance(app: faust.App) -> None:
    # memory:// creates subscribed topics at subscription (as Kafka's
    # auto-create) and subscribes an app's reply topic at start: the first
    # assignment is the only one, and the asking event is not stalled by a
    # rebalance waiting for it (nor read again).
    asks = app.topic("asks", value_type=int, partitions=1)
    replies: list[int] = []
    done = asyncio.Event()

    @app.agent()
    async def doubler(stream):
        async for n in stream:
            yield n * 2

    @app.agent(asks)
    async def asker(stream):
        async for n in stream:
            replies.append(await doubler.ask(n))
            if len(replies) == 3:
                done.set()

    await app.start()
    # the first assignment is a rebalance cycle of its own (as in Faust)...
    assert app.rebalancing_count == 1
    assert app.transport.broker.partitions_for("asks") == 1  # type: ignore[attr-defined]
    for i in range(3):
        await asks.send(value=i, partition=0)
    await asyncio.wait_for(done.wait(), 10)
    assert replies == [0, 2, 4]
    assert app.rebalancing_count == 1  # ...and the only one
    await app.stop()
