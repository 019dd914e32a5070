"""Faust-compatible agent internals: actors, barriers, the topic index."""

from __future__ import annotations

import asyncio

import pytest

import faust
from faust.agents.actor import AsyncIterableActor
from faust.agents.replies import BarrierState, ReplyPromise
from faust.types import TP


async def test_actor_takes_it_and_index_positionally(app: faust.App) -> None:
    @app.agent(app.topic("actor-pos"))
    async def process(stream):
        async for _ in stream:
            pass

    stream = app.stream(app.topic("actor-pos"))
    marker = object()
    actor = AsyncIterableActor(process, stream, marker, 3, {TP("actor-pos", 0)})
    assert actor.it is marker
    assert actor.index == 3
    assert actor.active_partitions == {TP("actor-pos", 0)}


async def test_barrier_counts_replies_and_hands_them_out() -> None:
    barrier = BarrierState("replies", "barrier-id")
    assert barrier.correlation_id == "barrier-id"
    for cid in ("a", "b"):
        barrier.add(ReplyPromise("replies", cid))
    barrier.finalize()
    assert (barrier.total, barrier.fulfilled) == (2, 0)
    with pytest.raises(asyncio.QueueEmpty):
        barrier.get_nowait()
    barrier.fulfill("b", 2)
    assert barrier.get_nowait() == ("b", 2)
    assert barrier.fulfilled == 1 and not barrier.done()
    barrier.fulfill("a", 1)
    assert barrier.fulfilled == 2 and barrier.done()


async def test_rebalance_reaches_agents_added_after_start(app: faust.App) -> None:
    seen: list[set[TP]] = []

    @app.agent(app.topic("idx-a"))
    async def first(stream):
        async for _ in stream:
            pass

    app.agents.update_topic_index()

    @app.agent(app.topic("idx-b"))
    async def second(stream):
        async for _ in stream:
            pass

    async def assigned(tps: set[TP]) -> None:
        seen.append(tps)

    second.on_partitions_assigned = assigned  # type: ignore[method-assign]
    await app.agents.on_rebalance(set(), {TP("idx-a", 0), TP("idx-b", 0)})
    assert seen == [{TP("idx-b", 0)}]
