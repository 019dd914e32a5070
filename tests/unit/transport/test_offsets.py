"""The commit point never passes an offset that is delivered and not acked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faust.transport.offsets import PartitionOffsets, without_held


def test_in_order_acks_move_commit_point() -> None:
    p = PartitionOffsets()
    for offset in (0, 1, 2):
        p.track(offset)
    assert p.committable() is None
    p.ack(0)
    assert p.committable() == 1
    p.ack(1)
    p.ack(2)
    assert p.committable() == 3


def test_out_of_order_ack_waits_for_the_gap() -> None:
    p = PartitionOffsets()
    for offset in range(5):
        p.track(offset)
    p.ack(3)
    p.ack(1)
    assert p.committable() is None  # 0 is still in flight
    p.ack(0)
    assert p.committable() == 2  # 2 is still in flight
    p.ack(2)
    assert p.committable() == 4
    p.ack(4)
    assert p.committable() == 5


def test_offsets_missing_from_the_log_do_not_block() -> None:
    # 11 and 12 were compacted away / are transaction markers
    p = PartitionOffsets(committed=10)
    p.track(10)
    p.track(13)
    p.ack(13)
    assert p.committable() is None
    p.ack(10)
    assert p.committable() == 14


def test_committed_offsets_are_not_committed_again() -> None:
    p = PartitionOffsets()
    p.track(0)
    p.ack(0)
    assert p.committable() == 1
    p.on_committed(1)
    assert p.committable() is None


def test_unknown_and_duplicate_acks_are_ignored() -> None:
    p = PartitionOffsets()
    p.track(5)
    assert not p.ack(4)
    assert p.ack(5)
    assert not p.ack(5)
    assert p.committable() == 6


def test_offsets_must_increase() -> None:
    p = PartitionOffsets()
    p.track(3)
    with pytest.raises(ValueError, match="must increase"):
        p.track(3)


@given(
    st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=60),
    st.randoms(use_true_random=False),
)
def test_random_ack_orders_never_commit_past_an_unacked_offset(steps, rnd) -> None:
    # offsets with gaps (steps > 1), acked in a random order
    offsets = []
    current = 0
    for step in steps:
        current += step
        offsets.append(current)
    p = PartitionOffsets()
    for offset in offsets:
        p.track(offset)
    order = list(offsets)
    rnd.shuffle(order)
    acked: set[int] = set()
    for offset in order:
        p.ack(offset)
        acked.add(offset)
        point = p.committable()
        unacked = [o for o in offsets if o not in acked]
        if point is not None:
            # everything below the commit point was acked...
            assert all(o in acked for o in offsets if o < point)
            # ...and the point is never past the first unacked offset
            if unacked:
                assert point <= unacked[0]
        if unacked and offsets[0] in acked:
            # as soon as the first offset is acked, commits happen
            assert point is not None
    assert p.committable() == offsets[-1] + 1


def test_held_offset_is_never_committed_past() -> None:
    offsets = PartitionOffsets(committed=3)
    offsets.track_many([3, 4, 5, 6])
    offsets.hold_back(5)  # the output of offset 5 failed
    for offset in (3, 4, 5, 6):
        offsets.ack(offset)
    assert offsets.committable() == 5
    assert without_held({"tp": 7}, {"tp": offsets}) == {"tp": 5}
    offsets.on_committed(5)
    assert offsets.committable() is None
    assert without_held({"tp": 7}, {"tp": offsets}) == {}


def test_hold_back_of_an_offset_committed_before_is_ignored() -> None:
    offsets = PartitionOffsets(committed=10)
    offsets.hold_back(4)
    assert offsets.held is None
