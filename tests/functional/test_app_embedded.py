"""An app embedded in someone else's asyncio program, on the embedded broker."""

from __future__ import annotations

import asyncio

import pytest

import faust
from faust.types import TP


async def test_agent_consumes_what_app_sends(app: faust.App) -> None:
    topic = app.topic("greetings", value_type=str)
    seen: list[str] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def greet(stream):
        async for name in stream:
            seen.append(name)
            if len(seen) == 10:
                done.set()

    await app.start()
    for i in range(10):
        await topic.send(key=f"k{i}", value=f"name-{i}")
    await asyncio.wait_for(done.wait(), 10)
    assert sorted(seen) == sorted(f"name-{i}" for i in range(10))
    await app.stop()


async def test_offsets_committed_after_processing(app: faust.App) -> None:
    topic = app.topic("orders", value_type=str, partitions=1)
    processed = asyncio.Event()

    @app.agent(topic)
    async def handle(stream):
        count = 0
        async for _ in stream:
            count += 1
            if count == 3:
                processed.set()

    await app.start()
    for i in range(3):
        await topic.send(value=str(i), partition=0)
    await asyncio.wait_for(processed.wait(), 10)
    await app.stop()
    broker = app.transport.broker  # type: ignore[attr-defined]
    committed = broker.committed_offsets(app.conf.id, [TP("orders", 0)])
    assert committed[TP("orders", 0)].offset == 3


async def test_restarted_app_resumes_from_committed_offset(
    broker_url: str, tmp_path
) -> None:
    received: list[str] = []

    def make_app(expected: int, done: asyncio.Event) -> faust.App:
        app = faust.App(
            "resume-app",
            broker=broker_url,
            web_enabled=False,
            datadir=str(tmp_path),
            broker_commit_interval=0.05,
        )
        topic = app.topic("events", value_type=str, partitions=1)

        @app.agent(topic)
        async def consume(stream):
            async for value in stream:
                received.append(value)
                if len(received) == expected:
                    done.set()

        return app

    first_done = asyncio.Event()
    first = make_app(2, first_done)
    await first.start()
    await first.topic("events", value_type=str).send(value="a", partition=0)
    await first.topic("events", value_type=str).send(value="b", partition=0)
    await asyncio.wait_for(first_done.wait(), 10)
    await first.stop()

    second_done = asyncio.Event()
    second = make_app(3, second_done)
    await second.topic("events", value_type=str).send(value="c", partition=0)
    await second.start()
    await asyncio.wait_for(second_done.wait(), 10)
    await second.stop()
    # a and b were committed by the first app: the second reads only c
    assert received == ["a", "b", "c"]


async def test_two_apps_in_one_process(broker_url: str, tmp_path) -> None:
    producer_app = faust.App(
        "app-one", broker=broker_url, web_enabled=False, datadir=str(tmp_path / "1")
    )
    consumer_app = faust.App(
        "app-two", broker=broker_url, web_enabled=False, datadir=str(tmp_path / "2")
    )
    got = asyncio.Event()
    values: list[int] = []

    @consumer_app.agent(consumer_app.topic("numbers", value_type=int))
    async def numbers(stream):
        async for n in stream:
            values.append(n)
            got.set()

    await consumer_app.start()
    await producer_app.topic("numbers", value_type=int).send(value=42)
    await asyncio.wait_for(got.wait(), 10)
    assert values == [42]
    await consumer_app.stop()
    await producer_app.stop()


async def test_app_start_installs_no_signal_handlers(app: faust.App) -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    await app.start()
    assert signal.getsignal(signal.SIGTERM) is before
    await app.stop()


async def test_task_runs_after_start(app: faust.App) -> None:
    ran = asyncio.Event()

    @app.task
    async def on_started():
        ran.set()

    @app.task()
    async def with_app(the_app):
        assert the_app is app

    await app.start()
    await asyncio.wait_for(ran.wait(), 5)
    await app.stop()


@pytest.mark.conf(broker="nope://localhost")
async def test_unknown_broker_scheme_is_a_clear_error(app: faust.App) -> None:
    with pytest.raises(
        faust.exceptions.ImproperlyConfigured, match="Unknown broker scheme 'nope://'"
    ):
        await app.start()


async def test_stop_lets_in_flight_event_finish_and_commits_it(app: faust.App) -> None:
    topic = app.topic("slow", value_type=int, partitions=1)
    started = asyncio.Event()
    release = asyncio.Event()
    finished: list[int] = []

    @app.agent(topic)
    async def slow(stream):
        async for n in stream:
            started.set()
            await release.wait()
            finished.append(n)

    await app.start()
    await topic.send(value=1, partition=0)
    await topic.send(value=2, partition=0)
    await asyncio.wait_for(started.wait(), 10)
    stopping = asyncio.ensure_future(app.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waiting for the event being processed
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert finished == [1]
    broker = app.transport.broker  # type: ignore[attr-defined]
    committed = broker.committed_offsets(app.conf.id, [TP("slow", 0)])
    # 1 was processed and committed; 2 was never processed: read again later
    assert committed[TP("slow", 0)].offset == 1


@pytest.mark.conf(stream_publish_on_commit=True, broker_commit_interval=3600)
async def test_publish_on_commit_holds_output_until_commit(app: faust.App) -> None:
    source = app.topic("in-poc", value_type=int, partitions=1)
    target = app.topic("out-poc", value_type=int, partitions=1)
    processed = asyncio.Event()

    @app.agent(source)
    async def relay(stream):
        async for n in stream:
            await target.send(value=n * 10, partition=0)
            processed.set()

    await target.declare()
    await app.start()
    await source.send(value=1, partition=0)
    await asyncio.wait_for(processed.wait(), 10)
    broker = app.transport.broker  # type: ignore[attr-defined]
    out = TP("out-poc", 0)
    assert broker.end_offsets([out])[out] == 0  # held back until the commit
    for _ in range(100):  # the input event is acked when the agent loops on
        if await app.commit(None):
            break
        await asyncio.sleep(0.01)
    assert broker.end_offsets([out])[out] == 1
    await app.stop()
