"""ChangelogEvent decodes lazily."""

from __future__ import annotations

from typing import Any

import faust
from faust.tables.changelog import ChangelogEvent
from faust.types import TP, Message


class CountingSchema:
    def __init__(self) -> None:
        self.calls = 0

    def loads_key(self, app: Any, message: Message) -> Any:
        self.calls += 1
        return message.key.decode()

    def loads_value(self, app: Any, message: Message) -> Any:
        self.calls += 1
        return int(message.value)


def message(value: Any, headers: Any = None) -> Message:
    return Message("t", 0, 5, 0.0, 0, headers, b"k", value, None, 0, 0, TP("t", 0))


def test_decodes_once_and_only_when_read() -> None:
    schema = CountingSchema()
    event = ChangelogEvent(None, schema, message(b"42", [("h", b"v")]))  # type: ignore[arg-type]
    assert schema.calls == 0
    assert event.key == "k" and event.value == 42 and event.key == "k"
    assert schema.calls == 2
    assert event.headers == {"h": b"v"}
    assert event.ack() is False
    event.key, event.value = "x", 1
    assert (event.key, event.value) == ("x", 1)


def test_tombstone_value_is_none() -> None:
    schema = CountingSchema()
    event = ChangelogEvent(None, schema, message(None))  # type: ignore[arg-type]
    assert event.value is None and schema.calls == 0
    assert isinstance(event, faust.types.EventT)
