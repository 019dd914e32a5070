"""Agents on the embedded broker: iteration, acks, errors, test_context."""

from __future__ import annotations

import asyncio

import pytest

import faust
from faust.types import TP


async def _committed(app: faust.App, tp: TP) -> int | None:
    found = app.transport.broker.committed_offsets(app.conf.id, [tp])  # type: ignore[attr-defined]
    return found[tp].offset if tp in found else None


async def test_agent_that_raises_is_restarted_and_partition_moves_on(
    app: faust.App,
) -> None:
    topic = app.topic("work", value_type=int, partitions=1)
    seen: list[int] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def worker(stream):
        async for value in stream:
            seen.append(value)
            if value == 1:
                raise RuntimeError("boom")
            if value == 3:
                done.set()

    await app.start()
    for i in range(4):
        await topic.send(value=i, partition=0)
    await asyncio.wait_for(done.wait(), 10)
    assert seen[:4] == [0, 1, 2, 3]
    # every event was acked, the failing one included: commits reach 4
    for _ in range(100):
        if await _committed(app, TP("work", 0)) == 4:
            break
        await asyncio.sleep(0.02)
    assert await _committed(app, TP("work", 0)) == 4
    await app.stop()


async def test_error_is_logged_with_the_event(
    app: faust.App, caplog: pytest.LogCaptureFixture
) -> None:
    topic = app.topic("bad", value_type=str, partitions=1)
    done = asyncio.Event()

    @app.agent(topic)
    async def fails(stream):
        async for value in stream:
            done.set()
            raise ValueError(f"cannot handle {value}")

    await app.start()
    await topic.send(key=b"the-key", value="poison", partition=0)
    await asyncio.wait_for(done.wait(), 10)
    for _ in range(100):
        if "cannot handle poison" in caplog.text:
            break
        await asyncio.sleep(0.01)
    assert "Agent" in caplog.text and "bad" in caplog.text and "'poison'" in caplog.text
    await app.stop()


async def test_concurrency_shares_one_channel(app: faust.App) -> None:
    topic = app.topic("tasks", value_type=int, partitions=1)
    by_index: dict[int | None, int] = {}
    count = 0
    done = asyncio.Event()

    @app.agent(topic, concurrency=3)
    async def handle(stream):
        nonlocal count
        async for _ in stream:
            by_index[stream.concurrency_index] = (
                by_index.get(stream.concurrency_index, 0) + 1
            )
            count += 1
            await asyncio.sleep(0)
            if count == 30:
                done.set()

    await app.start()
    for i in range(30):
        await topic.send(value=i, partition=0)
    await asyncio.wait_for(done.wait(), 10)
    assert sum(by_index.values()) == 30
    assert set(by_index) <= {0, 1, 2}
    # the Monitor counts events per actor task, named after the agent
    by_task = app.monitor.events_by_task
    assert {f"{handle.name}:{i}" for i in by_index} == set(by_task)
    assert sum(by_task.values()) == 30
    await app.stop()


async def test_two_agents_on_one_topic_both_see_every_event(app: faust.App) -> None:
    topic = app.topic("fanout", value_type=int, partitions=2)
    a: list[int] = []
    b: list[int] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def first(stream):
        async for v in stream:
            a.append(v)

    @app.agent(topic)
    async def second(stream):
        async for v in stream:
            b.append(v)
            if len(b) == 6:
                done.set()

    await app.start()
    for i in range(6):
        await topic.send(value=i)
    await asyncio.wait_for(done.wait(), 10)
    for _ in range(100):
        if len(a) == 6:
            break
        await asyncio.sleep(0.01)
    assert sorted(a) == sorted(b) == list(range(6))
    await app.stop()


async def test_agent_sends_to_agent(app: faust.App) -> None:
    results: list[str] = []
    done = asyncio.Event()

    @app.agent(value_type=str)
    async def upper(stream):
        async for value in stream:
            await lower.send(value=value.upper())

    @app.agent(value_type=str)
    async def lower(stream):
        async for value in stream:
            results.append(value)
            done.set()

    await app.start()
    await upper.send(value="hello")
    await asyncio.wait_for(done.wait(), 10)
    assert results == ["HELLO"]
    assert upper.channel.get_topic_name() == f"{app.conf.id}-{upper.name}"
    await app.stop()


async def test_sink_receives_yielded_values(app: faust.App) -> None:
    out = app.channel()
    got: list[int] = []
    done = asyncio.Event()

    @app.agent(out)
    async def collect(stream):
        async for v in stream:
            got.append(v)
            if len(got) == 3:
                done.set()

    @app.agent(app.topic("in", value_type=int), sink=[out])
    async def double(stream):
        async for v in stream:
            yield v * 2

    await app.start()
    for i in range(3):
        await app.topic("in", value_type=int).send(value=i)
    await asyncio.wait_for(done.wait(), 10)
    assert sorted(got) == [0, 2, 4]
    await app.stop()


async def test_sinks_need_a_yielding_agent(app: faust.App) -> None:
    @app.agent(app.channel(), sink=[app.channel()])
    async def no_yield(stream):
        async for _ in stream:
            pass

    with pytest.raises(faust.exceptions.ImproperlyConfigured, match="must yield"):
        await no_yield.start()


class TestTestContext:
    async def test_results_of_yielding_agent(self, app: faust.App) -> None:
        @app.agent(app.topic("words", value_type=str))
        async def shout(stream):
            async for word in stream:
                yield word.upper()

        async with shout.test_context() as agent:
            event = await agent.put("hello")
            assert agent.results[event.message.offset] == "HELLO"
            event2 = await agent.put("again")
            assert agent.results[event2.message.offset] == "AGAIN"

    async def test_non_yielding_agent_put_returns(self, app: faust.App) -> None:
        seen: list[int] = []

        @app.agent(app.topic("nums", value_type=int))
        async def record(stream):
            async for n in stream:
                seen.append(n)

        async with record.test_context() as agent:
            await agent.put(1)
            await agent.put(2)
        assert seen == [1, 2]

    async def test_exception_propagates_from_put(self, app: faust.App) -> None:
        @app.agent(app.topic("x", value_type=int))
        async def fragile(stream):
            async for n in stream:
                if n < 0:
                    raise ValueError("negative")
                yield n

        async with fragile.test_context() as agent:
            with pytest.raises(ValueError, match="negative"):
                await agent.put(-1)
            # the agent was restarted and keeps working
            event = await agent.put(5)
            assert agent.results[event.message.offset] == 5

    async def test_group_by_with_a_table(self, app: faust.App) -> None:
        # The pattern of Faust's testing guide: no repartition topic in a
        # test, each event gets its new key and put() returns.
        class Order(faust.Record):
            account_id: str
            amount: int

        totals = app.Table("totals", default=int)
        keys: list[str] = []

        @app.agent(app.topic("orders", value_type=Order))
        async def process(orders):
            async for event in orders.group_by(Order.account_id).events():
                keys.append(event.key)
                totals[event.value.account_id] += event.value.amount
                yield event.value

        async with process.test_context() as agent:
            first = await asyncio.wait_for(agent.put(Order("a", 3)), 10)
            await asyncio.wait_for(agent.put(Order("b", 1)), 10)
            await asyncio.wait_for(agent.put(Order("a", 4)), 10)
            assert agent.results[first.message.offset] == Order("a", 3)
        assert totals["a"] == 7 and totals["b"] == 1
        assert keys == ["a", "b", "a"]

    async def test_error_before_any_event_fails_put(self, app: faust.App) -> None:
        @app.agent(app.topic("bad", value_type=int))
        async def broken(stream):
            raise RuntimeError("cannot set up")
            yield  # pragma: no cover - makes it an async generator

        async with broken.test_context() as agent:
            with pytest.raises(RuntimeError, match="cannot set up"):
                await asyncio.wait_for(agent.put(1), 10)

    async def test_mocking_another_agents_send(self, app: faust.App) -> None:
        from unittest.mock import AsyncMock, patch

        @app.agent(app.topic("orders", value_type=str))
        async def orders(stream):
            async for order in stream:
                await billing.send(value=order)

        @app.agent(app.topic("billing", value_type=str))
        async def billing(stream):
            async for _ in stream:
                pass

        with patch.object(billing, "send", AsyncMock()) as mocked:
            async with orders.test_context() as agent:
                await agent.put("order-1")
            mocked.assert_awaited_once_with(value="order-1")


async def test_isolated_partitions_one_actor_per_partition(app: faust.App) -> None:
    topic = app.topic("iso", value_type=int, partitions=3)
    seen: dict[int, set[int]] = {}
    done = asyncio.Event()

    @app.agent(topic, isolated_partitions=True)
    async def per_partition(stream):
        (tp,) = stream.active_partitions
        async for event in stream.events():
            assert event.message.partition == tp.partition
            seen.setdefault(tp.partition, set()).add(event.value)
            if sum(len(v) for v in seen.values()) == 9:
                done.set()

    await topic.declare()
    await app.start()
    for i in range(9):
        await topic.send(value=i, partition=i % 3)
    await asyncio.wait_for(done.wait(), 10)
    assert seen == {0: {0, 3, 6}, 1: {1, 4, 7}, 2: {2, 5, 8}}
    assert len(per_partition._actor_by_partition) == 3  # type: ignore[attr-defined]
    await app.stop()


def test_isolated_partitions_needs_concurrency_1(app: faust.App) -> None:
    with pytest.raises(faust.exceptions.ImproperlyConfigured, match="isolated"):

        @app.agent(app.topic("x"), isolated_partitions=True, concurrency=2)
        async def bad(stream):
            async for _ in stream:
                pass
