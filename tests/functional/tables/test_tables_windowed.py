"""Windowed tables: ranges, WindowSet reads, key index, expiry, on_window_close."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from tables_helpers import AppFactory, changelog_records, start_and_recover, wait_for

import faust


class Reading(faust.Record):
    sensor: str
    time: float
    value: int = 1


def windowed_app(
    make_app: AppFactory,
    build: Callable[[Any], Any],
    on_event: Callable[[Any, Any], Any],
    store: str = "memory://",
    **options: Any,
):
    """An app with one windowed table and an agent calling ``on_event``."""
    app = make_app(store=store, **options)
    topic = app.topic("readings", value_type=Reading, key_type=str)
    table = app.Table("wt", default=int)
    wtable = build(table)
    results: list[Any] = []

    @app.agent(topic)
    async def process(stream):
        async for reading in stream:
            results.append(on_event(wtable, reading))

    async def send(*readings: Reading) -> list[Any]:
        start = len(results)
        for r in readings:  # one key: one partition, in order
            await topic.send(key="k", value=r, timestamp=r.time)
        await wait_for(lambda: len(results) >= start + len(readings))
        return results[start:]

    return app, table, wtable, send


async def test_tumbling_counts_and_windowset_reads(
    make_app: AppFactory, store: str
) -> None:
    def on_event(wt: Any, r: Reading) -> Any:
        wt[r.sensor] += r.value
        ws = wt[r.sensor]
        return ws.current(), ws.value(), ws.delta(10)

    app, table, wtable, send = windowed_app(
        make_app, lambda t: t.tumbling(10), on_event, store=store
    )
    await start_and_recover(app)
    got = await send(
        Reading("s", 1), Reading("s", 5), Reading("s", 12), Reading("s", 25)
    )
    assert got == [(1, 1, 0), (2, 2, 0), (1, 1, 2), (1, 1, 1)]
    assert dict(table.items()) == {
        ("s", (0.0, 9.9)): 2,
        ("s", (10.0, 19.9)): 1,
        ("s", (20.0, 29.9)): 1,
    }
    ws = wtable["s"]  # outside a stream: specific ranges still work
    assert ws[(10.0, 19.9)] == 1
    await app.maybe_flush_producer()
    keys = {key for _, key, _ in changelog_records(app, table)}
    assert b'["s",[0.0,9.9]]' in keys  # window ranges keyed like Faust
    await app.stop()


async def test_hopping_writes_every_window_of_the_timestamp(
    make_app: AppFactory,
) -> None:
    def on_event(wt: Any, r: Reading) -> Any:
        wt[r.sensor] += 1
        return wt[r.sensor].current()

    app, table, _, send = windowed_app(make_app, lambda t: t.hopping(10, 5), on_event)
    await start_and_recover(app)
    assert await send(Reading("s", 12), Reading("s", 13), Reading("s", 16)) == [1, 2, 1]
    assert dict(table.items()) == {
        ("s", (5.0, 14.9)): 2,
        ("s", (10.0, 19.9)): 3,
        ("s", (15.0, 24.9)): 1,
    }
    await app.stop()


async def test_sliding_window(make_app: AppFactory) -> None:
    def on_event(wt: Any, r: Reading) -> Any:
        wt[r.sensor] = r.value
        return wt[r.sensor].current()

    app, table, _, send = windowed_app(
        make_app, lambda t: t.sliding(5, 2, expires=100), on_event
    )
    await start_and_recover(app)
    assert await send(Reading("s", 50, value=7)) == [7]
    assert dict(table.items()) == {("s", (45.0, 52.0)): 7}
    await app.stop()


async def test_relative_to_field_and_now(make_app: AppFactory) -> None:
    def on_event(wt: Any, r: Reading) -> Any:
        wt[r.sensor] += 1
        return wt[r.sensor].value(), wt[r.sensor].now()

    app, table, _, send = windowed_app(
        make_app,
        lambda t: t.tumbling(100).relative_to_field(Reading.time),
        on_event,
    )
    await start_and_recover(app)
    now = time.time()
    got = await send(Reading("s", now), Reading("s", 5.0))
    assert got[0] == (1, 1)  # the field says "now": both reads see it
    assert got[1] == (1, 1)  # the field says 5: a window of its own
    assert ("s", (0.0, 99.9)) in table
    await app.stop()


async def test_in_place_operators_assignment_and_delete(make_app: AppFactory) -> None:
    def on_event(wt: Any, r: Reading) -> Any:
        if r.value == 1:
            wt[r.sensor] = 10
            wt[r.sensor] -= 3
            wt[r.sensor] *= 2
            wt[r.sensor] //= 7
            wt[r.sensor] |= 4
        elif r.value == 2:
            del wt[r.sensor]
        return wt[r.sensor].current(), r.sensor in wt

    app, table, _, send = windowed_app(make_app, lambda t: t.tumbling(10), on_event)
    await start_and_recover(app)
    assert await send(Reading("s", 1, value=1)) == [(6, True)]
    assert await send(Reading("s", 2, value=2)) == [(0, False)]
    assert dict(table.items()) == {}
    await app.stop()


async def test_key_index_iteration(make_app: AppFactory) -> None:
    def on_event(wt: Any, r: Reading) -> Any:
        wt[r.sensor] += r.value
        return (
            len(wt),
            sorted(wt.keys()),
            sorted(wt.items().current()),
            sorted(wt.values().delta(10)),
        )

    app, table, wtable, send = windowed_app(
        make_app, lambda t: t.tumbling(10, key_index=True), on_event
    )
    await start_and_recover(app)
    await send(Reading("a", 1, value=5))
    got = await send(Reading("b", 12, value=3))
    assert got == [(2, ["a", "b"], [("a", 0), ("b", 3)], [0, 5])]
    assert sorted(wtable) == ["a", "b"]
    assert wtable.key_index_table.name == "wt-key_index"
    assert app.tables["wt-key_index"] is wtable.key_index_table
    await app.stop()


async def test_without_key_index_iteration_says_how_to_enable(
    make_app: AppFactory,
) -> None:
    app = make_app()
    wtable = app.Table("wt", default=int).tumbling(10)
    with pytest.raises(NotImplementedError, match="key_index=True"):
        len(wtable)
    with pytest.raises(NotImplementedError, match="key_index=True"):
        wtable.keys()
    with pytest.raises(NotImplementedError):
        wtable["k"].items()
    with pytest.raises(RuntimeError, match="outside of stream"):
        wtable["k"].current()


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_expiry_closes_each_window_once(
    make_app: AppFactory,
    store: str,
    asynchronous: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed: list[tuple[Any, Any]] = []

    if asynchronous:

        async def on_close(key: Any, value: Any) -> None:
            await asyncio.sleep(0)
            closed.append((key, value))

    else:

        def on_close(key: Any, value: Any) -> None:
            closed.append((key, value))

    def on_event(wt: Any, r: Reading) -> Any:
        wt[r.sensor] += 1
        return wt[r.sensor].current()

    app = make_app(store=store)
    topic = app.topic("readings", value_type=Reading, key_type=str)
    table = app.Table("wt", default=int, on_window_close=on_close)
    wtable = table.tumbling(10, expires=10)
    results: list[Any] = []

    @app.agent(topic)
    async def process(stream):
        async for reading in stream:
            results.append(on_event(wtable, reading))

    async def send(*readings: Reading) -> None:
        start = len(results)
        for r in readings:
            await topic.send(key="k", value=r, timestamp=r.time)
        await wait_for(lambda: len(results) >= start + len(readings))

    await start_and_recover(app)
    await send(Reading("s", 1), Reading("s", 5), Reading("s", 15))
    assert closed == []  # event time has not moved far enough
    await send(Reading("s", 35))
    await wait_for(lambda: len(closed) == 2)
    assert closed == [(("s", (0.0, 9.9)), 2), (("s", (10.0, 19.9)), 1)]
    assert dict(table.items()) == {("s", (30.0, 39.9)): 1}
    # a late event for a closed window is dropped, nothing is re-opened;
    # the drop is counted (Monitor, /metrics) and logged
    assert app.monitor.tables["wt"].late_events == 0
    with caplog.at_level(logging.WARNING, logger="faust.tables.table"):
        await send(Reading("s", 3))
    assert results[-1] == 0
    assert app.monitor.tables["wt"].late_events == 1
    assert "Table 'wt' dropped a write for windows already closed" in caplog.text
    families = {f.name: f for f in app.monitor.collect_metrics(app)}
    late = families["faust_table_late_events"]
    assert [(s.labels, s.value) for s in late.samples] == [((("table", "wt"),), 1)]
    await asyncio.sleep(0.2)  # several cleanup intervals
    assert len(closed) == 2
    await app.maybe_flush_producer()
    tombstones = [k for _, k, v in changelog_records(app, table) if v is None]
    assert tombstones == [b'["s",[0.0,9.9]]', b'["s",[10.0,19.9]]']
    await app.stop()


async def test_closed_windows_stay_closed_after_recovery(
    make_app: AppFactory, store: str
) -> None:
    closed: list[tuple[str, Any]] = []

    def build(name: str):
        def on_close(key: Any, value: Any) -> None:
            closed.append((name, key))

        app = make_app(store=store)
        topic = app.topic("readings", value_type=Reading, key_type=str)
        table = app.Table("wt", default=int, on_window_close=on_close)
        wtable = table.tumbling(10, expires=10)
        done: list[Any] = []

        @app.agent(topic)
        async def process(stream):
            async for reading in stream:
                wtable[reading.sensor] += 1
                done.append(reading)

        async def send(*readings: Reading) -> None:
            for r in readings:
                await topic.send(key="k", value=r, timestamp=r.time)
            await wait_for(lambda: len(done) >= len(readings))

        return app, table, send

    app1, _, send1 = build("app1")
    await start_and_recover(app1)
    await send1(Reading("s", 1), Reading("s", 35))
    await wait_for(lambda: len(closed) == 1)
    await app1.stop()

    app2, table2, send2 = build("app2")
    await start_and_recover(app2)
    assert dict(table2.items()) == {("s", (30.0, 39.9)): 1}
    await asyncio.sleep(0.2)  # window 0 was closed by app1: not again
    assert closed == [("app1", ("s", (0.0, 9.9)))]
    await send2(Reading("s", 55))
    await wait_for(lambda: len(closed) == 2)
    assert closed[1] == ("app2", ("s", (30.0, 39.9)))
    await app2.stop()
