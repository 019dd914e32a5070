import math

from hypothesis import given, settings
from hypothesis import strategies as st

from faust.transport.drivers.memory.log import NEVER, PartitionLog
from faust.types.tuples import TP

TP0 = TP("t", 0)


def make_log(records=(), **kwargs):
    log = PartitionLog(TP0, **kwargs)
    for i, (key, value) in enumerate(records):
        log.append(key, value, float(i), 0, (), len(key or b"") + len(value or b""))
    return log


def offsets(records):
    return [r[0] for r in records]


def test_append_assigns_offsets_from_zero():
    log = PartitionLog(TP0)
    assert log.append(b"k", b"v", 1.5, 0, (("h", b"x"),), 3) == 0
    assert log.append(None, None, 2.0, 1, (), 0) == 1
    assert log.high_watermark == 2
    assert log.log_start_offset == 0
    assert log.last_stable_offset == 2
    assert log.records == [
        (0, b"k", b"v", 1.5, 0, (("h", b"x"),)),
        (1, None, None, 2.0, 1, ()),
    ]
    assert log.size_bytes == 3
    assert "t[0]" in repr(log)


def test_fetch_from_start_and_middle():
    log = make_log([(b"k%d" % i, b"v") for i in range(10)])
    records, next_offset = log.fetch(0, 100, 10**6, False)
    assert offsets(records) == list(range(10))
    assert next_offset == 10
    records, next_offset = log.fetch(7, 100, 10**6, False)
    assert offsets(records) == [7, 8, 9]
    assert next_offset == 10


def test_fetch_at_end_returns_nothing_and_same_offset():
    log = make_log([(b"k", b"v")])
    assert log.fetch(1, 10, 100, False) == ([], 1)
    assert PartitionLog(TP0).fetch(0, 10, 100, False) == ([], 0)


def test_fetch_max_records():
    log = make_log([(b"k", b"v")] * 10)
    records, next_offset = log.fetch(2, 3, 10**6, False)
    assert offsets(records) == [2, 3, 4]
    assert next_offset == 5


def test_fetch_max_bytes_limits_batch_but_returns_at_least_one():
    log = make_log([(b"k", b"v" * 9)] * 5)  # 10 bytes each
    records, next_offset = log.fetch(0, 100, 25, False)
    assert offsets(records) == [0, 1]
    assert next_offset == 2
    records, next_offset = log.fetch(1, 100, 1, False)
    assert offsets(records) == [1]
    assert next_offset == 2
    records, _ = log.fetch(0, 100, 0, False)
    assert offsets(records) == [0]
    records, _ = log.fetch(3, 100, 20, False)
    assert offsets(records) == [3, 4]


def test_fetch_returns_a_copy():
    log = make_log([(b"k", b"v")] * 3)
    records, _ = log.fetch(0, 10, 100, False)
    records.clear()
    assert len(log.records) == 3


def test_markers_leave_gaps_that_fetch_skips():
    log = make_log([(b"a", b"1")])
    assert log.append_marker() == 1
    log.append(b"b", b"2", 0.0, 0, (), 2)
    assert log.high_watermark == 3
    records, next_offset = log.fetch(1, 10, 100, False)
    assert offsets(records) == [2]
    assert next_offset == 3
    log.append_marker()
    # Only a marker past offset 3: nothing to read, but the position moves on.
    assert log.fetch(3, 10, 100, False) == ([], 4)


def test_index_with_and_without_gaps():
    log = make_log([(b"k%d" % (i % 3), b"v") for i in range(9)])
    assert [log.index(o) for o in range(10)] == list(range(9)) + [9]
    log.compact(-math.inf)  # keeps offsets 6, 7, 8
    assert offsets(log.records) == [6, 7, 8]
    assert [log.index(o) for o in (0, 5, 6, 7, 8, 9, 100)] == [0, 0, 0, 1, 2, 3, 3]
    gappy = make_log(
        [(b"a", b"1"), (b"a", b"2"), (b"b", b"1"), (b"a", b"3"), (b"c", b"1")]
    )
    gappy.compact(-math.inf)
    assert offsets(gappy.records) == [2, 3, 4]
    assert [gappy.index(o) for o in range(6)] == [0, 0, 0, 1, 2, 3]
    assert PartitionLog(TP0).index(5) == 0


def test_offset_for_time_first_at_or_after():
    log = PartitionLog(TP0)
    for ts in (5.0, 3.0, 8.0, 8.0, 10.0):
        log.append(b"k", b"v", ts, 0, (), 2)
    assert log.offset_for_time(0.0) == (0, 5.0)
    assert log.offset_for_time(6.0) == (2, 8.0)
    assert log.offset_for_time(8.0) == (2, 8.0)
    assert log.offset_for_time(10.5) is None


def test_truncate_before_moves_log_start():
    log = make_log([(b"k", b"vv")] * 6)  # 3 bytes each
    assert log.truncate_before(4) == 4
    assert log.log_start_offset == 4
    assert offsets(log.records) == [4, 5]
    assert log.size_bytes == 6
    assert log.truncate_before(2) == 0  # never moves back
    records, next_offset = log.fetch(4, 10, 3, False)
    assert offsets(records) == [4]
    assert next_offset == 5
    assert log.truncate_before(6) == 2
    assert log.records == []
    assert log.size_bytes == 0
    assert log.log_start_offset == log.high_watermark == 6


def test_expire_deletes_only_an_old_prefix():
    log = PartitionLog(TP0)
    for ts in (1.0, 2.0, 9.0, 3.0, 10.0):
        log.append(b"k", b"v", ts, 0, (), 2)
    assert log.expire(5.0) == 2  # stops at the first recent record (9.0)
    assert log.log_start_offset == 2
    assert offsets(log.records) == [2, 3, 4]
    assert log.expire(5.0) == 0
    assert log.expire(100.0) == 3
    assert log.log_start_offset == 5


def test_expire_never_deletes_open_transaction_records():
    log = make_log([(b"k", b"v")] * 4)
    log.open_txns[7] = 2
    assert log.expire(math.inf) == 2
    assert offsets(log.records) == [2, 3]


def test_compact_keeps_latest_per_key_and_offsets():
    log = make_log(
        [(b"a", b"1"), (b"b", b"1"), (b"a", b"2"), (b"c", b"1"), (b"b", b"2")]
    )
    assert log.compact(-math.inf) == 2
    assert [(r[0], r[1], r[2]) for r in log.records] == [
        (2, b"a", b"2"),
        (3, b"c", b"1"),
        (4, b"b", b"2"),
    ]
    assert log.high_watermark == 5
    assert log.log_start_offset == 0  # compaction never moves the log start
    assert log.size_bytes == 6
    records, next_offset = log.fetch(0, 10, 2, False)
    assert offsets(records) == [2]
    assert next_offset == 3


def test_compact_removes_old_tombstones_keeps_recent_ones():
    log = PartitionLog(TP0)
    log.append(b"a", b"1", 1.0, 0, (), 2)
    log.append(b"a", None, 2.0, 0, (), 1)  # old tombstone
    log.append(b"b", b"1", 3.0, 0, (), 2)
    log.append(b"b", None, 9.0, 0, (), 1)  # recent tombstone
    assert log.compact(5.0) == 3
    assert [(r[0], r[1], r[2]) for r in log.records] == [(3, b"b", None)]
    assert log.compact(9.0) == 1
    assert log.records == []
    assert log.fetch(0, 10, 100, False) == ([], 4)


def test_compact_leaves_open_transactions_alone_and_drops_aborted():
    log = make_log([(b"a", b"1"), (b"a", b"2"), (b"a", b"3"), (b"a", b"4")])
    log.aborted.update({1})
    log.open_txns[9] = 2
    log.compact(-math.inf)
    # offset 0 superseded? No: 1 is aborted, so 0 is the latest committed
    # value below the stable offset 2; 2 and 3 are not stable yet.
    assert offsets(log.records) == [0, 2, 3]
    assert log.aborted == set()


def test_compact_resets_dirty_and_threshold():
    log = make_log([(b"k%d" % (i % 2), b"v") for i in range(10)], compact_threshold=4)
    assert log.dirty == 10
    log.compact(-math.inf)
    assert log.dirty == 0
    assert log.compact_at == 4  # max(threshold, records kept = 2)
    many = make_log([(b"k%d" % i, b"v") for i in range(10)], compact_threshold=4)
    many.compact(-math.inf)
    assert many.compact_at == 10  # grows with the live key count
    assert PartitionLog(TP0).compact_at == NEVER


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([b"a", b"b", b"c", b"d"]),
            st.one_of(st.none(), st.binary(max_size=8)),
        ),
        max_size=60,
    )
)
def test_compaction_keeps_exactly_latest_value_per_key(ops):
    log = make_log(ops)
    log.compact(math.inf)  # tombstones removed
    latest = {}
    for offset, (key, value) in enumerate(ops):
        latest[key] = (offset, value)
    expected = sorted((o, k, v) for k, (o, v) in latest.items() if v is not None)
    assert [(r[0], r[1], r[2]) for r in log.records] == expected
    assert log.high_watermark == len(ops)
    assert log.size_bytes == sum(len(k) + len(v) for _, k, v in expected)
    # Reading the whole log after compaction gives the same table.
    records, _ = log.fetch(0, 10**6, 10**9, False)
    assert {r[1]: r[2] for r in records} == {
        k: v for k, (o, v) in latest.items() if v is not None
    }


@settings(max_examples=200)
@given(
    st.lists(st.binary(max_size=20), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=7),
    st.integers(min_value=0, max_value=60),
    st.booleans(),
)
def test_fetch_loop_reads_every_record_once(values, max_records, max_bytes, compact):
    log = make_log([(b"k%d" % (i % 5), v) for i, v in enumerate(values)])
    if compact:
        log.compact(-math.inf)
    expected = offsets(log.records)
    seen = []
    offset = 0
    while offset < log.high_watermark:
        records, next_offset = log.fetch(offset, max_records, max_bytes, False)
        assert 1 <= len(records) <= max_records or next_offset == log.high_watermark
        if len(records) > 1:
            assert sum(len(r[1]) + len(r[2]) for r in records) <= max_bytes
        seen.extend(offsets(records))
        assert next_offset > offset
        offset = next_offset
    assert seen == expected


def test_truncate_before_forgets_aborted_offsets_below():
    log = make_log([(b"k", b"v")] * 4)
    log.aborted.update({1, 3})
    log.truncate_before(2)
    assert log.aborted == {3}
