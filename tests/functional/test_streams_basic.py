"""Stream iteration and operators on the embedded broker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import faust
from faust.types import TP


async def _run_until(app: faust.App, event: asyncio.Event, timeout: float = 10) -> None:
    await asyncio.wait_for(event.wait(), timeout)


async def test_items_events_enumerate(app: faust.App) -> None:
    topic = app.topic("kv", key_type=str, value_type=int, partitions=1)
    items: list[tuple[str, int]] = []
    offsets: list[int] = []
    numbered: list[tuple[int, int]] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def by_items(stream):
        async for key, value in stream.items():
            items.append((key, value))

    @app.agent(topic)
    async def by_events(stream):
        async for event in stream.events():
            offsets.append(event.message.offset)
            assert faust.current_event() is event

    @app.agent(topic)
    async def by_enumerate(stream):
        async for i, value in stream.enumerate(start=1):
            numbered.append((i, value))
            if i == 3:
                done.set()

    await app.start()
    for i in range(3):
        await topic.send(key=f"k{i}", value=i * 10, partition=0)
    await _run_until(app, done)
    for _ in range(100):
        if len(items) == 3 and len(offsets) == 3:
            break
        await asyncio.sleep(0.01)
    assert items == [("k0", 0), ("k1", 10), ("k2", 20)]
    assert offsets == [0, 1, 2]
    assert numbered == [(1, 0), (2, 10), (3, 20)]
    await app.stop()


async def test_filter_sync_and_async_acks_dropped_events(app: faust.App) -> None:
    topic = app.topic("numbers", value_type=int, partitions=1)
    kept: list[int] = []
    done = asyncio.Event()

    async def is_small(n: int) -> bool:
        return n < 8

    @app.agent(topic)
    async def evens(stream):
        async for n in stream.filter(lambda n: n % 2 == 0).filter(is_small):
            kept.append(n)
            if n == 6:
                done.set()

    await app.start()
    for i in range(10):
        await topic.send(value=i, partition=0)
    await _run_until(app, done)
    assert kept == [0, 2, 4, 6]
    broker = app.transport.broker  # type: ignore[attr-defined]
    for _ in range(200):
        committed = broker.committed_offsets(app.conf.id, [TP("numbers", 0)])
        if committed and committed[TP("numbers", 0)].offset == 10:
            break
        await asyncio.sleep(0.01)
    # 8 and 9 were filtered out, and still acked: the commit reaches the end
    assert committed[TP("numbers", 0)].offset == 10
    await app.stop()


async def test_take_batches_by_size_and_time(app: faust.App) -> None:
    topic = app.topic("batched", value_type=int, partitions=1)
    batches: list[list[int]] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def batcher(stream):
        async for batch in stream.take(3, within=0.2):
            batches.append(batch)
            if sum(len(b) for b in batches) == 4:
                done.set()

    await app.start()
    for i in range(4):
        await topic.send(value=i, partition=0)
    await _run_until(app, done)
    # a full batch of 3, then the leftover after `within` seconds
    assert batches == [[0, 1, 2], [3]]
    await app.stop()


async def test_take_without_within_waits_for_a_full_batch(app: faust.App) -> None:
    batches: list[list[int]] = []
    done = asyncio.Event()

    async def source():
        for i in range(4):
            yield i

    stream = app.stream(source())

    async def consume():
        async for batch in stream.take(2):
            batches.append(batch)
            if len(batches) == 2:
                done.set()

    task = asyncio.ensure_future(consume())
    await _run_until(app, done)
    assert batches == [[0, 1], [2, 3]]
    task.cancel()
    await stream.stop()


async def test_app_stream_over_a_list(app: faust.App) -> None:
    values = [v async for v in app.stream([1, 2, 3])]
    assert values == [1, 2, 3]


async def test_through_forwards_to_another_topic(app: faust.App) -> None:
    source = app.topic("src", value_type=str, partitions=2)
    target = app.topic("dst", value_type=str, partitions=2)
    seen: list[str] = []
    done = asyncio.Event()

    @app.agent(source)
    async def relay(stream):
        async for value in stream.through(target):
            seen.append(value)
            if len(seen) == 3:
                done.set()

    await app.start()
    for v in "abc":
        await source.send(key=v, value=v)
    await _run_until(app, done)
    assert sorted(seen) == ["a", "b", "c"]
    await app.stop()


class Purchase(faust.Record):
    user: str
    amount: int


async def test_group_by_field_repartitions_with_faust_topic_name(
    app: faust.App,
) -> None:
    topic = app.topic("purchases", value_type=Purchase, partitions=4)
    keys: list[bytes] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def by_user(stream):
        async for event in stream.group_by(Purchase.user).events():
            keys.append(event.key)
            if len(keys) == 4:
                done.set()

    await app.start()
    for i in range(4):
        await topic.send(value=Purchase(user=f"u{i % 2}", amount=i))
    await _run_until(app, done)
    assert sorted(keys) == [b"u0", b"u0", b"u1", b"u1"]
    repartition = f"{by_user.name}-purchases-Purchase.user-repartition"
    broker = app.transport.broker  # type: ignore[attr-defined]
    assert repartition in broker.list_topics()
    await app.stop()


async def test_group_by_callable_needs_name(app: faust.App) -> None:
    stream = app.stream(app.topic("t1"))
    with pytest.raises(TypeError, match="name="):
        stream.group_by(lambda v: v)


async def test_echo_sends_to_channels_and_yields(app: faust.App) -> None:
    copy = app.channel()
    copied: list[int] = []
    seen: list[int] = []
    done = asyncio.Event()

    @app.agent(copy)
    async def mirror(stream):
        async for v in stream:
            copied.append(v)
            if len(copied) == 2:
                done.set()

    @app.agent(app.topic("orig", value_type=int))
    async def main_agent(stream):
        async for v in stream.echo(copy):
            seen.append(v)

    await app.start()
    await app.topic("orig", value_type=int).send(value=1)
    await app.topic("orig", value_type=int).send(value=2)
    await _run_until(app, done)
    assert sorted(copied) == [1, 2]
    assert sorted(seen) == [1, 2]
    await app.stop()


async def test_noack_stream_commits_only_manual_acks(app: faust.App) -> None:
    topic = app.topic("manual", value_type=int, partitions=1)
    done = asyncio.Event()

    @app.agent(topic)
    async def manual(stream):
        async for event in stream.noack().events():
            if event.value < 2:
                await stream.ack(event)
            if event.value == 3:
                done.set()

    await app.start()
    for i in range(4):
        await topic.send(value=i, partition=0)
    await _run_until(app, done)
    await asyncio.sleep(0.2)  # several commit intervals
    broker = app.transport.broker  # type: ignore[attr-defined]
    committed = broker.committed_offsets(app.conf.id, [TP("manual", 0)])
    assert committed[TP("manual", 0)].offset == 2
    await app.stop()


async def test_undecodable_message_is_logged_and_skipped(
    app: faust.App, caplog: pytest.LogCaptureFixture
) -> None:
    topic = app.topic("json-values", value_type=Purchase, partitions=1)
    seen: list[Purchase] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def purchases(stream):
        async for p in stream:
            seen.append(p)
            done.set()

    await app.start()
    raw = app.topic("json-values", value_serializer="raw")
    await raw.send(value=b"{not json", partition=0)
    await topic.send(value=Purchase(user="ann", amount=3), partition=0)
    await _run_until(app, done)
    assert seen == [Purchase(user="ann", amount=3)]
    assert "json-values" in caplog.text and "offset=0" in caplog.text
    broker = app.transport.broker  # type: ignore[attr-defined]
    for _ in range(100):
        committed = broker.committed_offsets(app.conf.id, [TP("json-values", 0)])
        if committed and committed[TP("json-values", 0)].offset == 2:
            break
        await asyncio.sleep(0.01)
    assert committed[TP("json-values", 0)].offset == 2
    assert purchases.started  # the agent did not die
    assert app.monitor.metric_counts["decode_errors"] == 1  # type: ignore[attr-defined]
    await app.stop()


@pytest.mark.conf(stream_raise_decode_errors=True)
async def test_undecodable_message_raised_into_the_stream(app: faust.App) -> None:
    topic = app.topic("raised", value_type=Purchase, partitions=1)
    seen: list[Any] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def purchases(stream):
        while True:  # the documented pattern: catch around the loop, go on
            try:
                async for p in stream:
                    seen.append(p)
                    if len(seen) == 2:
                        done.set()
            except faust.exceptions.ValueDecodeError as exc:
                seen.append(exc)

    await app.start()
    raw = app.topic("raised", value_serializer="raw")
    await raw.send(value=b"{not json", partition=0)
    await topic.send(value=Purchase(user="ann", amount=3), partition=0)
    await _run_until(app, done)
    error, purchase = seen
    assert isinstance(error, faust.exceptions.ValueDecodeError)
    assert "raised" in str(error) and "offset" in str(error)
    assert purchase == Purchase(user="ann", amount=3)
    broker = app.transport.broker  # type: ignore[attr-defined]
    for _ in range(100):  # the bad message is acked: nothing stalls
        committed = broker.committed_offsets(app.conf.id, [TP("raised", 0)])
        if committed and committed[TP("raised", 0)].offset == 2:
            break
        await asyncio.sleep(0.01)
    assert committed[TP("raised", 0)].offset == 2
    await app.stop()


@pytest.mark.conf(topic_dead_letter="purchases-dlq")
async def test_undecodable_message_forwarded_to_the_dead_letter_topic(
    app: faust.App,
) -> None:
    topic = app.topic("dl-source", value_type=Purchase, partitions=1)
    dead: list[Any] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def purchases(stream):
        async for _ in stream:
            pass

    @app.agent(app.topic("purchases-dlq", value_serializer="raw", partitions=1))
    async def dead_letters(stream):
        async for event in stream.events():
            dead.append(event)
            done.set()

    await app.start()
    raw = app.topic("dl-source", value_serializer="raw", key_serializer="raw")
    await raw.send(key=b"k1", value=b"{not json", partition=0, headers=[("h", b"v")])
    await _run_until(app, done)
    (event,) = dead
    assert event.message.key == b"k1" and event.value == b"{not json"
    headers = dict(event.headers)
    assert headers["h"] == b"v"
    assert headers["faust-error"].startswith(b"ValueDecodeError")
    assert headers["faust-error-topic"] == b"dl-source"
    assert headers["faust-error-partition"] == b"0"
    assert headers["faust-error-offset"] == b"0"
    await app.stop()


async def test_channel_delivers_python_objects_to_every_subscriber(
    app: faust.App,
) -> None:
    channel = app.channel()
    first: list[object] = []
    second: list[object] = []
    done = asyncio.Event()
    payload = object()

    @app.agent(channel)
    async def one(stream):
        async for v in stream:
            first.append(v)

    @app.agent(channel)
    async def two(stream):
        async for v in stream:
            second.append(v)
            done.set()

    await app.start()
    await channel.send(value=payload)
    await _run_until(app, done)
    for _ in range(100):
        if first:
            break
        await asyncio.sleep(0.01)
    assert first == [payload] and second == [payload]
    await app.stop()


async def test_stream_throw_raises_in_async_for(app: faust.App) -> None:
    channel = app.channel()
    stream = channel.stream()

    async def consume():
        async for _ in stream:
            pass

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0)
    await stream.throw(KeyError("thrown"))
    with pytest.raises(KeyError, match="thrown"):
        await asyncio.wait_for(task, 5)
    await stream.stop()


def test_sync_iteration_is_an_error(app: faust.App) -> None:
    with pytest.raises(NotImplementedError, match="async for"):
        for _ in app.stream([1]):  # type: ignore[attr-defined]
            pass


async def test_take_events_and_noack_take(app: faust.App) -> None:
    topic = app.topic("evts", value_type=int, partitions=1)
    got: list[list[int]] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def batches(stream):
        async for events in stream.noack_take(2, within=5):
            got.append([e.value for e in events])
            for event in events:
                event.ack()
            if len(got) == 2:
                done.set()

    await app.start()
    for i in range(4):
        await topic.send(value=i, partition=0)
    await _run_until(app, done)
    assert got == [[0, 1], [2, 3]]
    broker = app.transport.broker  # type: ignore[attr-defined]
    for _ in range(100):
        committed = broker.committed_offsets(app.conf.id, [TP("evts", 0)])
        if committed and committed[TP("evts", 0)].offset == 4:
            break
        await asyncio.sleep(0.01)
    assert committed[TP("evts", 0)].offset == 4
    await app.stop()


async def test_take_with_timestamp_adds_the_message_time(app: faust.App) -> None:
    topic = app.topic("stamped", partitions=1)
    got: list[dict] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def stamped(stream):
        async for values in stream.take_with_timestamp(1, 5, "ts"):
            got.extend(values)
            done.set()

    await app.start()
    await topic.send(value={"a": 1}, partition=0, timestamp=1234.5)
    await _run_until(app, done)
    assert got == [{"a": 1, "ts": 1234.5}]
    await app.stop()


async def test_leaving_take_early_then_stopping_acks_the_batch(app: faust.App) -> None:
    # The loop body got the batch: leaving the loop means it is done with
    # it, even while the take() generator is still referenced (not closed).
    topic = app.topic("early", value_type=int, partitions=1)
    stream = app.stream(topic)
    await app.start()
    for i in range(3):
        await topic.send(value=i, partition=0)
    batches = stream.take(2, within=5)
    async for batch in batches:
        assert batch == [0, 1]
        break
    await stream.stop()
    tp = TP("early", 0)
    assert not any(m.tp == tp and m.offset < 2 for m in app.consumer.unacked)
    broker = app.transport.broker  # type: ignore[attr-defined]
    for _ in range(500):
        committed = broker.committed_offsets(app.conf.id, [tp])
        if committed and committed[tp].offset == 2:
            break
        await asyncio.sleep(0.01)
    assert committed[tp].offset == 2
    await batches.aclose()  # a later close does not ack twice
    await app.stop()
