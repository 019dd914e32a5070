"""Changelog events: records read back from a table's changelog topic.

Recovery and standby replication hand tables :class:`ChangelogEvent`
objects. Their key and value are decoded only when read: a RocksDB store
writes the raw bytes and never pays for decoding.
"""

from __future__ import annotations

from typing import Any

from ..events import Event
from ..types import AppT, Message, SchemaT

__all__ = ["ChangelogEvent"]

_UNSET: Any = object()


class ChangelogEvent(Event):
    """An event read from a changelog (key and value decode on first access).

    Arguments:
        app: the app.
        schema: the schema of the changelog topic.
        message: the changelog record.
    """

    __slots__ = ("_schema", "_key", "_value")

    def __init__(self, app: AppT, schema: SchemaT, message: Message) -> None:
        self.app = app
        self.message = message
        headers = message.headers
        self.headers = dict(headers) if headers else {}
        self.acked = True
        self._schema = schema
        self._key = self._value = _UNSET

    @property
    def key(self) -> Any:
        """The decoded key."""
        key = self._key
        if key is _UNSET:
            key = self._key = self._schema.loads_key(self.app, self.message)
        return key

    @key.setter
    def key(self, key: Any) -> None:
        self._key = key

    @property
    def value(self) -> Any:
        """The decoded value (None for a tombstone)."""
        value = self._value
        if value is _UNSET:
            message = self.message
            if message.value is None:
                value = self._value = None
            else:
                value = self._value = self._schema.loads_value(self.app, message)
        return value

    @value.setter
    def value(self, value: Any) -> None:
        self._value = value

    def ack(self) -> bool:
        """Changelog records are not tracked: nothing to ack."""
        return False
