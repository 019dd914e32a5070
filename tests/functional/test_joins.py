"""Joins on the embedded broker: stream-table and windowed stream-stream."""

from __future__ import annotations

import asyncio

import pytest

import faust
from faust.exceptions import ImproperlyConfigured
from faust.types import TP


class Order(faust.Record, serializer="json"):
    customer: str
    amount: int


async def test_stream_table_join_enriches_from_the_table(app: faust.App) -> None:
    names = app.Table("customer-names", partitions=2)
    updates = app.topic("customer-updates", key_type=str, value_type=str, partitions=2)
    orders = app.topic("orders-j", key_type=str, value_type=Order, partitions=2)
    joined: list[tuple[Order, object]] = []
    loaded = asyncio.Event()
    done = asyncio.Event()

    @app.agent(updates)
    async def load_names(stream):
        async for key, name in stream.items():
            names[key] = name
            if len(names) == 1:
                loaded.set()

    @app.agent(orders)
    async def enrich(stream):
        async for order, name in stream.left_join(names):
            joined.append((order, name))
            if len(joined) == 2:
                done.set()

    await updates.declare()
    await orders.declare()
    await app.start()
    await updates.send(key="ann", value="Ann Smith")
    await asyncio.wait_for(loaded.wait(), 10)
    await orders.send(key="ann", value=Order("ann", 5))
    await orders.send(key="bob", value=Order("bob", 7))
    await asyncio.wait_for(done.wait(), 10)
    assert sorted(joined, key=lambda p: p[0].customer) == [
        (Order("ann", 5), "Ann Smith"),
        (Order("bob", 7), None),
    ]
    await app.stop()


async def test_inner_table_join_skips_missing_keys(app: faust.App) -> None:
    prices = app.Table("prices", partitions=1)
    items = app.topic("items-j", key_type=str, value_type=str, partitions=1)
    got: list[tuple[str, object]] = []
    done = asyncio.Event()

    @app.agent(items)
    async def price(stream):
        async for event in stream.events():
            if event.value == "set":
                prices[event.key] = 3
            elif event.value == "end":
                done.set()

    await items.declare()
    await app.start()
    await items.send(key="apple", value="set", partition=0)

    @app.agent(app.topic("lookups-j", key_type=str, value_type=str, partitions=1))
    async def lookup(stream):
        async for value, cost in stream.join(prices, key=lambda v: v):
            got.append((value, cost))

    await lookup.start()
    await app.topic("lookups-j", key_type=str, value_type=str).send(
        key="x", value="pear", partition=0
    )
    await app.topic("lookups-j", key_type=str, value_type=str).send(
        key="x", value="apple", partition=0
    )
    for _ in range(200):
        if got:
            break
        await asyncio.sleep(0.01)
    assert got == [("apple", 3)]
    await lookup.stop()
    await app.stop()


async def test_windowed_stream_stream_join(app: faust.App) -> None:
    clicks = app.topic("clicks", key_type=str, value_type=str, partitions=1)
    views = app.topic("views", key_type=str, value_type=str, partitions=1)
    pairs: list[tuple[object, object]] = []
    done = asyncio.Event()

    @app.agent(clicks)
    async def click_view(stream):
        async for click, view in stream.left_join(views, within=10):
            pairs.append((click, view))
            if (None, None) in pairs or len(pairs) == 2:
                done.set()

    await app.start()
    await views.send(key="u1", value="home", timestamp=100.0, partition=0)
    await clicks.send(key="u1", value="buy", timestamp=105.0, partition=0)
    await clicks.send(key="u2", value="lonely", timestamp=106.0, partition=0)
    # later values on both sides move event time on: u2's click leaves
    await clicks.send(key="u3", value="later", timestamp=200.0, partition=0)
    await views.send(key="u4", value="later", timestamp=200.0, partition=0)
    await asyncio.wait_for(done.wait(), 10)
    assert pairs == [("buy", "home"), ("lonely", None)]
    await app.stop()


def test_join_needs_a_table_or_a_stream(app: faust.App) -> None:
    stream = app.stream(app.topic("t-j"))
    with pytest.raises(ImproperlyConfigured, match="one table or stream"):
        stream.join(Order.customer)
    with pytest.raises(ImproperlyConfigured, match="within="):
        stream.join(app.topic("other-j"))


async def test_left_join_with_an_idle_side_emits_acks_and_stays_bounded(
    app: faust.App,
) -> None:
    # 2,000 left events over 200,000 s of event time, nothing on the right:
    # windows close by stream time, so results come out, the window holds
    # at most 2 * within + grace of event time and offsets are committed.
    lefts = app.topic("lefts", key_type=str, value_type=int, partitions=1)
    rights = app.topic("rights", key_type=str, value_type=int, partitions=1)
    pairs: list[tuple[object, object]] = []
    windows: list[int] = []
    done = asyncio.Event()

    @app.agent(lefts)
    async def joiner(stream):
        joined = stream.left_join(rights, within=10, grace=5)
        async for left, right in joined:
            pairs.append((left, right))
            windows.append(len(joined._state))
            if len(pairs) == 1999:
                done.set()

    await app.start()
    for n in range(2000):
        await lefts.send(key=f"k{n}", value=n, timestamp=n * 100.0, partition=0)
    await asyncio.wait_for(done.wait(), 30)
    assert pairs == [(n, None) for n in range(1999)]
    assert max(windows) <= 2
    broker = app.transport.broker  # type: ignore[attr-defined]
    tp = TP("lefts", 0)
    for _ in range(200):
        committed = broker.committed_offsets(app.conf.id, [tp])
        if committed and committed[tp].offset >= 1999:
            break
        await asyncio.sleep(0.02)
    assert committed[tp].offset >= 1999
    await app.stop()
