"""Value types of the in-memory broker engine's API.

All are immutable tuples (or enums) so they can be handed to callers without
copying.  :data:`StoredRecord` is what the log stores and what a fetch
returns: one plain tuple per record, shared by every consumer.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from faust.types.tuples import TP

__all__ = [
    "TIMESTAMP_CREATE_TIME",
    "TIMESTAMP_LOG_APPEND_TIME",
    "Headers",
    "StoredRecord",
    "RECORD_OFFSET",
    "RECORD_KEY",
    "RECORD_VALUE",
    "RECORD_TIMESTAMP",
    "RECORD_TIMESTAMP_TYPE",
    "RECORD_HEADERS",
    "OffsetReset",
    "FetchResult",
    "OffsetAndMetadata",
    "OffsetAndTimestamp",
    "CreateTopicResult",
    "TopicDescription",
    "MemberSubscription",
    "MemberAssignment",
    "Assignor",
    "AssignorResult",
    "Rebalance",
    "MemberDescription",
    "GroupDescription",
]

#: ``timestamp_type`` of a record whose timestamp the producer chose.
TIMESTAMP_CREATE_TIME = 0
#: ``timestamp_type`` of a record stamped by the broker when appended.
TIMESTAMP_LOG_APPEND_TIME = 1

#: Record headers as stored: a tuple of ``(name, value)`` pairs.
Headers = tuple[tuple[str, bytes], ...]


#: One record of a partition log, as stored and as fetched: a plain tuple
#: ``(offset, key, value, timestamp, timestamp_type, headers)`` (unpack it,
#: or index it with the ``RECORD_*`` constants).  A plain tuple of immutable
#: values is untracked by the garbage collector, so a log of millions of
#: records costs the collector nothing; a NamedTuple would be scanned on
#: every full collection.
#:
#: - ``offset``: position in the partition; never renumbered (compaction
#:   leaves gaps).
#: - ``key``, ``value``: bytes or None.
#: - ``timestamp``: seconds since the epoch (float).
#: - ``timestamp_type``: :data:`TIMESTAMP_CREATE_TIME` or
#:   :data:`TIMESTAMP_LOG_APPEND_TIME`.
#: - ``headers``: ``()`` when the record has no headers.
StoredRecord = tuple[int, bytes | None, bytes | None, float, int, Headers]

RECORD_OFFSET = 0
RECORD_KEY = 1
RECORD_VALUE = 2
RECORD_TIMESTAMP = 3
RECORD_TIMESTAMP_TYPE = 4
RECORD_HEADERS = 5


class OffsetReset(str, enum.Enum):
    """What a fetch does with an offset outside the log.

    Plain strings (``"earliest"``, ...) are accepted wherever this is.
    """

    #: Raise :class:`~.broker_errors.OffsetOutOfRange` (Kafka's ``none``).
    ERROR = "error"
    #: Restart at the log start offset.
    EARLIEST = "earliest"
    #: Restart at the end of the log (only new records).
    LATEST = "latest"


class FetchResult(NamedTuple):
    """The answer to one partition fetch."""

    #: Records in offset order (may be empty); never includes control markers.
    records: list[StoredRecord]
    #: Where the next fetch should start: past the last record returned, or
    #: the end of the readable log when the fetch reached it (skipping gaps,
    #: control markers and aborted records).
    next_offset: int
    high_watermark: int
    last_stable_offset: int
    log_start_offset: int
    #: Set when the fetch offset was out of range and the reset policy moved
    #: it: the offset the fetch restarted at.
    reset_to: int | None = None


class OffsetAndMetadata(NamedTuple):
    """A committed consumer offset and its metadata string."""

    offset: int
    metadata: str = ""


class OffsetAndTimestamp(NamedTuple):
    """Answer to an offsets-for-times lookup."""

    offset: int
    timestamp: float


class CreateTopicResult(NamedTuple):
    """Answer to ``create_topic``.

    When ``created`` is False the topic already existed and was left as it
    was: compare ``partitions`` with what you asked for to detect a conflict.
    """

    topic: str
    created: bool
    partitions: int


class TopicDescription(NamedTuple):
    """A topic's partition count and configuration (Kafka names)."""

    name: str
    partitions: int
    config: Mapping[str, str]


class MemberSubscription(NamedTuple):
    """What an assignor knows about one group member."""

    #: Topics the member subscribed to.
    topics: frozenset[str]
    #: Opaque bytes the member gave when joining (for custom assignors).
    metadata: bytes
    #: Partitions assigned to the member in the previous generation.
    owned: frozenset[TP]


class MemberAssignment(NamedTuple):
    """What an assignor gives one member."""

    partitions: frozenset[TP]
    #: Opaque bytes handed to the member with its assignment.
    user_data: bytes = b""


#: An assignor may give a :class:`MemberAssignment` or any iterable of TPs.
AssignorResult = Mapping[str, MemberAssignment | Iterable[TP]]

#: ``assignor(members, partitions_per_topic) -> {member_id: assignment}``.
#: ``members`` maps every member id to its subscription; the second argument
#: maps each subscribed topic that exists to its partition count.  Members
#: left out of the result get no partitions.
Assignor = Callable[
    [Mapping[str, MemberSubscription], Mapping[str, int]], AssignorResult
]


class Rebalance(NamedTuple):
    """A member's view of assignment changes since it last looked.

    ``revoked`` and ``assigned`` are relative to ``previous``, the assignment
    the member acknowledged last.  A partition that was taken away and given
    back in between is in both sets (another member may have consumed it),
    so ``previous - revoked | assigned == assignment`` always holds.
    """

    generation: int
    assignment: frozenset[TP]
    previous: frozenset[TP]
    revoked: frozenset[TP]
    assigned: frozenset[TP]
    user_data: bytes


class MemberDescription(NamedTuple):
    """One member in :class:`GroupDescription`."""

    member_id: str
    client_id: str
    topics: frozenset[str]
    assignment: frozenset[TP]


class GroupDescription(NamedTuple):
    """A consumer group's state."""

    group_id: str
    #: 0 before the first member ever joined.
    generation: int
    #: ``"Empty"`` or ``"Stable"`` (rebalances are instantaneous).
    state: str
    leader: str | None
    members: Mapping[str, MemberDescription]
