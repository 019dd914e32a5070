import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faust.exceptions import ProducerFenced
from faust.transport.drivers.memory.broker import (
    IllegalGeneration,
    InvalidRequest,
    InvalidTransactionState,
    MemoryBroker,
    OffsetAndMetadata,
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


T0 = TP("t", 0)


def read(broker, tp=T0, read_committed=True, offset=0):
    """Read a partition to its end; return (values, final position)."""
    values = []
    while True:
        result = broker.fetch(tp, offset, max_records=3, read_committed=read_committed)
        values.extend(r[2] for r in result.records)
        if result.next_offset == offset:
            return values, offset
        offset = result.next_offset


def test_init_transactions_gives_ids_and_epochs(broker):
    a = broker.init_transactions("tx")
    b = broker.init_transactions("other")
    assert a.producer_id != b.producer_id
    assert (a.transactional_id, a.epoch) == ("tx", 0)
    a2 = broker.init_transactions("tx")
    assert (a2.producer_id, a2.epoch) == (a.producer_id, 1)
    assert a.fenced and not a2.fenced
    assert "fenced" in repr(a)


def test_fenced_producer_cannot_do_anything(broker):
    broker.create_topic("t")
    old = broker.init_transactions("tx")
    old.begin_transaction()
    broker.produce("t", b"k", b"zombie", transaction=old)
    new = broker.init_transactions("tx")
    # The zombie's open transaction was aborted by the new producer.
    assert read(broker) == ([], 2)
    for call in (
        old.begin_transaction,
        old.commit_transaction,
        old.abort_transaction,
        lambda: old.send_offsets_to_transaction("g", {T0: 1}),
        lambda: broker.produce("t", b"k", b"v", transaction=old),
    ):
        with pytest.raises(ProducerFenced, match="fenced"):
            call()
    assert broker.end_offsets([T0]) == {T0: 2}  # nothing appended
    new.begin_transaction()
    broker.produce("t", b"k", b"new", transaction=new)
    new.commit_transaction()
    assert read(broker)[0] == [b"new"]


def test_produce_needs_an_open_transaction(broker):
    broker.create_topic("t")
    txn = broker.init_transactions("tx")
    with pytest.raises(InvalidTransactionState, match="begin_transaction"):
        broker.produce("t", b"k", b"v", transaction=txn)
    with pytest.raises(InvalidTransactionState):
        txn.commit_transaction()
    with pytest.raises(InvalidTransactionState):
        txn.abort_transaction()
    txn.begin_transaction()
    with pytest.raises(InvalidTransactionState, match="already"):
        txn.begin_transaction()
    assert broker.end_offsets([T0]) == {T0: 0}


def test_commit_makes_records_visible_and_writes_markers(broker):
    broker.create_topic("t", 2)
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    assert txn.in_transaction
    broker.produce("t", b"k", b"a", partition=0, transaction=txn)
    broker.produce("t", b"k", b"b", partition=0, transaction=txn)
    broker.produce("t", b"k", b"c", partition=1, transaction=txn)
    assert txn.partitions == {T0, TP("t", 1)}
    assert read(broker) == ([], 0)  # nothing stable yet
    assert read(broker, read_committed=False) == ([b"a", b"b"], 2)
    result = broker.fetch(T0, 0, read_committed=True)
    assert (result.last_stable_offset, result.high_watermark) == (0, 2)
    assert broker.end_offsets([T0], read_committed=True) == {T0: 0}
    txn.commit_transaction()
    assert not txn.in_transaction
    # One control marker per partition: offset 2 on partition 0.
    assert broker.end_offsets([T0, TP("t", 1)]) == {T0: 3, TP("t", 1): 2}
    assert read(broker) == ([b"a", b"b"], 3)
    assert read(broker, TP("t", 1)) == ([b"c"], 2)
    assert read(broker, read_committed=False) == ([b"a", b"b"], 3)


def test_abort_hides_records_from_read_committed_only(broker):
    broker.create_topic("t")
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    broker.produce("t", b"k", b"aborted", transaction=txn)
    txn.abort_transaction()
    broker.produce("t", b"k", b"plain")
    assert read(broker) == ([b"plain"], 3)
    assert read(broker, read_committed=False) == ([b"aborted", b"plain"], 3)


def test_open_transaction_blocks_later_records_for_read_committed(broker):
    broker.create_topic("t")
    txn = broker.init_transactions("tx")
    broker.produce("t", b"k", b"before")
    txn.begin_transaction()
    broker.produce("t", b"k", b"in-txn", transaction=txn)
    broker.produce("t", b"k", b"after")  # not transactional, but after the LSO
    assert read(broker) == ([b"before"], 1)
    txn.commit_transaction()
    assert read(broker) == ([b"before", b"in-txn", b"after"], 4)


def test_offsets_are_committed_with_the_transaction(broker):
    broker.create_topic("t")
    broker.create_topic("in", 2)
    member = broker.join_group("g", ["in"])
    gen = member.poll_rebalance().generation
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    txn.send_offsets_to_transaction(
        "g",
        {TP("in", 0): 5, TP("in", 1): OffsetAndMetadata(9, "m")},
        member_id=member.member_id,
        generation=gen,
    )
    assert broker.committed_offsets("g") == {}
    txn.commit_transaction()
    assert broker.committed_offsets("g") == {
        TP("in", 0): OffsetAndMetadata(5),
        TP("in", 1): OffsetAndMetadata(9, "m"),
    }


def test_abort_discards_offsets(broker):
    broker.create_topic("in")
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    txn.send_offsets_to_transaction("g", {TP("in", 0): 5})
    txn.abort_transaction()
    txn.begin_transaction()
    txn.commit_transaction()
    assert broker.committed_offsets("g") == {}


def test_send_offsets_validates_generation_and_partitions(broker):
    broker.create_topic("in")
    member = broker.join_group("g", ["in"])
    old = member.poll_rebalance().generation
    broker.join_group("g", ["in"])
    txn = broker.init_transactions("tx")
    with pytest.raises(InvalidTransactionState):
        txn.send_offsets_to_transaction("g", {TP("in", 0): 1})
    txn.begin_transaction()
    with pytest.raises(IllegalGeneration):
        txn.send_offsets_to_transaction(
            "g", {TP("in", 0): 1}, member_id=member.member_id, generation=old
        )
    with pytest.raises(UnknownTopicOrPartition):
        txn.send_offsets_to_transaction("h", {TP("nope", 0): 1})
    txn.commit_transaction()
    assert broker.committed_offsets("g") == {}


def test_expire_transactions(broker, clock):
    broker.create_topic("t")
    txn = broker.init_transactions("tx", timeout=10)
    quick = broker.init_transactions("quick")
    assert quick.timeout == broker.transaction_timeout
    txn.begin_transaction()
    broker.produce("t", b"k", b"v", transaction=txn)
    clock.now += 10
    assert broker.expire_transactions() == 0
    assert broker.expire_transactions(now=clock.now + 1) == 1
    assert txn.fenced
    with pytest.raises(ProducerFenced, match="timeout"):
        txn.commit_transaction()
    assert read(broker) == ([], 2)  # aborted, marker written
    again = broker.init_transactions("tx")
    assert again.epoch == 1


def test_init_transactions_bad_input(broker):
    with pytest.raises(InvalidRequest):
        broker.init_transactions("")
    with pytest.raises(InvalidRequest):
        broker.init_transactions("tx", timeout=0)


def test_close_aborts_and_releases_the_id(broker):
    broker.create_topic("t")
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    broker.produce("t", b"k", b"v", transaction=txn)
    txn.close()
    assert read(broker) == ([], 2)
    with pytest.raises(InvalidTransactionState, match="closed"):
        txn.begin_transaction()
    fresh = broker.init_transactions("tx")
    assert fresh.epoch == 0
    assert not txn.fenced


def test_broker_close_fences_producers(broker):
    txn = broker.init_transactions("tx")
    broker.close()
    assert txn.fenced


def test_compaction_drops_aborted_records(broker):
    broker.create_topic("c", config={"cleanup.policy": "compact"})
    broker.produce("c", b"k", b"committed")
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    broker.produce("c", b"k", b"aborted", transaction=txn)
    txn.abort_transaction()
    broker.compact("c")
    assert read(broker, TP("c", 0), read_committed=False)[0] == [b"committed"]


async def test_read_committed_waiter_wakes_on_commit_not_on_produce(broker):
    broker.create_topic("t")
    txn = broker.init_transactions("tx")
    txn.begin_transaction()
    committed = asyncio.ensure_future(
        broker.wait_for_data({T0: 0}, None, read_committed=True)
    )
    uncommitted = asyncio.ensure_future(broker.wait_for_data({T0: 0}, None))
    await asyncio.sleep(0)
    broker.produce("t", b"k", b"v", transaction=txn)
    assert await uncommitted == {T0}
    await asyncio.sleep(0)
    assert not committed.done()
    txn.commit_transaction()
    assert await committed == {T0}


# Operations: (producer, action) with producer 0/1 transactional, 2 plain.
ops = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(["produce", "produce", "produce", "commit", "abort"]),
        st.integers(0, 1),
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(ops)
def test_read_committed_never_shows_aborted_or_open_records(operations):
    broker = MemoryBroker()
    broker.create_topic("t", 2)
    txns = [broker.init_transactions("a"), broker.init_transactions("b")]
    produced = {0: [], 1: []}  # partition -> values in offset order
    pending = [[], []]  # per transactional producer: values of the open txn
    committed, aborted = set(), set()
    for n, (who, action, partition) in enumerate(operations):
        value = b"%d" % n
        if who == 2:  # a plain, non-transactional producer
            if action == "produce":
                broker.produce("t", b"k", value, partition=partition)
                produced[partition].append(value)
                committed.add(value)
            continue
        txn = txns[who]
        if action == "produce":
            if not txn.in_transaction:
                txn.begin_transaction()
            broker.produce("t", b"k", value, partition=partition, transaction=txn)
            produced[partition].append(value)
            pending[who].append(value)
        elif txn.in_transaction:
            if action == "commit":
                txn.commit_transaction()
                committed.update(pending[who])
            else:
                txn.abort_transaction()
                aborted.update(pending[who])
            pending[who] = []
    still_open = {v for values in pending for v in values}
    for partition in (0, 1):
        tp = TP("t", partition)
        log = broker.log(tp)
        visible, position = read(broker, tp)
        assert position == log.last_stable_offset
        assert not set(visible) & (aborted | still_open)
        offset_of = {r[2]: r[0] for r in log.records}
        assert visible == [
            v
            for v in produced[partition]
            if v in committed and offset_of[v] < log.last_stable_offset
        ]
        if not still_open:
            assert log.last_stable_offset == log.high_watermark
            assert visible == [v for v in produced[partition] if v in committed]
        everything, position = read(broker, tp, read_committed=False)
        assert everything == produced[partition]
        assert position == log.high_watermark
