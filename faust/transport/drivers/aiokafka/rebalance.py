"""Rebalance plumbing of the Kafka consumer: aiokafka's listener, loop watch.

:class:`ConsumerRebalanceListener` hands aiokafka's rebalance callbacks to
the faust :class:`~faust.transport.drivers.aiokafka.consumer.Consumer`:
*revoked* is awaited inside the
callback (aiokafka keeps heartbeating meanwhile), *assigned* is only recorded
(aiokafka sends no heartbeat while that callback runs), the consumer applies
it right after.

:func:`warn_if_loop_blocked` explains, loudly, what a blocked event loop does
to group membership.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from aiokafka import TopicPartition
from aiokafka.abc import ConsumerRebalanceListener as _AIOListener
from aiokafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)

from ....types import TP

if TYPE_CHECKING:  # pragma: no cover
    from .consumer import Consumer

__all__ = [
    "REBALANCE_ERRORS",
    "W_LOOP_BLOCKED",
    "ConsumerRebalanceListener",
    "aio_tp",
    "warn_if_loop_blocked",
]

logger = logging.getLogger(__name__)

#: Errors meaning "the group moved on": retry after the rebalance.
REBALANCE_ERRORS = (
    CommitFailedError,
    IllegalGenerationError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)

W_LOOP_BLOCKED = """\
The event loop was blocked for %.1f seconds, longer than \
broker_session_timeout (%.1f s). No heartbeat reached the Kafka group \
coordinator meanwhile, so it has most likely removed this worker from the \
consumer group and given its partitions to other workers. The worker rejoins \
the group now; offsets of events processed meanwhile cannot be committed, so \
their new owner processes them again (nothing is lost, some events are \
processed twice). Move blocking code (synchronous I/O, CPU-heavy work) out of \
agents, timers and signal handlers (e.g. loop.run_in_executor), or raise \
broker_session_timeout.\
"""


def aio_tp(tp: TP) -> TopicPartition:
    """The aiokafka ``TopicPartition`` of a faust ``TP``."""
    return TopicPartition(tp.topic, tp.partition)


def warn_if_loop_blocked(blocked: float, session_timeout: float) -> None:
    """Log how a ``blocked``-second stall of the event loop affects the group.

    At half the session timeout: a warning; past it: an error explaining that
    the worker lost its partitions, rejoins, and that events are processed
    again (not lost).
    """
    if blocked >= session_timeout:
        logger.error(W_LOOP_BLOCKED, blocked, session_timeout)
    elif blocked >= session_timeout / 2:
        logger.warning(
            "The event loop was blocked for %.1f seconds: at "
            "broker_session_timeout (%.1f s) this worker loses its "
            "partitions. Move blocking code out of the event loop.",
            blocked,
            session_timeout,
        )


class ConsumerRebalanceListener(_AIOListener):  # type: ignore[misc]  # untyped base
    """Hands aiokafka's rebalance callbacks to the faust consumer.

    Arguments:
        consumer: the faust consumer.
    """

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        """Run the app's revoke handler (aiokafka keeps heartbeating)."""
        await self.consumer.on_rebalance_revoked()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        """Record the assignment; the consumer applies it outside the callback."""
        self.consumer.on_rebalance_assigned(assigned)
