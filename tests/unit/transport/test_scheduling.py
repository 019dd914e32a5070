"""The default delivery order of fetched records."""

from __future__ import annotations

from faust.transport.utils import DefaultSchedulingStrategy
from faust.types import TP


def test_round_robin_topics_then_partitions_keeping_partition_order() -> None:
    records = {
        TP("a", 0): [1, 2, 3],
        TP("a", 1): [4],
        TP("b", 0): [5, 6],
    }
    order = list(DefaultSchedulingStrategy().iterate(records))
    assert sorted(r for _, r in order) == [1, 2, 3, 4, 5, 6]
    # each partition keeps its order
    for tp, recs in records.items():
        assert [r for t, r in order if t == tp] == recs
    # topics are interleaved: b is not starved until a is done
    assert order.index((TP("b", 0), 5)) < order.index((TP("a", 0), 3))


def test_single_partition_fast_path() -> None:
    assert list(DefaultSchedulingStrategy().iterate({TP("a", 0): [1, 2]})) == [
        (TP("a", 0), 1),
        (TP("a", 0), 2),
    ]
