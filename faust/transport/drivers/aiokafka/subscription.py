"""The consumer's subscription: topic names plus the app's regex patterns.

The conductor hands the consumer the names of every subscribed topic. Topics
declared with ``pattern=`` have no fixed names; Kafka clients subscribe either
to a list of names or to one pattern, so when patterns exist both are folded
into a single regex (names escaped and anchored, patterns matched from the
start of the topic name, as the conductor routes them).

A subscribed topic that does not exist yet (created later by a producer, an
admin or another worker) is picked up only when the consumer next refreshes
its metadata, by default every 5 minutes (``consumer_metadata_max_age_ms``).
:func:`refresh_while_missing` asks for metadata again while any is missing,
as the Java consumer does; the group leader then sees the new topic and the
group rebalances to give its partitions out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Optional

from aiokafka.errors import KafkaError

__all__ = ["subscription_for", "refresh_while_missing"]

logger = logging.getLogger(__name__)


def subscription_for(
    names: Iterable[str], topics: Iterable[Any]
) -> tuple[list[str], Optional[str]]:
    """``(sorted names, combined pattern or None)`` to subscribe to.

    Arguments:
        names: topic names from the conductor.
        topics: the conductor's topic subscriptions (objects with a
            ``pattern`` attribute: a compiled regex or None).
    """
    unique = sorted(set(names))
    patterns = sorted(
        {p.pattern for t in topics if (p := getattr(t, "pattern", None)) is not None}
    )
    if not patterns:
        return unique, None
    parts = [f"{re.escape(name)}$" for name in unique]
    parts.extend(f"(?:{pattern})" for pattern in patterns)
    return unique, "|".join(f"(?:{part})" for part in parts)


async def refresh_while_missing(consumer: Any, reported: set[str]) -> set[str]:
    """Refresh ``consumer``'s metadata if a subscribed topic is unknown to it.

    Arguments:
        consumer: a started ``aiokafka.AIOKafkaConsumer``.
        reported: topics already logged as missing (updated).

    Returns:
        The subscribed topics still unknown before the refresh.
    """
    cluster = consumer._client.cluster
    missing = set(consumer.subscription()) - set(cluster.topics())
    new = missing - reported
    if new:
        logger.info(
            "Waiting for topic(s) %s to exist: their partitions are assigned "
            "as soon as the brokers list them",
            ", ".join(sorted(new)),
        )
    reported.clear()
    reported |= missing
    if missing:
        try:
            await consumer._client.force_metadata_update()
        except KafkaError as exc:  # the next round asks again
            logger.debug("Metadata refresh failed: %r", exc)
    return missing
