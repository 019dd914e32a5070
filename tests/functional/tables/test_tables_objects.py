"""faust.tables.objects: a table of changelogged objects, written and recovered."""

from __future__ import annotations

from typing import Any

import pytest
from tables_helpers import AppFactory, changelog_records, start_and_recover, wait_for

import faust
from faust.tables.objects import ChangeloggedObject, ChangeloggedObjectManager

ADD = 1


class Counter(ChangeloggedObject):
    def __post_init__(self) -> None:
        self.value = 0

    def add(self, n: int) -> None:
        self.value += n
        self.manager.send_changelog_event(self.key, ADD, n)

    def apply_changelog_event(self, operation: int, value: Any) -> None:
        assert operation == ADD
        self.value += value

    def sync_from_storage(self, value: Any) -> None:
        self.value = value

    def as_stored_value(self) -> Any:
        return self.value


class CounterManager(ChangeloggedObjectManager):
    ValueType = Counter


class CounterTable(faust.Table):
    def _new_store(self) -> Any:
        return CounterManager(self)


def counter_app(make_app: AppFactory, store: str) -> tuple[Any, Any, Any, list[str]]:
    app = make_app(store=store)
    topic = app.topic("clicks", key_type=str, value_type=str)
    table = app.tables.add(CounterTable(app, name="counters"))
    seen: list[str] = []

    @app.agent(topic)
    async def count(stream):
        async for key, _ in stream.items():
            table[key].add(1)
            seen.append(key)

    return app, topic, table, seen


async def test_operations_are_changelogged_and_recovered(
    make_app: AppFactory, store: str
) -> None:
    app, topic, table, seen = counter_app(make_app, store)
    await start_and_recover(app)
    for key in ("a", "b", "a"):
        await topic.send(key=key, value="click")
    await wait_for(lambda: len(seen) == 3)
    assert (table["a"].value, table["b"].value) == (2, 1)
    await app.producer.flush()
    keys = sorted(key for _, key, _ in changelog_records(app, table))
    assert keys == [b'[1,"a"]', b'[1,"a"]', b'[1,"b"]']
    await app.stop()

    again, _, table2, _ = counter_app(make_app, store)
    await start_and_recover(again)
    assert (table2["a"].value, table2["b"].value) == (2, 1)


async def test_assigning_a_value_says_what_to_do(make_app: AppFactory) -> None:
    app, _, table, _ = counter_app(make_app, "memory://")
    with pytest.raises(NotImplementedError, match="through their methods"):
        table.data["x"] = 5
