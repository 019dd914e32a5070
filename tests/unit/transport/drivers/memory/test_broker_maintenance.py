import pytest

from faust.transport.drivers.memory.broker import (
    MemoryBroker,
    OffsetOutOfRange,
    UnknownTopicOrPartition,
)
from faust.types.tuples import TP


class FakeClock:
    """A settable clock for the broker (seconds)."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def broker(clock):
    broker = MemoryBroker("test", clock=clock)
    yield broker
    broker.close()


@pytest.fixture(autouse=True)
def _reset_registry():
    yield
    MemoryBroker.reset_all()


# -- maintenance ------------------------------------------------------------


def test_delete_records(broker):
    for _ in range(5):
        broker.produce("t", b"k", b"v")
    tp = TP("t", 0)
    assert broker.delete_records(tp, 3) == 3
    assert broker.beginning_offsets([tp]) == {tp: 3}
    assert broker.delete_records(tp, -1) == 2
    assert broker.beginning_offsets([tp]) == {tp: 5}
    with pytest.raises(OffsetOutOfRange):
        broker.delete_records(tp, 6)


def test_apply_retention(broker, clock):
    broker.create_topic("d", config={"retention.ms": 1000})
    broker.create_topic("forever")
    broker.create_topic("c", config={"cleanup.policy": "compact", "retention.ms": 1})
    for topic in ("d", "forever", "c"):
        broker.produce(topic, b"k", b"old", timestamp=clock.now - 5)
        broker.produce(topic, b"k", b"new", timestamp=clock.now)
    assert broker.apply_retention() == 1
    assert broker.beginning_offsets([TP("d", 0), TP("forever", 0), TP("c", 0)]) == {
        TP("d", 0): 1,
        TP("forever", 0): 0,
        TP("c", 0): 0,
    }
    assert broker.apply_retention("d", now=clock.now + 10) == 1
    assert broker.fetch(TP("d", 0), 2).records == []
    with pytest.raises(UnknownTopicOrPartition):
        broker.apply_retention("nope")


def test_compact_explicit(broker, clock):
    broker.create_topic("c", config={"cleanup.policy": "compact"})
    broker.create_topic("d")
    for topic in ("c", "d"):
        for i in range(6):
            broker.produce(topic, b"k%d" % (i % 2), b"v%d" % i)
    assert broker.compact() == 4
    assert [r[0] for r in broker.fetch(TP("c", 0), 0).records] == [4, 5]
    assert broker.end_offsets([TP("d", 0)]) == {TP("d", 0): 6}
    assert len(broker.fetch(TP("d", 0), 0).records) == 6  # not compacted
    assert broker.compact("c") == 0


def test_compact_tombstones_honour_delete_retention(broker, clock):
    broker.create_topic(
        "c", config={"cleanup.policy": "compact", "delete.retention.ms": 5000}
    )
    broker.produce("c", b"k", b"v")
    broker.produce("c", b"k", None)
    broker.compact("c")
    assert [r[2] for r in broker.fetch(TP("c", 0), 0).records] == [None]
    clock.now += 5
    broker.compact("c")
    assert broker.fetch(TP("c", 0), 0).records == []


def test_auto_compaction(clock):
    broker = MemoryBroker(compaction_threshold=10, clock=clock)
    broker.create_topic("c", config={"cleanup.policy": "compact"})
    for i in range(10):
        broker.produce("c", b"k%d" % (i % 2), b"v%d" % i)
    records = broker.fetch(TP("c", 0), 0).records
    assert [r[0] for r in records] == [8, 9]
    assert broker.end_offsets([TP("c", 0)]) == {TP("c", 0): 10}
