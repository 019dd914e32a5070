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


def test_left_join_emits_unmatched_left_on_expiry() -> None:
    state = WindowJoinState(5, "left")
    state.add(LEFT, "k", 100, "a")
    state.add(LEFT, "k", 101, "b")
    state.add(RIGHT, "k", 103, "x")  # pairs with a and b
    pairs, expired = state.add(LEFT, "j", 120, "lonely")
    assert pairs == [] and expired == []  # the right side is still at 103
    pairs, expired = state.add(RIGHT, "z", 200, "late")
    assert pairs == []  # a and b were matched
    assert {e.value for e in expired} == {"a", "b", "x"}
    pairs, _ = state.add(LEFT, "y", 300, "later")
    assert pairs == [("lonely", None)]


def test_outer_join_emits_both_sides_unmatched() -> None:
    state = WindowJoinState(1, "outer")
    state.add(LEFT, "a", 10, "l")
    state.add(RIGHT, "b", 10, "r")
    state.add(LEFT, "c", 20, "x")
    pairs, _ = state.add(RIGHT, "d", 20, "y")
    assert sorted(pairs, key=str) == sorted([("l", None), (None, "r")], key=str)


def test_unknown_kind() -> None:
    with pytest.raises(ImproperlyConfigured):
        WindowJoinState(1, "cross")


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
