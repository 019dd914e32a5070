"""Table pieces that need no running app: partitions, serializers, windows."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest

import faust
from faust._context import reset_current_event, set_current_event
from faust.exceptions import ImproperlyConfigured
from faust.tables.changelog import serializer_from_type as _serializer_from_type
from faust.tables.changelog import to_key as _to_key
from faust.tables.table import _as_timestamp
from faust.tables.wrappers import WindowSet, WindowWrapper
from faust.types import TP, Message


class Point(faust.Record, serializer="json"):
    x: float


@pytest.fixture
def app() -> faust.App:
    return faust.App("unit-tables", broker="memory://unit-tables", topic_partitions=4)


def event(
    app: faust.App, partition: int = 2, topic: str = "src", ts: float = 5.0
) -> Any:
    message = Message(
        topic, partition, 0, ts, 0, None, b"k", b"v", None, 0, 0, TP(topic, partition)
    )
    return app.create_event("k", Point(x=ts), None, message)


def test_serializer_from_type() -> None:
    assert _serializer_from_type(bytes) == "raw"
    assert _serializer_from_type(str) == "json"
    assert _serializer_from_type(Point) == "json"
    assert _serializer_from_type(None) == "json"


def test_to_key_makes_json_lists_hashable() -> None:
    assert _to_key(["a", [1.0, 10.9]]) == ("a", (1.0, 10.9))
    assert _to_key("a") == "a"


def test_table_needs_a_name(app: faust.App) -> None:
    with pytest.raises(TypeError, match="needs a name"):
        faust.Table(app, name="")
    with pytest.raises(ValueError, match="recovery_buffer_size"):
        faust.Table(app, name="x", recovery_buffer_size=0)


def test_write_partition_rules(app: faust.App) -> None:
    table = app.Table("t")
    assert table._write_partition(event(app, partition=3)) == 3
    assert "src" in table._verified_topics  # checked once per source topic
    with pytest.raises(TypeError, match="outside of stream iteration"):
        table._write_partition(None)
    # an in-memory channel has no partition: the key decides
    assert table._write_partition(event(app, partition=-1)) is None
    assert app.Table("p", use_partitioner=True)._write_partition(None) is None
    assert app.GlobalTable("g")._write_partition(event(app)) is None


def test_changelog_topic(app: faust.App) -> None:
    table = app.Table("t", partitions=8, extra_topic_configs={"x": 1})
    topic = table.changelog_topic
    assert topic.get_topic_name() == "unit-tables-t-changelog"
    assert topic.partitions == 8 and topic.compacting and not topic.acks
    assert topic.internal and topic.config == {"x": 1}
    windowed = app.Table("w").tumbling(10, expires=60).table
    assert (
        windowed.changelog_topic.deleting and windowed.changelog_topic.retention == 60
    )
    assert app.SetTable("s").changelog_topic.compacting is False
    custom = app.topic("custom")
    assert (
        app.Table("c", changelog_topic=custom).tumbling(1).table.changelog_topic
        is custom
    )


def test_partition_for_key(app: faust.App) -> None:
    table = app.Table("t")
    assert table.partition_for_key("a") in range(4)
    assert table.partition_for_key("a") == table.partition_for_key("a")


def test_missing_and_default(app: faust.App) -> None:
    assert app.Table("d", default=list)["missing"] == []
    with pytest.raises(KeyError):
        app.Table("n")["missing"]
    assert app.Table("g", default=int).get("missing") == 0


def test_as_timestamp() -> None:
    when = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert _as_timestamp(5) == 5.0
    assert _as_timestamp(when) == when.timestamp()
    assert _as_timestamp("2020-01-01T00:00:00+00:00") == when.timestamp()
    with pytest.raises(ImproperlyConfigured, match="window timestamp"):
        _as_timestamp(object())


def test_relative_to(app: faust.App) -> None:
    wrapper = app.Table("w", default=int).tumbling(10)
    assert isinstance(wrapper, WindowWrapper) and wrapper.name == "w"
    ev = event(app, ts=42.0)
    assert wrapper.get_timestamp(ev) == 42.0
    assert wrapper.relative_to(7.5).get_timestamp(ev) == 7.5
    when = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert wrapper.relative_to(when).get_timestamp(ev) == when.timestamp()
    assert wrapper.relative_to(lambda e: when).get_timestamp(ev) == when.timestamp()
    assert wrapper.relative_to_field(Point.x).get_timestamp(ev) == 42.0
    assert abs(wrapper.relative_to_now().get_timestamp(ev) - time.time()) < 5
    assert wrapper.relative_to_stream().get_timestamp(ev) == 42.0
    with pytest.raises(ImproperlyConfigured, match="relative_to"):
        wrapper.relative_to(object())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="outside of stream"):
        wrapper.get_timestamp()
    token = set_current_event(ev)
    try:
        ws = wrapper["k"]
        assert isinstance(ws, WindowSet) and ws.event is ev
        assert "WindowSet" in repr(ws)
        assert isinstance(ws[ev], WindowSet)
        with pytest.raises(NotImplementedError):
            ws[ev] = 1
        with pytest.raises(NotImplementedError):
            del ws[ev]
    finally:
        reset_current_event(token)


def test_not_implemented_joins(app: faust.App) -> None:
    table = app.Table("t")
    for call in (
        table.join,
        table.left_join,
        table.inner_join,
        table.outer_join,
        table.combine,
    ):
        with pytest.raises(NotImplementedError, match="not implemented"):
            call()
    with pytest.raises(NotImplementedError):
        table & table


def test_label_and_repr(app: faust.App) -> None:
    table = app.Table("t", store="memory://")
    assert table.label == table.shortlabel == "Table: t"
    assert "name='t'" in repr(table)
