"""Table API kept from Faust: subclass hooks, dict extras, windowed dict methods.

Writes outside an agent need ``use_partitioner=True`` (the partition comes
from the key).
"""

from __future__ import annotations

from typing import Any

import pytest
from tables_helpers import AppFactory, changelog_records, start_and_recover, wait_for

import faust
from faust.tables import Table


class HookedTable(Table):
    """Overrides the hooks Faust's tables call (as ManagedUserDict's)."""

    def __post_init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def on_key_get(self, key: Any) -> None:
        self.calls.append(("get", key))
        super().on_key_get(key)

    def on_key_set(self, key: Any, value: Any) -> None:
        self.calls.append(("set", key, value))
        super().on_key_set(key, value)

    def on_key_del(self, key: Any) -> None:
        self.calls.append(("del", key))
        super().on_key_del(key)

    def on_clear(self) -> None:
        self.calls.append(("clear",))


async def test_subclass_hooks_see_reads_writes_deletes_and_clear(
    make_app: AppFactory,
) -> None:
    app = make_app()
    table = app.tables.add(
        HookedTable(app, name="hooked", default=int, use_partitioner=True)
    )
    await start_and_recover(app)
    table["a"] = 1
    assert table["a"] == 1
    del table["a"]
    table["b"] = 2
    assert table.pop("b") == 2
    table["c"] = 3
    table.clear()
    assert table.calls == [
        ("set", "a", 1),
        ("get", "a"),
        ("del", "a"),
        ("set", "b", 2),
        ("del", "b"),
        ("set", "c", 3),
        ("del", "c"),
        ("clear",),
    ]


async def test_dict_extras(make_app: AppFactory) -> None:
    app = make_app()
    table = app.Table("extras", default=int, use_partitioner=True)
    await start_and_recover(app)
    table.update({"a": 1, "b": 2})
    assert table.pop("missing", default=0) == 0  # by keyword, as dict's
    with pytest.raises(KeyError):
        table.pop("missing")
    snapshot = table.copy()
    assert snapshot == {"a": 1, "b": 2} and type(snapshot) is dict
    table["a"] = 10
    assert snapshot["a"] == 1
    assert table.fromkeys(["x", "y"], 0) == {"x": 0, "y": 0}
    text = table.as_ansitable("Counts of {table.name}")
    assert "Counts of extras" in text and "10" in text


async def test_raw_update_writes_the_store_without_changelog(
    make_app: AppFactory,
) -> None:
    app = make_app()
    table = app.Table("raw", use_partitioner=True)
    await start_and_recover(app)
    table["logged"] = 1
    table.raw_update({"unlogged": 2})
    assert table["unlogged"] == 2
    await app.producer.flush()
    keys = [key for _, key, _ in changelog_records(app, table)]
    assert keys == [b'"logged"']


async def test_windowset_is_a_mapping_of_its_windows(make_app: AppFactory) -> None:
    app = make_app()
    wtable = (
        app.Table("w", default=int, use_partitioner=True).tumbling(10).relative_to(25.0)
    )
    await start_and_recover(app)
    wtable["k"] += 1
    window = wtable["k"]
    (current,) = list(window)
    assert current == (20.0, 29.9)
    assert current in window and (0.0, 9.9) not in window
    assert len(window) == 1
    assert window.get(current) == 1
    assert window.get((0.0, 9.9), "none") == "none"
    window[(0.0, 9.9)] = 7
    assert window.copy() == {(0.0, 9.9): 7, (20.0, 29.9): 1}
    window.clear()
    assert len(window) == 0


async def test_window_wrapper_dict_methods(make_app: AppFactory) -> None:
    app = make_app()
    wtable = app.Table("wd", default=int, use_partitioner=True).tumbling(
        10, key_index=True
    )
    wtable = wtable.relative_to(15.0)
    await start_and_recover(app)
    wtable.update({"a": 1, "b": 2})
    assert wtable.get("a").value() == 1
    assert wtable.get("zz", "absent") == "absent"
    assert wtable.setdefault("a", 100).value() == 1
    assert wtable.setdefault("c", 3).value() == 3
    assert wtable.pop("a") == 1
    assert wtable.pop("a", None) is None
    key, value = wtable.popitem()
    assert (key, value) in {("b", 2), ("c", 3)}
    wtable.clear()
    assert len(wtable) == 0
    with pytest.raises(KeyError):
        wtable.popitem()


async def test_clear_without_key_index_says_what_to_do(make_app: AppFactory) -> None:
    app = make_app()
    wtable = (
        app.Table("wn", default=int, use_partitioner=True)
        .tumbling(10)
        .relative_to(15.0)
    )
    await start_and_recover(app)
    with pytest.raises(NotImplementedError, match="key_index"):
        wtable.clear()


class ClosingTable(Table):
    def __post_init__(self) -> None:
        self.closed: list[tuple[Any, Any]] = []

    async def on_window_close(self, key: Any, value: Any) -> None:
        self.closed.append((key, value))


class Reading(faust.Record):
    sensor: str
    time: float


async def test_on_window_close_method_and_last_closed_window(
    make_app: AppFactory,
) -> None:
    app = make_app()
    topic = app.topic("readings", value_type=Reading, key_type=str)
    table = app.tables.add(ClosingTable(app, name="closing", default=int))
    wtable = table.tumbling(10, expires=10)
    seen: list[Any] = []

    @app.agent(topic)
    async def process(stream):
        async for reading in stream:
            wtable[reading.sensor] += 1
            seen.append(reading)

    await start_and_recover(app)
    for t in (1.0, 35.0):
        await topic.send(key="s", value=Reading("s", t), timestamp=t)
    await wait_for(lambda: len(seen) == 2 and len(table.closed) == 1)
    assert table.closed == [(("s", (0.0, 9.9)), 1)]
    assert table.last_closed_window == 0.0
    await topic.send(key="s", value=Reading("s", 60.0), timestamp=60.0)
    await wait_for(lambda: len(table.closed) == 2)
    assert table.last_closed_window == 30.0


class ReplayedTable(Table):
    def __post_init__(self) -> None:
        self.replayed: list[Any] = []

    async def on_changelog_event(self, event: Any) -> None:
        self.replayed.append(event.key)
        await super().on_changelog_event(event)


async def test_on_changelog_event_as_a_method(make_app: AppFactory) -> None:
    app = make_app()
    table = app.Table("replayed", use_partitioner=True)
    await start_and_recover(app)
    table["a"] = 1
    table["b"] = 2
    await app.producer.flush()
    await app.stop()

    again = make_app()
    seen: list[Any] = []

    async def callback(event: Any) -> None:
        seen.append(event.key)

    replayed = again.tables.add(
        ReplayedTable(again, name="replayed", on_changelog_event=callback)
    )
    await start_and_recover(again)
    assert sorted(replayed.replayed) == ["a", "b"]
    assert sorted(seen) == ["a", "b"]  # the callback still runs
