"""Errors raised by the in-memory broker engine.

They mirror the Kafka error codes a client would see, as subclasses of
:class:`faust.exceptions.TransportError`, so a driver can let them through or
translate them.  The engine also raises these from :mod:`faust.exceptions`:

- :class:`~faust.exceptions.MessageSizeTooLarge`: a record is larger than the
  topic's ``max.message.bytes``; nothing was appended.
- :class:`~faust.exceptions.ProducerFenced`: a newer producer with the same
  transactional id took over.

The tree::

    TransportError
    ├── BrokerClosed (BrokerUnavailable)   the broker was closed
    ├── InvalidRequest (ValueError)        bad argument or topic config
    ├── UnknownTopicOrPartition            no such topic or partition
    ├── OffsetOutOfRange                   fetch below log start / above end
    ├── UnknownMemberId                    member not (or no longer) in group
    ├── IllegalGeneration                  commit from an old generation
    └── InvalidTransactionState            e.g. produce with no transaction
"""

from __future__ import annotations

from faust.exceptions import BrokerUnavailable, TransportError
from faust.types.tuples import TP

__all__ = [
    "BrokerClosed",
    "InvalidRequest",
    "UnknownTopicOrPartition",
    "OffsetOutOfRange",
    "UnknownMemberId",
    "IllegalGeneration",
    "InvalidTransactionState",
]


class BrokerClosed(BrokerUnavailable):
    """The in-memory broker was closed; get a new one with ``for_url``."""

    retriable = False


class InvalidRequest(TransportError, ValueError):
    """An argument or a topic configuration value is invalid."""


class UnknownTopicOrPartition(TransportError):
    """The topic does not exist, or has no such partition."""


class OffsetOutOfRange(TransportError):
    """A fetch offset is below the log start offset or above the end.

    Arguments:
        tp: the partition.
        offset: the offset that was asked for.
        log_start_offset: the first offset still in the log.
        high_watermark: the offset the next record will get.
    """

    def __init__(
        self, tp: TP, offset: int, log_start_offset: int, high_watermark: int
    ) -> None:
        self.tp = tp
        self.offset = offset
        self.log_start_offset = log_start_offset
        self.high_watermark = high_watermark
        super().__init__(
            f"offset {offset} of {tp.topic}[{tp.partition}] is out of range: "
            f"the log holds offsets {log_start_offset} to {high_watermark} "
            f"(exclusive); seek to a valid offset or fetch with a reset policy"
        )


class UnknownMemberId(TransportError):
    """The member is not (or no longer) part of the consumer group."""


class IllegalGeneration(TransportError):
    """A commit came from a member of an older group generation.

    The group rebalanced since the caller's last look at its assignment: its
    partitions may belong to another member now, so the work the commit was
    for must be dropped and the new assignment taken.

    Arguments:
        group_id: the consumer group.
        member_id: the member that tried to commit.
        generation: the generation the member gave.
        current_generation: the group's generation now.
    """

    def __init__(
        self, group_id: str, member_id: str, generation: int, current_generation: int
    ) -> None:
        self.group_id = group_id
        self.member_id = member_id
        self.generation = generation
        self.current_generation = current_generation
        super().__init__(
            f"commit by member {member_id!r} of group {group_id!r} rejected: "
            f"it is for generation {generation} but the group rebalanced to "
            f"generation {current_generation}; drop the uncommitted work and "
            f"take the new assignment"
        )


class InvalidTransactionState(TransportError):
    """The transactional producer is not in a state that allows the call."""
