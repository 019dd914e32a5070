"""Global tables, set tables and the set manager."""

from __future__ import annotations

from typing import Any

from tables_helpers import AppFactory, changelog_records, start_and_recover, wait_for

import faust
from faust.tables.sets import ChangeloggedSet


async def test_global_table_is_held_in_full_by_every_worker(
    make_app: AppFactory, store: str
) -> None:
    worker1 = make_app(store=store, datadir="w1")
    worker2 = make_app(store=store, datadir="w2")
    source1 = worker1.topic("events", value_type=str)
    source2 = worker2.topic("events", value_type=str)
    tables = [worker1.GlobalTable("ref"), worker2.GlobalTable("ref")]
    for worker, source in ((worker1, source1), (worker2, source2)):

        @worker.agent(source)
        async def idle(stream):
            async for _ in stream:
                pass

    await source1.declare()
    await start_and_recover(worker1)
    await start_and_recover(worker2)

    def events_partitions(worker: faust.App) -> set[Any]:
        return {tp for tp in worker.consumer.assignment() if tp.topic == "events"}

    # the source partitions are split between the workers...
    await wait_for(lambda: events_partitions(worker1) and events_partitions(worker2))
    await wait_for(
        lambda: worker1.tables.actives_ready and worker2.tables.actives_ready
    )
    assert not events_partitions(worker1) & events_partitions(worker2)
    # ...but each sees every write to the global table
    assert tables[0].is_global and tables[0].standby_buffer_size == 1
    for i in range(8):
        tables[i % 2][f"key{i}"] = i  # writes outside streams are allowed
    for table in tables:
        await wait_for(lambda table=table: len(table) == 8)
        assert dict(table.items()) == {f"key{i}": i for i in range(8)}
    del tables[0]["key3"]
    await wait_for(lambda: "key3" not in tables[1])
    await worker2.stop()
    await worker1.stop()


async def test_set_table_operations_and_changelog(make_app: AppFactory) -> None:
    app = make_app()
    topic = app.topic("ops", value_type=str)
    sets = app.SetTable("sets")
    done: list[Any] = []

    @app.agent(topic)
    async def modify(stream):
        async for op in stream:
            s = sets["k"]
            if op == "add":
                s.add("a")
                s.add("b")
                s.add("a")  # no change: no changelog record
            elif op == "ops":
                s |= {"c", "d"}
                s -= {"a"}
                s.discard("zzz")
                s.intersection_update({"b", "c", "d", "e"})
                s ^= {"d", "f"}
            elif op == "clear":
                s.clear()
            done.append(op)

    await start_and_recover(app)
    await topic.send(key="same", value="add")
    await wait_for(lambda: len(done) == 1)
    assert isinstance(sets["k"], ChangeloggedSet)
    assert sets["k"] == {"a", "b"} and "a" in sets["k"] and len(sets["k"]) == 2
    await topic.send(key="same", value="ops")
    await wait_for(lambda: len(done) == 2)
    assert set(sets["k"]) == {"b", "c", "f"}
    assert sets["missing"] == set()  # reading creates nothing
    assert "missing" not in sets
    await app.maybe_flush_producer()
    records = [(k, v) for _, k, v in changelog_records(app, sets)]
    assert records[:3] == [
        (b'[1,"k"]', b'"a"'),
        (b'[1,"k"]', b'"b"'),
        (b'[15,"k"]', b'[["c","d"],[]]'),
    ]
    assert (b'[15,"k"]', b'[[],["a"]]') in records
    await topic.send(key="same", value="clear")
    await wait_for(lambda: len(done) == 3)
    assert sets["k"] == set() and "k" not in sets
    await app.stop()


async def test_set_table_recovers(make_app: AppFactory, store: str) -> None:
    app1 = make_app(store=store)
    sets1 = app1.SetTable("sets", use_partitioner=True)
    await start_and_recover(app1)
    sets1["x"].update({1, 2, 3})
    sets1["x"].discard(2)
    sets1["y"].add("only")
    sets1["z"].add(1)
    sets1["z"].remove(1)
    await app1.stop()

    app2 = make_app(store=store)
    sets2 = app2.SetTable("sets", use_partitioner=True)
    await start_and_recover(app2)
    assert set(sets2["x"]) == {1, 3}
    assert set(sets2["y"]) == {"only"}
    assert "z" not in sets2
    await app2.stop()


async def test_set_manager_changes_sets_from_outside_streams(
    make_app: AppFactory,
) -> None:
    app = make_app()
    sets = app.SetTable("sets", start_manager=True)
    await start_and_recover(app)
    await sets.manager.add("k", "a")
    await sets.manager.add("k", "b")
    await wait_for(lambda: set(sets["k"]) == {"a", "b"})
    await sets.manager.difference_update("k", ["a"])
    await sets.manager.symmetric_difference_update("k", ["b", "c"])
    await wait_for(lambda: set(sets["k"]) == {"c"})
    await sets.manager.intersection_update("k", ["c", "d"])
    await sets.manager.discard("k", "c")
    await wait_for(lambda: set(sets["k"]) == set())
    await sets.manager.add("k", "z")
    await sets.manager.clear("k")
    await sets.manager.add("k2", "done")
    await wait_for(lambda: "done" in sets["k2"])
    assert set(sets["k"]) == set()
    await app.stop()


async def test_set_manager_disabled_says_so(make_app: AppFactory) -> None:
    app = make_app()
    sets = app.SetTable("sets")
    try:
        await sets.manager.add("k", "a")
    except RuntimeError as exc:
        assert "start_manager=True" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected RuntimeError")


async def test_set_global_table_is_global(make_app: AppFactory) -> None:
    worker1 = make_app(datadir="w1")
    worker2 = make_app(datadir="w2")
    sets = [worker1.SetGlobalTable("members"), worker2.SetGlobalTable("members")]
    assert all(s.is_global for s in sets)
    assert isinstance(sets[0], faust.SetGlobalTable)
    await start_and_recover(worker1)
    await start_and_recover(worker2)
    sets[0]["team"].add("alice")
    sets[1]["team"].add("bob")
    for s in sets:
        await wait_for(lambda s=s: set(s["team"]) == {"alice", "bob"})
    await worker2.stop()
    await worker1.stop()
