"""Set tables: operations become changelog records; records rebuild sets."""

from __future__ import annotations

from typing import Any

import pytest

import faust
from faust.tables.changelog import ChangelogEvent
from faust.tables.sets import (
    OPERATION_ADD,
    OPERATION_DISCARD,
    OPERATION_UPDATE,
    ChangeloggedSet,
    SetTable,
)
from faust.types import TP, Message


@pytest.fixture
def app() -> faust.App:
    return faust.App("unit-sets", broker="memory://unit-sets", topic_partitions=1)


def recording(table: SetTable) -> list[tuple[Any, int, Any]]:
    """Record ``_change`` calls and apply them to the store directly."""
    changes: list[tuple[Any, int, Any]] = []

    def change(key: Any, op: int, value: Any, added: set, removed: set) -> int:
        changes.append((key, op, value))
        members = (table._load(key) | added) - removed
        if members:
            table.data.put(key, members, 0, None)
        else:
            table.data.remove(key, 0, None)
        return 0

    table._change = change  # type: ignore[method-assign]
    return changes


def test_operations_record_what_changed(app: faust.App) -> None:
    table = app.SetTable("s")
    changes = recording(table)
    s = table["k"]
    assert isinstance(s, ChangeloggedSet) and s == set()
    s.add("a")
    s.add("a")  # no change
    s.update(["b", "c"])
    s.discard("zz")  # no change
    s.discard("a")
    s.difference_update(["b"])
    s.intersection_update(["c", "d"])
    s.symmetric_difference_update(["c", "e"])
    s.remove("e")
    with pytest.raises(KeyError):
        s.remove("e")
    s |= {"x"}
    s -= {"x"}
    s &= {"nothing"}
    s ^= {"y"}
    s.clear()
    assert changes == [
        ("k", OPERATION_ADD, "a"),
        ("k", OPERATION_UPDATE, [["b", "c"], []]),
        ("k", OPERATION_DISCARD, "a"),
        ("k", OPERATION_UPDATE, [[], ["b"]]),
        ("k", OPERATION_UPDATE, [["e"], ["c"]]),
        ("k", OPERATION_DISCARD, "e"),
        ("k", OPERATION_UPDATE, [["x"], []]),
        ("k", OPERATION_UPDATE, [[], ["x"]]),
        ("k", OPERATION_UPDATE, [["y"], []]),
        ("k", OPERATION_UPDATE, [[], ["y"]]),
    ]
    assert "k" not in table and "ChangeloggedSet" in repr(s)
    table["k2"] = {"p", "q"}  # assignment: one update to the new members
    assert changes[-1] == ("k2", OPERATION_UPDATE, [["p", "q"], []])
    assert table["k2"] == table["k2"] and table["k2"] != 3


def test_changelog_records_rebuild_the_sets(app: faust.App) -> None:
    table = app.SetTable("s")
    schema = table.changelog_topic.schema
    records = [
        (b'[1,"k"]', b'"a"'),
        (b'[15,"k"]', b'[["b","c"],[]]'),
        (b'[2,"k"]', b'"a"'),
        (b'[1,["t",1]]', b'"x"'),
        (b'[99,"k"]', b'"?"'),  # unknown operation: logged, skipped
        (b'[15,"gone"]', b'[["z"],[]]'),
        (b'[15,"gone"]', b'[[],["z"]]'),
    ]
    tp = TP(table.changelog_topic.get_topic_name(), 0)
    batch = [
        ChangelogEvent(
            app, schema, Message(tp.topic, 0, i, 0.0, 0, None, k, v, None, 0, 0, tp)
        )
        for i, (k, v) in enumerate(records)
    ]
    table.apply_changelog_batch(batch)
    assert table["k"] == {"b", "c"}
    assert table[("t", 1)] == {"x"}
    assert "gone" not in table
