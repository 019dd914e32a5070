"""State, lifecycle and topic administration of the in-memory broker.

:class:`BrokerBase` is the first layer of :class:`~.broker.MemoryBroker`:
it holds the topics, the group and transaction coordinators and the options,
and implements closing and the topic admin calls.  The layers above add
offsets, maintenance, groups and transactions (:mod:`.broker_admin`) and the
registry, produce, fetch and long-poll (:mod:`faust.transport.drivers.memory.broker`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from faust.types.tuples import TP

from .broker_errors import BrokerClosed, InvalidRequest, UnknownTopicOrPartition
from .broker_topics import MemoryTopic, TopicConfig, validate_topic_name
from .broker_types import CreateTopicResult, TopicDescription
from .broker_wait import WaitSet
from .groups import GroupCoordinator
from .log import PartitionLog
from .transactions import TransactionCoordinator

__all__ = ["BrokerBase"]


class BrokerBase:
    """First layer of ``MemoryBroker``: options, state, closing, topic admin.

    Arguments:
        name: a label (``for_url`` uses the URL's host).
        auto_create_topics: create unknown topics on produce.
        auto_create_on_subscribe: create unknown topics when a group member
            subscribes to them (otherwise the group rebalances when they are
            created).
        default_partitions: partition count of auto-created topics and of
            ``create_topic`` calls that give none.
        message_max_bytes: default ``max.message.bytes`` of topics.
        compaction_threshold: compacted partitions compact automatically after
            this many appends (see :class:`~.log.PartitionLog`); None: only
            when
            :meth:`~faust.transport.drivers.memory.broker_admin.BrokerAdmin.compact`
            is called.
        delete_retention_ms: default ``delete.retention.ms``: how long
            compaction keeps tombstones (0: removes them at once).
        transaction_timeout: default seconds a transaction may stay open.
        clock: returns the time in seconds (``time.time``); tests may pass a
            fake clock.
    """

    def __init__(
        self,
        name: str = "",
        *,
        auto_create_topics: bool = True,
        auto_create_on_subscribe: bool = False,
        default_partitions: int = 1,
        message_max_bytes: int = 1_048_588,
        compaction_threshold: int | None = 10_000,
        delete_retention_ms: int = 0,
        transaction_timeout: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if default_partitions < 1:
            raise InvalidRequest(
                f"default_partitions must be >= 1: {default_partitions}"
            )
        if compaction_threshold is not None and compaction_threshold < 1:
            raise InvalidRequest("compaction_threshold must be >= 1 or None")
        self.name = name
        self.auto_create_topics = auto_create_topics
        self.auto_create_on_subscribe = auto_create_on_subscribe
        self.default_partitions = default_partitions
        self.message_max_bytes = message_max_bytes
        self.compaction_threshold = compaction_threshold
        self.delete_retention_ms = delete_retention_ms
        self.transaction_timeout = transaction_timeout
        self.clock = clock
        self.closed = False
        self._topics: dict[str, MemoryTopic] = {}
        #: Woken on close.
        self._closing = WaitSet()
        #: Woken when topics or partitions appear or go (waiters on them).
        self._topology = WaitSet()
        self.groups = GroupCoordinator(self.partitions_for)
        self.transactions = TransactionCoordinator(self.groups, clock)

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"topics={len(self._topics)}"
        return f"<{type(self).__name__} {self.name!r} {state}>"

    def close(self) -> None:
        """Close: wake every waiter, fence producers, drop all data.

        Later calls raise :class:`BrokerClosed`.  Closing twice does nothing.
        """
        if self.closed:
            return
        self.closed = True
        self.transactions.close()
        self.groups.close()
        for topic in self._topics.values():
            for log in topic.logs:
                log.waiters.wake()
        self._topics.clear()
        self._closing.wake()

    def _check_open(self) -> None:
        if self.closed:
            raise BrokerClosed(f"memory broker {self.name!r} is closed")

    # -- topics -----------------------------------------------------------

    def create_topic(
        self,
        name: str,
        partitions: int | None = None,
        *,
        config: Mapping[str, Any] | None = None,
    ) -> CreateTopicResult:
        """Create a topic; a no-op if it exists.

        Arguments:
            name: the topic name.
            partitions: partition count (default: ``default_partitions``).
            config: Kafka topic settings (see :mod:`.broker_topics`).

        Returns:
            ``created`` False and the existing partition count if the topic
            existed (the caller decides whether that is a conflict).

        Raises:
            InvalidRequest: bad name, partition count or config value.
        """
        self._check_open()
        existing = self._topics.get(name)
        if existing is not None:
            return CreateTopicResult(name, False, existing.num_partitions)
        self._new_topic(name, partitions, config)
        return CreateTopicResult(name, True, self._topics[name].num_partitions)

    def _new_topic(
        self,
        name: str,
        partitions: int | None,
        config: Mapping[str, Any] | None,
    ) -> MemoryTopic:
        validate_topic_name(name)
        count = self.default_partitions if partitions is None else partitions
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InvalidRequest(
                f"topic {name!r} needs at least 1 partition, not {count!r}"
            )
        topic = MemoryTopic(
            name,
            count,
            TopicConfig.parse(
                config,
                max_message_bytes=self.message_max_bytes,
                delete_retention_ms=self.delete_retention_ms,
            ),
            compact_threshold=self.compaction_threshold,
        )
        self._topics[name] = topic
        self._topology.wake()
        self.groups.on_topic_changed(name)
        return topic

    def delete_topic(self, name: str) -> bool:
        """Delete a topic, its committed offsets, and wake its consumers.

        Returns:
            False if there was no such topic.
        """
        self._check_open()
        topic = self._topics.pop(name, None)
        if topic is None:
            return False
        for log in topic.logs:
            log.waiters.wake()
        self._topology.wake()
        self.groups.forget_topic(name)
        self.groups.on_topic_changed(name)
        return True

    def create_partitions(self, name: str, total: int) -> None:
        """Grow topic ``name`` to ``total`` partitions (Kafka cannot shrink).

        Raises:
            UnknownTopicOrPartition: no such topic.
            InvalidRequest: ``total`` is not larger than the current count.
        """
        topic = self._topic(name)
        if total <= topic.num_partitions:
            raise InvalidRequest(
                f"topic {name!r} already has {topic.num_partitions} partitions; "
                f"partitions can only be added"
            )
        topic.add_partitions(total)
        self._topology.wake()
        self.groups.on_topic_changed(name)

    def list_topics(self) -> dict[str, int]:
        """Return ``{topic: partition count}``."""
        self._check_open()
        return {name: t.num_partitions for name, t in self._topics.items()}

    def describe_topic(self, name: str) -> TopicDescription:
        """Return a topic's partition count and config.

        Raises:
            UnknownTopicOrPartition: no such topic.
        """
        topic = self._topic(name)
        return TopicDescription(name, topic.num_partitions, dict(topic.config.raw))

    def partitions_for(self, topic: str) -> int | None:
        """Return the partition count of ``topic``, or None if it does not exist."""
        found = self._topics.get(topic)
        return None if found is None else len(found.logs)

    def _topic(self, name: str) -> MemoryTopic:
        self._check_open()
        topic = self._topics.get(name)
        if topic is None:
            raise UnknownTopicOrPartition(f"topic {name!r} does not exist")
        return topic

    def log(self, tp: TP) -> PartitionLog:
        """Return the log of a partition (read its offsets and records).

        Raises:
            UnknownTopicOrPartition: no such topic or partition.
        """
        topic = self._topic(tp[0])
        if not 0 <= tp[1] < len(topic.logs):
            raise UnknownTopicOrPartition(
                f"topic {tp[0]!r} has no partition {tp[1]} (it has {len(topic.logs)})"
            )
        return topic.logs[tp[1]]

    def _find_log(self, tp: TP) -> PartitionLog | None:
        topic = self._topics.get(tp[0])
        if topic is None or not 0 <= tp[1] < len(topic.logs):
            return None
        return topic.logs[tp[1]]
