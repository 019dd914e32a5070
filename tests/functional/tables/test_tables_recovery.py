"""Recovery: a restarted worker rebuilds its tables from the changelog."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from tables_helpers import (
    AppFactory,
    broker_of,
    changelog_records,
    recovered,
    start_and_recover,
    wait_for,
)

from faust.exceptions import ConsistencyError
from faust.types import TP


def counting_app(make_app: AppFactory, store: str, **options: Any):
    app = make_app(store=store, **options)
    topic = app.topic("words", value_type=str, key_type=str)
    counts = app.Table("counts", default=int)
    seen: list[tuple[str, int]] = []

    @app.agent(topic)
    async def count(stream):
        async for word in stream:
            counts[word] += 1
            seen.append((word, counts[word]))

    return app, topic, counts, seen


async def send_words(topic: Any, seen: list[Any], words: list[str]) -> None:
    start = len(seen)
    for word in words:
        await topic.send(key=word, value=word)
    await wait_for(lambda: len(seen) >= start + len(words))


async def test_restarted_worker_recovers_and_continues(
    make_app: AppFactory, store: str
) -> None:
    app1, topic1, counts1, seen1 = counting_app(make_app, store)
    await start_and_recover(app1)
    await send_words(topic1, seen1, ["a", "b", "a", "c", "a"])
    assert dict(counts1.items()) == {"a": 3, "b": 1, "c": 1}
    await app1.stop()

    app2, topic2, counts2, seen2 = counting_app(make_app, store)
    callbacks: list[str] = []
    signals: list[str] = []

    @counts2.on_recover
    async def on_recover() -> None:
        # called once the table is complete
        callbacks.append(f"a={counts2['a']}")

    @app2.on_rebalance_complete.connect
    async def on_complete(sender: Any, **kwargs: Any) -> None:
        signals.append("done")

    await start_and_recover(app2)
    assert dict(counts2.items()) == {"a": 3, "b": 1, "c": 1}
    assert callbacks and callbacks[-1] == "a=3"
    await wait_for(lambda: bool(signals))
    assert app2.tables.actives_ready
    # processing continues from the recovered state
    await send_words(topic2, seen2, ["a", "b"])
    assert seen2 == [("a", 4), ("b", 2)]
    await app2.stop()


async def test_events_wait_until_their_tables_recovered(make_app: AppFactory) -> None:
    app1, topic1, counts1, seen1 = counting_app(make_app, "memory://")
    await start_and_recover(app1)
    await send_words(topic1, seen1, ["x"] * 50)
    await app1.stop()
    # events already waiting in the source topic when the worker starts
    app2, topic2, counts2, seen2 = counting_app(make_app, "memory://")
    for _ in range(3):
        await topic2.send(key="x", value="x")
    await app2.start()
    await wait_for(lambda: len(seen2) == 3)
    assert seen2 == [("x", 51), ("x", 52), ("x", 53)]
    await app2.stop()


async def test_rocksdb_recovers_only_the_changelog_tail(make_app: AppFactory) -> None:
    app1, topic1, counts1, seen1 = counting_app(make_app, "rocksdb://")
    await start_and_recover(app1)
    await send_words(topic1, seen1, ["a", "b", "c", "d", "e"])
    await app1.stop()
    # two more records written by someone else (another worker) later
    broker = broker_of(app1)
    changelog = counts1.changelog_topic.get_topic_name()
    partition = next(
        p for p, key, _ in changelog_records(app1, counts1) if key == b'"a"'
    )
    broker.produce(changelog, b'"z"', b"26", partition=partition)
    broker.produce(changelog, b'"a"', None, partition=partition)

    app2, _, counts2, _ = counting_app(make_app, "rocksdb://")
    await start_and_recover(app2)
    assert app2.tables.recovery._applied == 2
    assert dict(counts2.items()) == {"b": 1, "c": 1, "d": 1, "e": 1, "z": 26}
    tp = TP(changelog, partition)
    assert counts2.persisted_offset(tp) == broker.end_offsets([tp])[tp] - 1
    await app2.stop()


async def test_memory_store_replays_the_whole_changelog(make_app: AppFactory) -> None:
    app1, topic1, counts1, seen1 = counting_app(make_app, "memory://")
    await start_and_recover(app1)
    await send_words(topic1, seen1, ["a", "b", "a"])
    await app1.stop()
    app2, _, counts2, _ = counting_app(make_app, "memory://")
    await start_and_recover(app2)
    assert app2.tables.recovery._applied == 3  # a new process replays it all
    await app2.stop()


async def test_recovery_starts_at_the_log_start(
    make_app: AppFactory, store: str
) -> None:
    app1 = make_app(store=store)
    table = app1.Table("kv", use_partitioner=True, partitions=1)
    await start_and_recover(app1)
    for i in range(5):
        table[f"k{i}"] = i
    await app1.stop()
    tp = TP(table.changelog_topic.get_topic_name(), 0)
    broker = broker_of(app1)
    broker.delete_records(tp, 3)  # retention removed the oldest records

    app2 = make_app(store=store, datadir="other")
    table2 = app2.Table("kv", use_partitioner=True, partitions=1)
    await start_and_recover(app2)
    assert dict(table2.items()) == {"k3": 3, "k4": 4}
    await app2.stop()


async def test_unreadable_changelog_record_is_skipped(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app1 = make_app()
    table = app1.Table("kv", use_partitioner=True, partitions=1)
    await start_and_recover(app1)
    table["good"] = 1
    await app1.stop()
    changelog = table.changelog_topic.get_topic_name()
    broker_of(app1).produce(changelog, b'"bad"', b"{not json", partition=0)
    broker_of(app1).produce(changelog, b'"later"', b"2", partition=0)

    app2 = make_app()
    table2 = app2.Table("kv", use_partitioner=True, partitions=1)
    with caplog.at_level(logging.WARNING):
        await start_and_recover(app2)
    assert dict(table2.items()) == {"good": 1, "later": 2}
    assert "Skipping changelog record" in caplog.text and "offset=1" in caplog.text
    # counted by the Monitor (and on /metrics), reported at the end
    assert app2.monitor.tables["kv"].changelog_records_skipped == 1
    assert "Recovery skipped 1 changelog record(s)" in caplog.text
    families = {f.name: f for f in app2.monitor.collect_metrics(app2)}
    skipped = families["faust_table_changelog_records_skipped"]
    assert [(s.labels, s.value) for s in skipped.samples] == [((("table", "kv"),), 1)]
    await app2.stop()


async def test_persisted_offset_past_the_changelog_end_fails_clearly(
    make_app: AppFactory,
) -> None:
    app1 = make_app(store="rocksdb://")
    table = app1.Table("kv", use_partitioner=True, partitions=1)
    await start_and_recover(app1)
    for i in range(3):
        table[f"k{i}"] = i
    await app1.stop()
    # the changelog topic was deleted and created again: it is empty now
    broker = broker_of(app1)
    changelog = table.changelog_topic.get_topic_name()
    broker.delete_topic(changelog)
    broker.create_topic(changelog, 1, config={"cleanup.policy": "compact"})

    app2 = make_app(store="rocksdb://")
    app2.Table("kv", use_partitioner=True, partitions=1)
    await app2.start()
    await wait_for(lambda: app2.crashed)
    assert isinstance(app2.crash_reason, ConsistencyError)
    assert "faust reset" in str(app2.crash_reason)
    assert await app2.tables.wait_until_recovery_completed()


async def test_recovery_logs_progress(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app1, topic1, counts1, seen1 = counting_app(make_app, "memory://")
    await start_and_recover(app1)
    await send_words(topic1, seen1, ["a", "b"])
    await app1.stop()
    app2, *_ = counting_app(make_app, "memory://")
    with caplog.at_level(logging.INFO, logger="faust.tables.recovery"):
        await start_and_recover(app2)
    assert "Recovering 4 changelog partition(s) of 1 table(s)" in caplog.text
    assert "Recovery complete: 2 changelog record(s)" in caplog.text
    await app2.stop()


async def test_recovery_reports_progress_to_the_worker(make_app: AppFactory) -> None:
    # The worker shows these (a bar or log lines): partitions and records
    # go from nothing to all, and the last snapshot says done.
    app1, topic1, counts1, seen1 = counting_app(make_app, "memory://")
    await start_and_recover(app1)
    await send_words(topic1, seen1, ["a", "b", "c", "a", "b", "a"])
    await app1.stop()
    app2, *_ = counting_app(make_app, "memory://")
    shown: list[Any] = []
    app2.tables.recovery.on_progress = shown.append
    await start_and_recover(app2)
    assert shown, "no progress reported"
    last = shown[-1]
    assert last.done
    assert (last.partitions_total, last.partitions_left) == (4, 0)
    assert (last.records_applied, last.records_remaining) == (6, 0)
    assert last.fraction == 1.0
    assert all(p.records_applied <= 6 for p in shown)
    await app2.stop()


async def test_stream_recovery_delay(make_app: AppFactory) -> None:
    app = make_app(stream_recovery_delay=0.2)
    app.Table("kv")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await app.start()
    await recovered(app)
    assert loop.time() - started >= 0.15
    await app.stop()


async def test_standby_replicas_take_over_without_a_full_replay(
    make_app: AppFactory,
) -> None:
    workers = []
    for name in ("w1", "w2"):
        app, topic, counts, seen = counting_app(
            make_app, "memory://", datadir=name, table_standby_replicas=1
        )
        workers.append((app, topic, counts, seen))
    (app1, topic1, counts1, seen1), (app2, _, counts2, seen2) = workers
    await topic1.declare()
    await start_and_recover(app1)
    await start_and_recover(app2)
    await wait_for(
        lambda: app1.tables.recovery.standby_tps and app2.tables.recovery.standby_tps
    )
    await wait_for(lambda: app1.tables.actives_ready and app2.tables.actives_ready)
    words = [f"w{i % 8}" for i in range(40)]
    for word in words:
        await topic1.send(key=word, value=word)
    await wait_for(lambda: len(seen1) + len(seen2) == 40)
    # each worker holds every key: its own partitions and its standbys
    expected = {f"w{i}": 5 for i in range(8)}
    await wait_for(lambda: dict(counts2.data.items()) == expected)
    promoted = set(app2.tables.recovery.standby_tps)
    await app1.stop()
    await wait_for(lambda: promoted <= app2.tables.recovery.active_tps)
    await recovered(app2)
    assert dict(counts2.items()) == expected
    # nothing was read again: the standbys were kept warm, and the store
    # knows the offsets of the changelog records it wrote itself
    assert 0 < len(seen2) < 40
    assert app2.tables.recovery._applied == 0
    await app2.stop()
