"""stream.combine and ``a & b`` on the embedded broker: all sources, acked once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

import faust
from faust.exceptions import ImproperlyConfigured
from faust.types import TP


def _committed(app: faust.App, tp: TP) -> int | None:
    found = app.transport.broker.committed_offsets(app.conf.id, [tp])  # type: ignore[attr-defined]
    return found[tp].offset if tp in found else None


async def _until(predicate, timeout: float = 10) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def test_and_yields_events_of_both_topics_and_commits_both(
    app: faust.App,
) -> None:
    orders = app.topic("orders", value_type=str, partitions=1)
    refunds = app.topic("refunds", value_type=str, partitions=1)
    seen: list[str] = []

    @app.agent(orders)
    async def process(stream):
        async for value in stream & app.stream(refunds):
            seen.append(value)

    await app.start()
    for i in range(5):
        await orders.send(value=f"order-{i}", partition=0)
        await refunds.send(value=f"refund-{i}", partition=0)
    await _until(lambda: len(seen) == 10)
    assert sorted(seen) == sorted(
        [f"order-{i}" for i in range(5)] + [f"refund-{i}" for i in range(5)]
    )
    # per source, the order of the topic is kept
    assert [v for v in seen if v.startswith("refund")] == [
        f"refund-{i}" for i in range(5)
    ]
    # every event was acked: both topics are committed to their end
    await _until(
        lambda: (
            _committed(app, TP("orders", 0)) == 5
            and _committed(app, TP("refunds", 0)) == 5
        )
    )
    await app.stop()


async def test_combine_with_a_channel_and_processors_apply_to_all(
    app: faust.App,
) -> None:
    numbers = app.topic("numbers", value_type=int, partitions=1)
    extra = app.channel(value_type=int)
    seen: list[int] = []

    @app.agent(numbers)
    async def process(stream):
        combined = stream.combine(extra)
        combined.add_processor(lambda v: v * 10)
        async for value in combined:
            seen.append(value)

    await app.start()
    await numbers.send(value=1, partition=0)
    await _until(lambda: seen == [10])  # the agent is iterating: extra is fed now
    await extra.send(value=2)
    await numbers.send(value=3, partition=0)
    await _until(lambda: len(seen) == 3)
    assert sorted(seen) == [10, 20, 30]
    await app.stop()


async def test_restarted_agent_combines_again_without_duplicates(
    app: faust.App,
) -> None:
    main = app.topic("main", value_type=int, partitions=1)
    side = app.topic("side", value_type=int, partitions=1)
    seen: Counter[int] = Counter()
    crashed = asyncio.Event()

    @app.agent(main)
    async def process(stream):
        async for value in stream & app.stream(side):
            seen[value] += 1
            if value == 0 and not crashed.is_set():
                crashed.set()
                raise RuntimeError("boom")

    await app.start()
    await main.send(value=0, partition=0)
    await _until(crashed.is_set)
    for i in range(1, 6):
        await side.send(value=100 + i, partition=0)
        await main.send(value=i, partition=0)
    await _until(lambda: len(seen) == 11)
    await asyncio.sleep(0)
    assert set(seen) == {0, 1, 2, 3, 4, 5, 101, 102, 103, 104, 105}
    assert all(n == 1 for n in seen.values()), seen
    await app.stop()


async def test_combining_a_table_is_refused_with_advice(app: faust.App) -> None:
    topic = app.topic("t", value_type=int, partitions=1)
    table = app.Table("totals", default=int)
    stream = app.stream(topic)
    with pytest.raises(ImproperlyConfigured, match="stream.join"):
        stream & table


async def test_a_stream_over_an_iterable_cannot_be_combined(app: faust.App) -> None:
    topic = app.topic("t", value_type=int, partitions=1)
    with pytest.raises(ImproperlyConfigured, match="topic or channel"):
        app.stream([1, 2, 3]).combine(topic)
    with pytest.raises(ImproperlyConfigured, match="streams, topics or channels"):
        app.stream(topic).combine([1, 2])


async def test_stopping_a_combined_stream_stops_its_sources_and_unsubscribes(
    app: faust.App,
) -> None:
    left = app.topic("left", value_type=int, partitions=1)
    right = app.topic("right", value_type=int, partitions=1)
    await app.start()
    s1, s2 = app.stream(left), app.stream(right)
    combined = s1 & s2
    for i in range(1, 4):
        await left.send(value=i, partition=0)
    async for value in combined:
        assert value == 1
        break
    await combined.stop()
    assert s1.should_stop and s2.should_stop
    # nothing is delivered any more into queues nobody reads
    assert not {t for t in app.topics if {"left", "right"} & set(t.topics)}
    # and what was buffered is forgotten (read again later), not awaited by
    # the next rebalance
    assert not [
        m for m in app.consumer.unacked if m.tp.topic == "left" and m.offset > 0
    ]
    await app.stop()


async def test_stopping_a_plain_stream_drops_the_subscription_it_made(
    app: faust.App,
) -> None:
    orders = app.topic("orders", value_type=int, partitions=1)
    stream = app.stream(orders)
    assert stream.channel in app.topics
    await stream.stop()
    assert stream.channel not in app.topics
    # a stream over an existing subscription (an agent's) leaves it alone
    subscription = aiter(orders)
    other = app.stream(subscription)
    await other.stop()
    assert subscription in app.topics
