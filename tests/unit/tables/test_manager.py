"""The TableManager registry."""

from __future__ import annotations

from typing import Any

import pytest

import faust
from faust.tables.manager import TableManager
from faust.types import TP


@pytest.fixture
def app() -> faust.App:
    return faust.App("unit-manager", broker="memory://unit-manager")


class FakeConductor:
    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, topic: Any) -> None:
        self.added.append(topic)


def test_registry(app: faust.App) -> None:
    tables = app.tables
    assert isinstance(tables, TableManager)
    a = app.Table("a")
    app.GlobalTable("b")
    assert tables["a"] is a and len(tables) == 2 and sorted(tables) == ["a", "b"]
    assert tables.changelog_topics == {
        "unit-manager-a-changelog",
        "unit-manager-b-changelog",
    }
    with pytest.raises(ValueError, match="already exists"):
        tables.add(faust.Table(app, name="a"))
    with pytest.raises(ValueError, match="cannot be stored as"):
        tables["x"] = a
    del tables["b"]
    assert tables.changelog_topics == {"unit-manager-a-changelog"}
    assert "tables=['a']" in repr(tables)


async def test_changelogs_are_given_to_the_conductor_once(app: faust.App) -> None:
    table = app.Table("a")
    conductor = FakeConductor()
    app.topics = conductor  # type: ignore[assignment]
    await app.tables.wait_until_tables_registered()
    await app.tables.wait_until_tables_registered()
    assert conductor.added == [table.changelog_topic]
    with pytest.raises(RuntimeError, match="Too late to add table 'late'"):
        app.Table("late")


async def test_client_apps_do_not_subscribe_changelogs(app: faust.App) -> None:
    app.Table("a")
    app.client_only = True
    conductor = FakeConductor()
    app.topics = conductor  # type: ignore[assignment]
    await app.tables.wait_until_tables_registered()
    assert conductor.added == []


async def test_commit_flushes_stores_and_persists_offsets(app: faust.App) -> None:
    table = app.Table("a")
    flushed: list[str] = []
    persisted: list[tuple[TP, int]] = []
    table.data.flush = lambda: flushed.append("flush")  # type: ignore[method-assign]
    store: Any = type(
        "S", (), {"set_persisted_offset": lambda self, tp, o: persisted.append((tp, o))}
    )()
    tp = TP("x", 0)
    app.tables.persist_offset_on_commit(store, tp, 5)
    app.tables.persist_offset_on_commit(store, tp, 3)  # older: ignored
    app.tables.on_commit({TP("src", 0): 10})
    assert persisted == [(tp, 5)] and flushed == ["flush"]
    app.tables.on_commit({})
    assert persisted == [(tp, 5)]


async def test_without_tables_recovery_is_complete(app: faust.App) -> None:
    manager = app.tables
    await manager.on_start()
    assert manager.actives_ready and manager.standbys_ready
    assert await manager.wait_until_recovery_completed() is False


async def test_tables_of_an_app_without_consumer_do_not_block(app: faust.App) -> None:
    app.Table("a")
    # the table manager is not started (e.g. enable_kafka_consumer=False)
    assert await app.tables.wait_until_recovery_completed() is False
