"""How tables map to their changelog topics.

Writes: keys and values are serialized like Faust does (JSON, ``raw`` for
bytes, the model's serializer for models), and a table written from a
stream must be co-partitioned with it (:func:`verify_copartitioned`).

Reads: recovery and standby replication hand tables :class:`ChangelogEvent`
objects. Their key and value are decoded only when read: a RocksDB store
writes the raw bytes and never pays for decoding. JSON gives tuple keys (and
window ranges) back as lists: :func:`to_key` makes them tuples again.
"""

from __future__ import annotations

from typing import Any, Optional

from ..events import Event
from ..exceptions import PartitionsMismatch
from ..types import AppT, CodecArg, Message, ModelT, SchemaT

__all__ = [
    "ChangelogEvent",
    "E_OUTSIDE_STREAM",
    "serializer_from_type",
    "to_key",
    "to_value",
    "verify_copartitioned",
]

_UNSET: Any = object()

E_OUTSIDE_STREAM = (
    "Cannot modify table {name!r} from outside of stream iteration: "
    "write to it inside `async for` of an agent, or create the table with "
    "use_partitioner=True"
)


def serializer_from_type(typ: Any) -> CodecArg:
    """The codec of a table key or value of type ``typ``."""
    if typ is bytes:
        return "raw"
    if isinstance(typ, type) and issubclass(typ, ModelT):
        return typ._options.serializer or "json"
    return "json"


def to_key(key: Any) -> Any:
    """A decoded changelog key, with JSON lists made tuples (hashable)."""
    if isinstance(key, list):
        return tuple(to_key(part) for part in key)
    return key


def to_value(value: Any) -> Any:
    """A decoded changelog value (as it is)."""
    return value


def verify_copartitioned(
    table: str,
    source_topic: str,
    source_partitions: Optional[int],
    changelog: str,
    changelog_partitions: int,
) -> None:
    """Raise PartitionsMismatch unless the source and changelog agree.

    Raises:
        PartitionsMismatch: with what to change to fix it.
    """
    if source_partitions is None or source_partitions == changelog_partitions:
        return
    raise PartitionsMismatch(
        f"Table {table!r} (changelog {changelog!r}, {changelog_partitions} "
        f"partitions) is written from topic {source_topic!r}, which has "
        f"{source_partitions} partitions. A table must be written from a stream "
        "with the same number of partitions as its changelog, so each worker "
        f"owns matching partitions. Fix: create the table with "
        f"partitions={source_partitions} (and delete the topic {changelog!r} if "
        f"it exists), or repartition the stream with group_by() into a topic "
        f"with {changelog_partitions} partitions."
    )


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
