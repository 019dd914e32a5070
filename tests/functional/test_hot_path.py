"""The per-event path on the embedded broker: batch delivery, decoding,
processors, sensors, producing and the bounds that keep memory flat."""

from __future__ import annotations

import asyncio
import types
from typing import Any

import pytest

import faust
from faust.sensors import Sensor
from faust.types import TP


class Item(faust.Record, serializer="json"):
    n: int


async def _wait(predicate: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def _committed(app: faust.App, tp: TP) -> Any:
    broker = app.transport.broker  # type: ignore[attr-defined]
    found = broker.committed_offsets(app.conf.id, [tp])
    return found[tp].offset if tp in found else None


async def test_a_batch_of_two_topics_reaches_both_streams_in_order(
    app: faust.App,
) -> None:
    left = app.topic("left", value_type=int, partitions=1)
    right = app.topic("right", value_type=int, partitions=1)
    got: dict[str, list[int]] = {"left": [], "right": []}

    @app.agent(left)
    async def on_left(stream):
        async for n in stream:
            got["left"].append(n)

    @app.agent(right)
    async def on_right(stream):
        async for n in stream:
            got["right"].append(n)

    for i in range(300):  # produced before start: fetched in shared batches
        await left.send(value=i, partition=0)
        await right.send(value=-i, partition=0)
    await app.start()
    await _wait(lambda: len(got["left"]) == 300 and len(got["right"]) == 300)
    assert got["left"] == list(range(300))
    assert got["right"] == [-i for i in range(300)]
    await _wait(lambda: _committed(app, TP("left", 0)) == 300)
    await app.stop()


async def test_processors_may_return_awaitables_and_skip(app: faust.App) -> None:
    topic = app.topic("proc", value_type=int, partitions=1)
    seen: list[Any] = []

    async def double(value: int) -> int:
        return value * 2

    def later(value: int) -> Any:  # a plain function returning a coroutine
        return double(value)

    @types.coroutine
    def old_style(value: int) -> Any:  # a generator-based coroutine
        yield from asyncio.sleep(0).__await__()
        return value + 1

    def keep_tuples(value: Any) -> Any:
        return (value,) if value < 20 else value  # a plain generator-free value

    @app.agent(topic)
    async def agent(stream):
        stream.add_processor(later)
        stream.add_processor(old_style)
        stream.add_processor(keep_tuples)
        async for value in stream.filter(lambda v: v != (3,)):
            seen.append(value)

    await app.start()
    for i in range(12):
        await topic.send(value=i, partition=0)
    await _wait(lambda: len(seen) == 11)
    assert seen[:3] == [(1,), (5,), (7,)]
    assert seen[-1] == 23
    await _wait(lambda: _committed(app, TP("proc", 0)) == 12)  # skipped: acked
    await app.stop()


async def test_a_sensor_added_while_streaming_sees_the_next_events(
    app: faust.App,
) -> None:
    topic = app.topic("sensed", value_type=int, partitions=1)
    seen: list[int] = []

    class Count(Sensor):
        messages = 0
        events = 0
        outs = 0

        def on_message_in(self, *args: Any) -> None:
            Count.messages += 1

        def on_stream_event_in(self, *args: Any) -> Any:
            Count.events += 1
            return "state"

        def on_stream_event_out(self, *args: Any) -> None:
            assert args[-1] == "state"
            Count.outs += 1

    @app.agent(topic)
    async def agent(stream):
        async for n in stream:
            seen.append(n)

    await app.start()
    await topic.send(value=0, partition=0)
    await _wait(lambda: seen == [0])
    app.sensors.add(Count())
    for i in range(1, 4):
        await topic.send(value=i, partition=0)
    await _wait(lambda: len(seen) == 4)
    await _wait(lambda: Count.outs == 3)
    assert Count.events == 3
    assert Count.messages == 3  # the conductor's delivery sees it too
    await app.stop()


async def test_tombstones_reach_an_allow_empty_topic(app: faust.App) -> None:
    topic = app.topic("tomb", value_type=Item, partitions=1, allow_empty=True)
    seen: list[Any] = []

    @app.agent(topic)
    async def agent(stream):
        async for event in stream.events():
            seen.append((event.key, event.value))

    await app.start()
    await topic.send(key=b"a", value=Item(n=1), partition=0)
    raw = app.topic("tomb", value_serializer="raw")
    await raw.send(key=b"a", value=None, partition=0)  # a real tombstone
    await _wait(lambda: len(seen) == 2)
    assert seen == [(b"a", Item(n=1)), (b"a", None)]
    await app.stop()


async def test_produce_signal_receivers_still_add_headers(app: faust.App) -> None:
    topic = app.topic("signalled", value_type=int, partitions=1)
    headers: list[Any] = []

    @app.agent(topic)
    async def agent(stream):
        async for event in stream.events():
            headers.append(event.headers)

    await app.start()
    await topic.send(value=1, partition=0)  # no receiver: sent as is
    await _wait(lambda: len(headers) == 1)

    def add_trace(sender: Any, *, headers: Any, **kwargs: Any) -> None:
        headers.append(("trace", b"t1"))

    app.on_produce_message.connect(add_trace)
    await topic.send(value=2, partition=0)
    await _wait(lambda: len(headers) == 2)
    assert headers == [{}, {"trace": b"t1"}]
    await app.stop()


@pytest.mark.conf(stream_buffer_maxsize=8)
async def test_send_soon_output_is_published_before_more_is_taken_in(
    app: faust.App,
) -> None:
    source = app.topic("burst", value_type=int, partitions=1)
    out = app.topic("burst-out", value_type=int, partitions=1)
    high = 0

    @app.agent(source)
    async def agent(stream):
        nonlocal high
        async for n in stream:
            for _ in range(50):  # much output per event, buffered
                out.send_soon(value=n)
            high = max(high, app.producer.buffer.size)

    for i in range(200):
        await source.send(value=i, partition=0)
    await app.start()
    broker = app.transport.broker  # type: ignore[attr-defined]
    await _wait(lambda: _committed(app, TP("burst", 0)) == 200)
    await app.producer.flush()
    parts = [TP("burst-out", p) for p in range(app.conf.topic_partitions)]
    assert sum(broker.end_offsets(parts).values()) == 200 * 50
    # the buffer stayed near its bound: the stream buffer's worth of events
    assert high <= (8 + 2) * 50 + app.producer.buffer.max_messages
    await app.stop()


async def test_group_by_topic_is_in_the_first_subscription(app: faust.App) -> None:
    topic = app.topic("gb-src", value_type=Item, partitions=1)
    subscriptions: list[frozenset[str]] = []
    consumer = app.consumer
    subscribe = consumer.subscribe

    async def recording(topics: Any) -> None:
        subscriptions.append(frozenset(topics))
        await subscribe(topics)

    consumer.subscribe = recording  # type: ignore[method-assign]

    @app.agent(topic)
    async def agent(stream):
        async for _item in stream.group_by(Item.n, name="by-n"):
            pass

    await app.start()
    await _wait(lambda: bool(subscriptions))
    assert any(name.endswith("by-n-repartition") for name in subscriptions[0])
    await app.stop()
