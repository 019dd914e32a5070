"""The rocksdb:// store, on a fake (in-memory) rocksdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from store_fakes import FakeRdict, FakeTable, sent

import faust
from faust.exceptions import ImproperlyConfigured
from faust.stores.rocksdb import OFFSET_KEY, Store
from faust.stores.rocksdb_options import RocksDBOptions
from faust.tables.changelog import ChangelogEvent
from faust.types import TP, Message

TOPIC = "stores-test-t-changelog"


def new_store(app: faust.App, state: bool = True, **kwargs: Any) -> Store:
    table = FakeTable(app, state=state)
    return Store(
        "rocksdb://",
        app,
        table,  # type: ignore[arg-type]
        key_serializer="json",
        value_serializer="json",
        **kwargs,
    )


async def assign(store: Store, *partitions: int) -> None:
    await store.on_rebalance({TP(TOPIC, p) for p in partitions}, set(), set())


def record(partition: int, offset: int, key: bytes, value: Any) -> Any:
    message = Message(
        TOPIC,
        partition,
        offset,
        0.0,
        0,
        None,
        key,
        value,
        None,
        0,
        0,
        TP(TOPIC, partition),
    )
    return ChangelogEvent(None, None, message)  # type: ignore[arg-type]


async def test_paths(app: faust.App, fake_rocksdict: Any) -> None:
    store = new_store(app)
    assert store.path == Path(app.conf.tabledir)
    assert store.partition_path(3).name == "t-3.db"
    named = Store("rocksdb://counts", app, FakeTable(app))  # type: ignore[arg-type]
    assert named.partition_path(0).name == "counts-0.db"


async def test_write_waits_in_memory_until_the_changelog_has_it(
    app: faust.App, fake_rocksdict: Any
) -> None:
    store = new_store(app)
    await assign(store, 0, 1)
    fut = sent(b'"a"', b"1", 0, offset=7)
    store.put("a", 1, 0, fut)
    assert store["a"] == 1 and "a" in store
    db = store._dbs[0]
    assert b'"a"' not in db  # not durable yet
    store.on_changelog_sent(fut)
    assert db[b'"a"'] == b"1" and store["a"] == 1
    assert store.persisted_offset(TP(TOPIC, 0)) == 7
    assert OFFSET_KEY not in db
    store.flush()
    assert db[OFFSET_KEY] == b"7"
    # a newer write is not overwritten by the ack of an older one
    first, second = sent(b'"a"', b"2", 0, 8), sent(b'"a"', b"3", 0, 9)
    store.put("a", 2, 0, first)
    store.put("a", 3, 0, second)
    store.on_changelog_sent(first)
    assert store["a"] == 3
    store.on_changelog_sent(second)
    assert store["a"] == 3 and db[b'"a"'] == b"3"


async def test_delete_and_iteration(app: faust.App, fake_rocksdict: Any) -> None:
    store = new_store(app)
    await assign(store, 0, 1)
    for i, (key, partition) in enumerate([("a", 0), ("b", 1), ("c", 1)]):
        fut = sent(f'"{key}"'.encode(), str(i).encode(), partition, i)
        store.put(key, i, partition, fut)
        store.on_changelog_sent(fut)
    gone = sent(b'"b"', None, 1, 5)
    store.remove("b", 1, gone)
    assert "b" not in store
    with pytest.raises(KeyError):
        store["b"]
    pending = sent(b'"d"', b"9", 0, 6)
    store.put("d", 9, 0, pending)
    assert dict(store.items()) == {"a": 0, "c": 2, "d": 9}
    assert sorted(store) == ["a", "c", "d"] and len(store) == 3
    assert sorted(store.values()) == [0, 2, 9]
    assert sorted(store.keys_by_partition({0})) == [(0, "a"), (0, "d")]
    store.on_changelog_sent(gone)
    assert b'"b"' not in store._dbs[1]
    with pytest.raises(NotImplementedError, match="cannot be cleared"):
        store.clear()


async def test_apply_changelog_batch_writes_records_and_offset(
    app: faust.App, fake_rocksdict: Any
) -> None:
    store = new_store(app)
    await assign(store, 0, 1)
    store.apply_changelog_batch(
        [
            record(0, 10, b'"a"', b"1"),
            record(1, 3, b'"b"', b"2"),
            record(0, 11, b'"a"', None),
            record(0, 12, None, b"garbage"),  # no key: skipped
        ],
        to_key=lambda k: k,
        to_value=lambda v: v,
    )
    assert dict(store.items()) == {"b": 2}
    assert store._dbs[0][OFFSET_KEY] == b"12" and store._dbs[1][OFFSET_KEY] == b"3"
    assert store.persisted_offset(TP(TOPIC, 1)) == 3


async def test_offsets_survive_a_restart(app: faust.App, fake_rocksdict: Any) -> None:
    store = new_store(app)
    await assign(store, 0)
    fut = sent(b'"a"', b"1", 0, 41)
    store.put("a", 1, 0, fut)
    store.on_changelog_sent(fut)
    await store.on_stop()  # flushes, closes
    again = new_store(app)
    await assign(again, 0)
    assert again.persisted_offset(TP(TOPIC, 0)) == 41
    assert again["a"] == 1
    again.set_persisted_offset(TP(TOPIC, 0), 50)
    assert again._dbs[0][OFFSET_KEY] == b"50"


async def test_rebalance_closes_revoked_partitions(
    app: faust.App, fake_rocksdict: Any
) -> None:
    store = new_store(app)
    await assign(store, 0, 1)
    store.put("x", 1, 1, sent(b'"x"', b"1", 1, 0))
    db1 = store._dbs[1]
    await assign(store, 0)
    assert db1.closed and sorted(store._dbs) == [0]
    assert "x" not in store  # pending writes of a revoked partition are dropped


async def test_locked_database(app: faust.App, fake_rocksdict: Any) -> None:
    store = new_store(app)
    store.open_retries, store.open_retry_delay = 2, 0.0
    FakeRdict.locked.add(str(store.partition_path(0)))
    assert not await store.need_active_standby_for(TP(TOPIC, 0))
    with pytest.raises(RuntimeError, match="locked by another process.*--datadir"):
        await assign(store, 0)
    FakeRdict.locked.clear()
    assert await store.need_active_standby_for(TP(TOPIC, 0))


async def test_exactly_once_defers_writes_to_the_commit(
    app: faust.App, fake_rocksdict: Any
) -> None:
    app.conf.processing_guarantee = "exactly_once"  # type: ignore[assignment]
    store = new_store(app)
    await assign(store, 0)
    fut = sent(b'"a"', b"1", 0, 4)
    store.put("a", 1, 0, fut)
    store.on_changelog_sent(fut)
    assert b'"a"' not in store._dbs[0] and store["a"] == 1
    store.flush()  # the transaction committed
    assert store._dbs[0][b'"a"'] == b"1" and store._dbs[0][OFFSET_KEY] == b"4"
    assert not store._pending


async def test_operation_changelogs_write_through(
    app: faust.App, fake_rocksdict: Any
) -> None:
    store = new_store(app, state=False)
    await assign(store, 0)
    store.put("s", {1, 2}, 0, sent(b'[1,"s"]', b"2", 0, 0))
    assert store._dbs[0][b'"s"'] in (b"[1,2]", b"[2,1]")
    store.remove("s", 0, None)
    assert b'"s"' not in store._dbs[0]


async def test_reset_state_deletes_the_databases(
    app: faust.App, fake_rocksdict: Any
) -> None:
    store = new_store(app)
    for partition in (0, 1):
        store.partition_path(partition).mkdir(parents=True)
    await assign(store, 0)
    store.reset_state()
    assert not store._dbs
    assert not list(store.path.glob("t-*.db"))


def test_options(fake_rocksdict: Any) -> None:
    opts = RocksDBOptions(write_buffer_size=1024, max_open_files=10, num_levels=4)
    built = opts.to_rocksdict(fake_rocksdict)
    assert built.set["write_buffer_size"] == 1024
    assert built.set["max_open_files"] == 10 and built.set["num_levels"] == 4
    assert opts.access_type(fake_rocksdict) == "read_write"
    assert RocksDBOptions(read_only=True).access_type(fake_rocksdict) == "read_only"
    assert RocksDBOptions(ttl=60).access_type(fake_rocksdict) == "ttl=60"
    with pytest.raises(ImproperlyConfigured, match="Unknown RocksDB option 'nope'"):
        RocksDBOptions(nope=1).to_rocksdict(fake_rocksdict)
    with pytest.raises(ImproperlyConfigured, match="only 'rocksdict'"):
        RocksDBOptions(driver="python-rocksdb")
