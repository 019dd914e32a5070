"""Topics of the in-memory broker: configuration and partition choice.

A :class:`MemoryTopic` owns one :class:`~.log.PartitionLog` per partition and
its parsed :class:`TopicConfig`.  Configuration uses Kafka's names and value
syntax; the keys the engine acts on are:

==========================  =================================================
``cleanup.policy``          ``delete`` (default), ``compact`` or both
                            (``compact,delete``)
``retention.ms``            age after which ``delete`` topics drop records
                            (``-1``: forever, the default)
``max.message.bytes``       largest record payload accepted
``delete.retention.ms``     how long compaction keeps tombstones
``message.timestamp.type``  ``CreateTime`` (default) or ``LogAppendTime``
==========================  =================================================

Other keys are kept (``describe_topic`` shows them) and otherwise ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faust.exceptions import MessageSizeTooLarge
from faust.types.tuples import TP
from faust.utils.murmur2 import murmur2

from .broker_errors import InvalidRequest
from .broker_types import Headers
from .log import PartitionLog

__all__ = [
    "TopicConfig",
    "MemoryTopic",
    "validate_topic_name",
    "PLAIN_TYPES",
    "as_bytes",
    "header_tuple",
    "reject_record",
]

_LEGAL_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_POLICIES = frozenset({"compact", "delete"})


def validate_topic_name(name: str) -> None:
    """Raise :class:`InvalidRequest` unless ``name`` is a legal Kafka topic name."""
    if not isinstance(name, str) or not _LEGAL_NAME.match(name) or name in {".", ".."}:
        raise InvalidRequest(
            f"invalid topic name {name!r}: use 1-249 characters among "
            f"ASCII letters, digits, '.', '_' and '-'"
        )


def _int_setting(config: Mapping[str, Any], key: str, default: int) -> int:
    raw = config.get(key)
    if raw is None:
        return default
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidRequest(f"topic config {key}={raw!r} is not an integer") from None


def _policies(raw: Any) -> frozenset[str]:
    items: Iterable[Any]
    items = raw.split(",") if isinstance(raw, str) else raw
    try:
        policies = frozenset(str(p).strip().lower() for p in items)
    except TypeError:
        policies = frozenset({repr(raw)})
    if not policies or not policies <= _POLICIES:
        raise InvalidRequest(
            f"topic config cleanup.policy={raw!r} is invalid: "
            f"use 'delete', 'compact' or 'compact,delete'"
        )
    return policies


@dataclass(frozen=True)
class TopicConfig:
    """A topic's parsed configuration (see the module docstring)."""

    compact: bool = False
    delete: bool = True
    #: None: keep records forever.
    retention_ms: int | None = None
    max_message_bytes: int = 1_048_588
    delete_retention_ms: int = 0
    log_append_time: bool = False
    #: Every key given, as strings (Kafka's ``describe`` view).
    raw: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(
        cls,
        config: Mapping[str, Any] | None,
        *,
        max_message_bytes: int,
        delete_retention_ms: int,
    ) -> TopicConfig:
        """Validate ``config`` and apply the broker defaults.

        Arguments:
            config: Kafka topic settings (values may be str or int).
            max_message_bytes: broker default for ``max.message.bytes``.
            delete_retention_ms: broker default for ``delete.retention.ms``.

        Raises:
            InvalidRequest: a known key has an invalid value.
        """
        config = dict(config or {})
        policies = _policies(config.get("cleanup.policy", "delete"))
        retention = _int_setting(config, "retention.ms", -1)
        if retention < -1:
            raise InvalidRequest(f"topic config retention.ms={retention} is negative")
        max_bytes = _int_setting(config, "max.message.bytes", max_message_bytes)
        if max_bytes < 0:
            raise InvalidRequest(f"topic config max.message.bytes={max_bytes} < 0")
        delete_ret = _int_setting(config, "delete.retention.ms", delete_retention_ms)
        if delete_ret < 0:
            raise InvalidRequest(f"topic config delete.retention.ms={delete_ret} < 0")
        ts_type = str(config.get("message.timestamp.type", "CreateTime"))
        if ts_type not in {"CreateTime", "LogAppendTime"}:
            raise InvalidRequest(
                f"topic config message.timestamp.type={ts_type!r} is invalid: "
                f"use 'CreateTime' or 'LogAppendTime'"
            )
        return cls(
            compact="compact" in policies,
            delete="delete" in policies,
            retention_ms=None if retention == -1 else retention,
            max_message_bytes=max_bytes,
            delete_retention_ms=delete_ret,
            log_append_time=ts_type == "LogAppendTime",
            raw={str(k): _config_str(v) for k, v in config.items()},
        )


def _config_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    return str(value)


class MemoryTopic:
    """A topic: its configuration and one log per partition.

    Arguments:
        name: the topic name (validated by the caller).
        partitions: the partition count (at least 1).
        config: the parsed configuration.
        compact_threshold: passed to the logs of compacted topics.
    """

    __slots__ = (
        "name",
        "config",
        "logs",
        "tps",
        "_compact_threshold",
        "_next",
        "_partition_of",
    )

    #: Keys whose partition is remembered (murmur2 costs ~1 us in Python).
    partition_cache_size = 65_536

    def __init__(
        self,
        name: str,
        partitions: int,
        config: TopicConfig,
        *,
        compact_threshold: int | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self._compact_threshold = compact_threshold if config.compact else None
        self.logs: list[PartitionLog] = []
        self.tps: list[TP] = []
        self._next = 0
        self._partition_of: dict[bytes, int] = {}
        self.add_partitions(partitions)

    def __repr__(self) -> str:
        return f"<MemoryTopic {self.name!r} partitions={len(self.logs)}>"

    @property
    def num_partitions(self) -> int:
        """How many partitions the topic has."""
        return len(self.logs)

    def add_partitions(self, total: int) -> None:
        """Grow the topic to ``total`` partitions (never shrinks)."""
        self._partition_of.clear()
        for partition in range(len(self.logs), total):
            tp = TP(self.name, partition)
            self.tps.append(tp)
            self.logs.append(
                PartitionLog(tp, compact_threshold=self._compact_threshold)
            )

    def partition_for(self, key: bytes | None) -> int:
        """Choose a partition: murmur2 for keys, round-robin for None."""
        if key is not None:
            cache = self._partition_of
            partition = cache.get(key)
            if partition is None:
                if len(cache) >= self.partition_cache_size:
                    cache.clear()
                partition = (murmur2(key) & 0x7FFFFFFF) % len(self.logs)
                cache[key] = partition
            return partition
        partition = self._next % len(self.logs)
        self._next = partition + 1
        return partition

    def compact(self, now: float) -> int:
        """Compact every partition; return how many records were removed."""
        horizon = now - self.config.delete_retention_ms / 1000.0
        return sum(log.compact(horizon) for log in self.logs)

    def compact_partition(self, log: PartitionLog, now: float) -> int:
        """Compact one partition (automatic compaction)."""
        return log.compact(now - self.config.delete_retention_ms / 1000.0)

    def expire(self, now: float) -> int:
        """Apply ``retention.ms``; return how many records were deleted."""
        retention = self.config.retention_ms
        if not self.config.delete or retention is None:
            return 0
        cutoff = now - retention / 1000.0
        return sum(log.expire(cutoff) for log in self.logs)


#: Classes of keys and values stored as they are.
PLAIN_TYPES = frozenset({bytes, type(None)})


def as_bytes(data: Any, what: str) -> bytes | None:
    """Return ``data`` as bytes (a copy if it was mutable) or None."""
    if data is None or data.__class__ is bytes:
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)  # copy: the log must not change under readers
    raise InvalidRequest(
        f"message {what} must be bytes or None, not {type(data).__name__}: "
        f"serialize it first"
    )


def reject_record(topic: str, config: TopicConfig, size: int, timestamp: float) -> None:
    """Raise the error that explains why a record cannot be appended."""
    if size > config.max_message_bytes:
        raise MessageSizeTooLarge(
            f"message of {size} bytes for topic {topic!r} is larger than "
            f"its max.message.bytes={config.max_message_bytes}; nothing "
            f"was written"
        )
    if timestamp < 0:
        raise InvalidRequest(f"invalid negative timestamp {timestamp!r}")
    raise InvalidRequest(f"compacted topic {topic!r} needs a message key")


def header_tuple(headers: Iterable[tuple[str, bytes]]) -> tuple[Headers, int]:
    """Return headers as a tuple, and their size; raise if malformed."""
    items = tuple(headers)
    size = 0
    for item in items:
        name, value = item if len(item) == 2 else (None, None)
        if not isinstance(name, str) or not isinstance(value, (bytes, type(None))):
            raise InvalidRequest(
                f"header {item!r} is not a (str, bytes) pair: serialize it first"
            )
        size += len(name.encode()) + (0 if value is None else len(value))
    return items, size
