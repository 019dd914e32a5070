"""The window logic of stream-stream joins."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faust.exceptions import ImproperlyConfigured
from faust.streams.joins import LEFT, RIGHT, WindowJoinState


def test_inner_pairs_within_the_window() -> None:
    state = WindowJoinState(10, "inner")
    assert state.add(LEFT, "k", 100, "a")[0] == []
    assert state.add(RIGHT, "k", 105, "x")[0] == [("a", "x")]
    assert state.add(RIGHT, "other", 106, "y")[0] == []
    assert state.add(LEFT, "k", 108, "b")[0] == [("b", "x")]


def test_values_too_far_apart_do_not_pair() -> None:
    state = WindowJoinState(5, "inner")
    state.add(LEFT, "k", 100, "a")
    assert state.add(RIGHT, "k", 106, "x")[0] == []


def test_left_join_emits_unmatched_left_when_stream_time_passes() -> None:
    state = WindowJoinState(5, "left")
    state.add(LEFT, "k", 100, "a")
    state.add(LEFT, "k", 101, "b")
    state.add(RIGHT, "k", 103, "x")  # pairs with a and b
    pairs, expired = state.add(LEFT, "j", 110, "lonely")
    assert pairs == [] and expired == []  # 110 - 2*5 = 100: nothing closed yet
    # stream time moves on without the right side: the windows close
    pairs, expired = state.add(LEFT, "y", 120, "later")
    assert pairs == []  # a and b were matched
    assert {e.value for e in expired} == {"a", "b", "x"}
    pairs, _ = state.add(LEFT, "y", 121, "more")
    assert pairs == [("lonely", None)]


def test_idle_side_does_not_hold_state_or_acks_back() -> None:
    # 2,000 left values over 200,000 s of event time, the right side idle
    state = WindowJoinState(10, "left")
    results: list[tuple[object, object]] = []
    done = 0
    for n in range(2000):
        pairs, expired = state.add(LEFT, f"k{n}", n * 100.0, n)
        results.extend(pairs)
        done += len(expired)
        assert len(state) <= 1  # bounded by 2 * within + grace of event time
    assert results == [(n, None) for n in range(1999)]
    assert done == 1999


def test_late_values_are_dropped_and_counted_grace_admits_them() -> None:
    state = WindowJoinState(5, "left")
    state.add(RIGHT, "k", 100, "x")
    state.add(LEFT, "k", 200, "now")
    pairs, done = state.add(LEFT, "k", 101, "late")  # 99 s behind stream time
    assert pairs == [] and [e.value for e in done] == ["late"] and done[0].late
    assert state.late == 1
    graced = WindowJoinState(5, "inner", grace=100)
    graced.add(RIGHT, "k", 100, "x")
    graced.add(LEFT, "j", 200, "now")
    assert graced.add(LEFT, "k", 101, "late")[0] == [("late", "x")]
    assert graced.late == 0


def test_stream_time_is_kept_per_partition() -> None:
    state = WindowJoinState(5, "inner")
    state.add(LEFT, "k", 1000, "p0", partition=0)
    # partition 1 is behind in event time: its values are not late
    state.add(LEFT, "j", 100, "p1", partition=1)
    assert state.add(RIGHT, "j", 102, "x", partition=1)[0] == [("p1", "x")]
    assert state.late == 0


def test_outer_join_emits_both_sides_unmatched() -> None:
    state = WindowJoinState(1, "outer")
    state.add(LEFT, "a", 10, "l")
    state.add(RIGHT, "b", 10, "r")
    pairs, _ = state.add(LEFT, "c", 20, "x")
    assert sorted(pairs, key=str) == sorted([("l", None), (None, "r")], key=str)
    assert state.add(RIGHT, "d", 20, "y")[0] == []


def test_unknown_kind_and_negative_windows() -> None:
    with pytest.raises(ImproperlyConfigured):
        WindowJoinState(1, "cross")
    with pytest.raises(ImproperlyConfigured, match="grace"):
        WindowJoinState(1, "inner", grace=-1)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([LEFT, RIGHT]),
            st.sampled_from("ab"),
            st.integers(min_value=0, max_value=50),
        ),
        max_size=40,
    )
)
def test_inner_join_equals_the_nested_loop_definition(items) -> None:
    # values arrive in timestamp order (event time, one partition)
    items = sorted(items, key=lambda i: i[2])
    state = WindowJoinState(5, "inner")
    got = []
    expired_total = 0
    for n, (side, key, ts) in enumerate(items):
        pairs, expired = state.add(side, key, ts, n)
        got.extend(pairs)
        expired_total += len(expired)
    expected = [
        (i, j)
        for i, (s1, k1, t1) in enumerate(items)
        for j, (s2, k2, t2) in enumerate(items)
        if s1 == LEFT and s2 == RIGHT and k1 == k2 and abs(t1 - t2) <= 5
    ]
    assert sorted(got) == sorted(expected)
    # every value eventually leaves the window
    _, first = state.add(LEFT, "z", 10_000, -1)
    _, second = state.add(RIGHT, "z", 10_000, -2)
    assert expired_total + len(first) + len(second) == len(items)
    assert len(state) == 2  # only the last two values are in the window


@given(
    st.lists(
        st.tuples(
            st.sampled_from([LEFT, RIGHT]),
            st.sampled_from("ab"),
            st.integers(min_value=0, max_value=200),
        ),
        max_size=60,
    ),
    st.integers(min_value=0, max_value=20),
)
def test_out_of_order_values_never_pair_wrongly_and_state_stays_bounded(
    items, grace
) -> None:
    within = 5
    state = WindowJoinState(within, "left", grace=grace)
    got = []
    done = 0
    for n, (side, key, ts) in enumerate(items):
        pairs, expired = state.add(side, key, ts, n)
        got.extend(pairs)
        done += len(expired)
        horizon = state.horizon(0)
        kept = [e for bucket in state.sides for es in bucket.values() for e in es]
        assert all(e.timestamp >= horizon for e in kept)
    allowed = {
        (i, j)
        for i, (s1, k1, t1) in enumerate(items)
        for j, (s2, k2, t2) in enumerate(items)
        if s1 == LEFT and s2 == RIGHT and k1 == k2 and abs(t1 - t2) <= within
    }
    matched = [p for p in got if p[1] is not None]
    assert set(matched) <= allowed and len(matched) == len(set(matched))
    # a left value is paired with None only if it never paired
    lonely = {left for left, right in got if right is None}
    assert not lonely & {left for left, _ in matched}
    assert done + len(state) == len(items)
