"""The memory:// store."""

from __future__ import annotations

from typing import Any, Optional

import pytest
from store_fakes import FakeTable, sent

import faust
from faust.stores.memory import Store
from faust.tables.changelog import ChangelogEvent
from faust.tables.changelog import to_key as _to_key
from faust.types import TP, Message


def store_for(app: faust.App) -> Store:
    return Store("memory://", app, FakeTable(app))  # type: ignore[arg-type]


def event(app: faust.App, key: bytes, value: Optional[bytes], partition: int) -> Any:
    table = FakeTable(app)
    message = Message(
        "t-changelog",
        partition,
        0,
        0.0,
        0,
        None,
        key,
        value,
        None,
        0,
        0,
        TP("t-changelog", partition),
    )
    return ChangelogEvent(app, table.changelog_topic.schema, message)


def test_put_remove_and_mapping(app: faust.App) -> None:
    store = store_for(app)
    store.put("a", 1, 0, None)
    store.put("b", 2, 1, None)
    assert store["a"] == 1 and "b" in store and len(store) == 2
    assert dict(store.items()) == {"a": 1, "b": 2}
    assert sorted(store.keys()) == ["a", "b"] and sorted(store.values()) == [1, 2]
    assert store.get("zz", 0) == 0
    store.remove("a", 0, None)
    store.remove("missing", 0, None)  # ignored
    assert dict(store.items()) == {"b": 2}
    assert list(store.keys_by_partition({1})) == [(1, "b")]
    assert store.persisted_offset(TP("t", 0)) is None
    store.reset_state()
    assert len(store) == 0


async def test_apply_changelog_batch_in_order(app: faust.App) -> None:
    store = store_for(app)
    batch = [
        event(app, b'"a"', b"1", 0),
        event(app, b'"a"', None, 0),  # tombstone...
        event(app, b'"a"', b"0", 0),  # ...then set again, to a falsy value
        event(app, b'"b"', b"2", 1),
        event(app, b'"b"', None, 1),
        event(app, b'["k",[0.0,9.9]]', b"5", 2),
    ]
    store.apply_changelog_batch(batch, to_key=_to_key, to_value=lambda v: v)
    assert dict(store.items()) == {"a": 0, ("k", (0.0, 9.9)): 5}
    assert {p for p, _ in store.keys_by_partition({0, 2})} == {0, 2}


async def test_recovery_drops_keys_of_partitions_not_held(app: faust.App) -> None:
    store = store_for(app)
    for partition in range(4):
        store.put(f"k{partition}", partition, partition, None)
    store["direct"] = 9  # outside a stream: partition unknown, kept
    topic = store.table.changelog_topic.get_topic_name()
    await store.on_recovery_completed({TP(topic, 0)}, {TP(topic, 2), TP("other", 1)})
    assert dict(store.items()) == {"k0": 0, "k2": 2, "direct": 9}
    del store["direct"]
    assert "direct" not in store


async def test_own_writes_move_the_offset_of_owned_partitions_only(
    app: faust.App,
) -> None:
    store = store_for(app)
    assert store.track_changelog_acks
    topic = store.table.changelog_topic.get_topic_name()
    await store.on_rebalance({TP(topic, 0), TP(topic, 1)}, set(), set())
    store.on_changelog_sent(sent(b'"a"', b"1", 0, offset=3))  # still recovering
    assert store.persisted_offset(TP(topic, 0)) is None
    await store.on_recovery_completed({TP(topic, 0)}, {TP(topic, 1)})
    store.put("a", 1, 0, None)
    store.on_changelog_sent(sent(b'"a"', b"1", 0, offset=7))
    # a standby may still miss records of the owner: its offset stays
    store.on_changelog_sent(sent(b'"b"', b"1", 1, offset=9))
    assert store.persisted_offset(TP(topic, 0)) == 7
    assert store.persisted_offset(TP(topic, 1)) is None
    # a new rebalance: nothing is owned until recovery completes again
    await store.on_rebalance({TP(topic, 0)}, set(), set())
    store.on_changelog_sent(sent(b'"a"', b"2", 0, offset=8))
    assert store.persisted_offset(TP(topic, 0)) == 7


@pytest.mark.parametrize("shared", ["use_partitioner", "is_global"])
async def test_tables_written_by_every_worker_keep_the_applied_offset(
    app: faust.App, shared: str
) -> None:
    store = store_for(app)
    setattr(store.table, shared, True)
    topic = store.table.changelog_topic.get_topic_name()
    await store.on_recovery_completed({TP(topic, 0)}, set())
    store.on_changelog_sent(sent(b'"a"', b"1", 0, offset=7))
    assert store.persisted_offset(TP(topic, 0)) is None


async def test_exactly_once_keeps_the_applied_offset(tmp_path: Any) -> None:
    app = faust.App(
        "stores-eos",
        broker="memory://stores-eos",
        datadir=str(tmp_path),
        processing_guarantee="exactly_once",
    )
    store = store_for(app)
    topic = store.table.changelog_topic.get_topic_name()
    await store.on_recovery_completed({TP(topic, 0)}, set())
    # acked inside a transaction that may still abort
    store.on_changelog_sent(sent(b'"a"', b"1", 0, offset=7))
    assert store.persisted_offset(TP(topic, 0)) is None


def test_offsets_set_by_the_table_are_kept(app: faust.App) -> None:
    # set tables apply their changelog themselves and report the offset
    store = store_for(app)
    store.set_persisted_offset(TP("t-changelog", 2), 11)
    assert store.persisted_offset(TP("t-changelog", 2)) == 11
