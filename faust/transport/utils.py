"""Transport helpers: the default order in which fetched records are delivered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from itertools import zip_longest
from typing import Any

from ..types import TP, Message
from ..types.transports import RecordMap, SchedulingStrategyT

__all__ = ["DefaultSchedulingStrategy", "round_robin"]


class DefaultSchedulingStrategy(SchedulingStrategyT):
    """Round-robin over topics, then over each topic's partitions.

    Records of one partition always keep their order. Interleaving keeps a
    busy topic from starving the others within a fetched batch.
    """

    def iterate(self, records: RecordMap) -> Iterator[tuple[TP, Any]]:
        """Yield ``(tp, record)`` pairs in delivery order."""
        if len(records) == 1:
            for tp, recs in records.items():
                for record in recs:
                    yield tp, record
            return
        by_topic: dict[str, list[tuple[TP, list[Any]]]] = defaultdict(list)
        for tp, recs in records.items():
            if recs:
                by_topic[tp.topic].append((tp, recs))
        iterators = [self._topic_iterator(parts) for parts in by_topic.values()]
        while iterators:
            alive = []
            for it in iterators:
                item = next(it, None)
                if item is not None:
                    yield item
                    alive.append(it)
            iterators = alive

    @staticmethod
    def _topic_iterator(parts: list[tuple[TP, list[Any]]]) -> Iterator[tuple[TP, Any]]:
        positions = [0] * len(parts)
        remaining = sum(len(recs) for _, recs in parts)
        while remaining:
            for i, (tp, recs) in enumerate(parts):
                pos = positions[i]
                if pos < len(recs):
                    positions[i] = pos + 1
                    remaining -= 1
                    yield tp, recs[pos]


_GAP: Any = object()


def _interleave(lists: list[list[Any]]) -> list[Any]:
    if len(lists) == 1:
        return lists[0]
    return [
        item
        for row in zip_longest(*lists, fillvalue=_GAP)
        for item in row
        if item is not _GAP
    ]


def round_robin(by_tp: Mapping[TP, list[Message]]) -> list[Message]:
    """The order of :class:`~faust.transport.utils.DefaultSchedulingStrategy`.

    Round-robin over topics, and within a topic over its partitions (in the
    order the fetch returned them), one message at a time; built with
    ``zip_longest`` instead of a generator step per message.
    """
    by_topic: dict[str, list[list[Message]]] = {}
    for tp, messages in by_tp.items():
        by_topic.setdefault(tp.topic, []).append(messages)
    return _interleave([_interleave(parts) for parts in by_topic.values()])
