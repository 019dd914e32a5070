"""More agent and stream behaviour: supervisors, back-pressure, forwarding."""

from __future__ import annotations

import asyncio
from collections import Counter

import mode
import pytest

import faust
from faust.types import TP


async def test_one_for_all_supervisor_restarts_every_actor(app: faust.App) -> None:
    topic = app.topic("ofa", value_type=int, partitions=1)
    starts: list[int | None] = []
    done = asyncio.Event()

    @app.agent(topic, concurrency=2, supervisor_strategy=mode.OneForAllSupervisor)
    async def crashy(stream):
        starts.append(stream.concurrency_index)
        if len(starts) == 4:
            done.set()
        async for n in stream:
            if n == 0:
                raise RuntimeError("crash once")

    await app.start()
    await topic.send(value=0, partition=0)
    await asyncio.wait_for(done.wait(), 10)
    # both actors started twice: the crash of one restarted all
    assert sorted(starts) == [0, 0, 1, 1]
    await app.stop()


async def test_crashing_supervisor_propagates_to_the_app(app: faust.App) -> None:
    topic = app.topic("crashing", value_type=int, partitions=1)

    @app.agent(topic, supervisor_strategy=mode.CrashingSupervisor)
    async def fatal(stream):
        async for _ in stream:
            raise RuntimeError("fatal")

    await app.start()
    await topic.send(value=1, partition=0)
    for _ in range(500):
        if app.crashed:
            break
        await asyncio.sleep(0.01)
    assert app.crashed
    assert isinstance(app.crash_reason, RuntimeError)
    await app.stop()


@pytest.mark.conf(stream_buffer_maxsize=4)
async def test_buffer_limit_applies_back_pressure_without_losing_events(
    app: faust.App,
) -> None:
    topic = app.topic("pressure", value_type=int, partitions=1)
    release = asyncio.Event()
    seen: list[int] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def slow(stream):
        async for n in stream:
            await release.wait()
            seen.append(n)
            if len(seen) == 50:
                done.set()

    await app.start()
    for i in range(50):
        await topic.send(value=i, partition=0)
    await asyncio.sleep(0.2)
    # the agent holds one event, its buffer holds at most 4
    assert len(slow.channel_iterator.queue) <= 4  # type: ignore[attr-defined]
    release.set()
    await asyncio.wait_for(done.wait(), 10)
    assert seen == list(range(50))
    await app.stop()


async def test_event_forward_keeps_bytes_and_send_reserializes(app: faust.App) -> None:
    source = app.topic("fw-src", key_type=str, value_type=int, partitions=1)
    raw_out = app.topic("fw-raw", value_serializer="raw", partitions=1)
    json_out = app.topic("fw-json", value_type=int, partitions=1)
    done = asyncio.Event()

    @app.agent(source)
    async def relay(stream):
        async for event in stream.events():
            await event.forward(raw_out)
            await event.send(json_out, value=event.value + 1)
            done.set()

    await raw_out.declare()
    await json_out.declare()
    await app.start()
    await source.send(key="k", value=41, partition=0, headers={"h": b"v"})
    await asyncio.wait_for(done.wait(), 10)
    await app.maybe_flush_producer()
    broker = app.transport.broker  # type: ignore[attr-defined]
    (forwarded,) = broker.fetch(TP("fw-raw", 0), 0).records
    offset, key, value, timestamp, ts_type, headers = forwarded
    assert (key, value) == (b"k", b"41")
    assert dict(headers) == {"h": b"v"}
    (sent,) = broker.fetch(TP("fw-json", 0), 0).records
    assert sent[2] == b"42"
    await app.stop()


async def test_headers_and_timestamps_reach_the_event(app: faust.App) -> None:
    topic = app.topic("meta", partitions=1)
    got: list[tuple[dict, float]] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def meta(stream):
        async for event in stream.events():
            got.append((event.headers, event.message.timestamp))
            done.set()

    await app.start()
    await topic.send(value="x", headers=[("a", b"1")], timestamp=1700000000.5)
    await asyncio.wait_for(done.wait(), 10)
    assert got == [({"a": b"1"}, 1700000000.5)]
    await app.stop()


async def test_current_agent_inside_the_agent(app: faust.App) -> None:
    from faust.agents import current_agent

    seen: list[object] = []
    done = asyncio.Event()

    @app.agent(app.channel())
    async def who(stream):
        async for _ in stream:
            seen.append(current_agent())
            done.set()

    await app.start()
    await who.send(value=1)
    await asyncio.wait_for(done.wait(), 5)
    assert seen == [who]
    await app.stop()


class _Item(faust.Record, serializer="json"):
    account: str
    n: int


async def test_group_by_agent_restarted_after_a_crash_processes_each_event_once(
    app: faust.App,
) -> None:
    topic = app.topic("items", value_type=_Item, partitions=2)
    seen: Counter[int] = Counter()
    crashed = asyncio.Event()

    @app.agent(topic)
    async def process(stream):
        async for item in stream.group_by(_Item.account):
            seen[item.n] += 1
            if item.n == 3 and not crashed.is_set():
                crashed.set()
                raise RuntimeError("boom")

    await app.start()
    for i in range(10):
        await topic.send(value=_Item(account=f"a{i % 3}", n=i))
    await asyncio.wait_for(crashed.wait(), 10)
    for i in range(10, 40):
        await topic.send(value=_Item(account=f"a{i % 3}", n=i))

    async def all_seen() -> None:
        while len(seen) < 40:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(all_seen(), 10)
    assert set(seen) == set(range(40))
    assert all(count == 1 for count in seen.values()), seen
    await app.stop()


class HookedAgent(faust.Agent):
    """Records the partition hooks Faust's agents call."""

    def __post_init__(self) -> None:
        self.hook_calls: list[tuple[str, frozenset]] = []
        self.assigned = asyncio.Event()

    async def on_shared_partitions_assigned(self, assigned):
        self.hook_calls.append(("shared+", frozenset(assigned)))
        self.assigned.set()

    async def on_isolated_partitions_assigned(self, assigned):
        self.hook_calls.append(("isolated+", frozenset(assigned)))
        await super().on_isolated_partitions_assigned(assigned)
        self.assigned.set()


@pytest.mark.conf(Agent=HookedAgent, topic_partitions=2)
async def test_shared_and_isolated_partition_hooks(app: faust.App) -> None:
    shared_topic = app.topic("shared-in")
    isolated_topic = app.topic("isolated-in")

    @app.agent(shared_topic)
    async def shared(stream):
        async for _ in stream:
            pass

    @app.agent(isolated_topic, isolated_partitions=True)
    async def isolated(stream):
        async for _ in stream:
            pass

    await app.start()
    assert isinstance(shared, HookedAgent)
    await shared_topic.send(value=b"x")  # the topics exist once written to
    await isolated_topic.send(value=b"x")
    await asyncio.wait_for(shared.assigned.wait(), 10)
    await asyncio.wait_for(isolated.assigned.wait(), 10)
    (kind, tps), *_ = shared.hook_calls
    assert kind == "shared+" and {tp.topic for tp in tps} == {"shared-in"}
    (kind, tps), *_ = isolated.hook_calls
    assert kind == "isolated+" and len(tps) == 2
    assert len(isolated._actor_by_partition) == 2  # the default still ran


async def test_actor_from_stream(app: faust.App) -> None:
    @app.agent()
    async def double(stream):
        async for value in stream:
            yield value * 2

    stream = app.stream([1, 2, 3])
    actor = double.actor_from_stream(stream, index=0)
    assert actor.stream is stream
    assert actor.index == 0
