"""Properties of the co-partitioned assignment algorithm (Hypothesis)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faust.assignor.client_assignment import CopartitionedAssignment
from faust.assignor.copartitioned_assignor import CopartitionedAssignor

TOPICS = frozenset({"orders", "orders-changelog"})


def assign(
    previous: dict[str, CopartitionedAssignment], n: int, replicas: int = 0
) -> dict[str, CopartitionedAssignment]:
    return CopartitionedAssignor(TOPICS, previous, n, replicas).get_assignment()


def fresh(*members: str) -> dict[str, CopartitionedAssignment]:
    return {m: CopartitionedAssignment(topics=TOPICS) for m in members}


def check_valid(result: dict[str, CopartitionedAssignment], n: int, replicas: int):
    """The hard rules: one owner each, balanced actives, standbys elsewhere."""
    members = list(result)
    owners = Counter(p for a in result.values() for p in a.actives)
    assert sorted(owners) == list(range(n))
    assert all(c == 1 for c in owners.values())
    sizes = [len(a.actives) for a in result.values()]
    assert max(sizes) - min(sizes) <= 1
    wanted = min(replicas, len(members) - 1)
    holders = Counter(p for a in result.values() for p in a.standbys)
    for p in range(n):
        assert holders[p] == wanted
    for a in result.values():
        assert a.actives.isdisjoint(a.standbys)
        assert a.topics == TOPICS


members_st = st.lists(
    st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=8, unique=True
)


@st.composite
def previous_assignments(draw):
    members = draw(members_st)
    n = draw(st.integers(0, 24))
    previous = {}
    for m in members:
        # arbitrary, possibly overlapping and out-of-range, previous claims
        actives = draw(st.sets(st.integers(0, 30), max_size=6))
        standbys = draw(st.sets(st.integers(0, 30), max_size=6))
        previous[m] = CopartitionedAssignment(actives, standbys, TOPICS)
    return previous, n, draw(st.integers(0, 3))


@settings(max_examples=300, deadline=None)
@given(previous_assignments())
def test_any_input_gives_a_valid_assignment(case) -> None:
    previous, n, replicas = case
    check_valid(assign(previous, n, replicas), n, replicas)


@settings(max_examples=200, deadline=None)
@given(previous_assignments())
def test_is_deterministic_and_order_independent(case) -> None:
    previous, n, replicas = case
    first = assign(previous, n, replicas)
    reordered = dict(reversed(list(previous.items())))
    assert assign(reordered, n, replicas) == first
    assert assign(previous, n, replicas) == first


@settings(max_examples=200, deadline=None)
@given(members_st, st.integers(1, 24), st.integers(0, 2))
def test_stable_group_keeps_its_assignment(members, n, replicas) -> None:
    first = assign(fresh(*members), n, replicas)
    again = assign(first, n, replicas)
    assert again == first


@settings(max_examples=200, deadline=None)
@given(members_st, st.integers(1, 24), st.data())
def test_member_leaving_moves_only_its_partitions(members, n, data) -> None:
    first = assign(fresh(*members), n, 1)
    leaving = data.draw(st.sampled_from(members))
    remaining = {m: a for m, a in first.items() if m != leaving}
    if not remaining:
        return
    second = assign(remaining, n, 1)
    for m, before in remaining.items():
        assert before.actives <= second[m].actives
    check_valid(second, n, 1)


@settings(max_examples=200, deadline=None)
@given(members_st, st.integers(1, 24))
def test_member_joining_moves_the_minimum(members, n) -> None:
    first = assign(fresh(*members), n)
    newcomer = "zzz"
    previous = {**first, newcomer: CopartitionedAssignment(topics=TOPICS)}
    second = assign(previous, n)
    check_valid(second, n, 0)
    base = n // len(previous)
    for m in members:
        kept = first[m].actives & second[m].actives
        assert len(kept) >= min(len(first[m].actives), base)
    moved = sum(len(first[m].actives - second[m].actives) for m in members)
    assert moved == len(second[newcomer].actives)


@settings(max_examples=200, deadline=None)
@given(members_st, st.integers(1, 24), st.integers(1, 3))
def test_standbys_are_spread(members, n, replicas) -> None:
    result = assign(fresh(*members), n, replicas)
    sizes = [len(a.standbys) for a in result.values()]
    assert max(sizes) - min(sizes) <= 2


def test_orphaned_partition_goes_to_its_standby() -> None:
    previous = {
        "a": CopartitionedAssignment({0, 1}, set(), TOPICS),
        "b": CopartitionedAssignment(set(), {3}, TOPICS),
        "c": CopartitionedAssignment(set(), {2}, TOPICS),
    }
    # the owner of partitions 2 and 3 is gone: their standbys take over
    # (without that rule, 2 would go to "b", the first free member)
    result = assign(previous, 4, 1)
    assert result["a"].actives == {0, 1}
    assert result["b"].actives == {3}
    assert result["c"].actives == {2}
    check_valid(result, 4, 1)


def test_former_owner_keeps_moved_partition_as_standby() -> None:
    previous = {
        "a": CopartitionedAssignment({0, 1, 2, 3}, set(), TOPICS),
        "b": CopartitionedAssignment(set(), set(), TOPICS),
    }
    result = assign(previous, 4, 1)
    assert result["a"].actives == {0, 1}
    assert result["b"].actives == {2, 3}
    assert result["a"].standbys == {2, 3}
    assert result["b"].standbys == {0, 1}


def test_more_members_than_partitions() -> None:
    result = assign(fresh("a", "b", "c"), 2, 5)
    check_valid(result, 2, 5)
    assert sum(1 for a in result.values() if a.actives) == 2


def test_load_spreads_extras_across_groups() -> None:
    load: dict[str, int] = {}
    owners = []
    for topic in ("t1", "t2", "t3"):
        result = CopartitionedAssignor(
            {topic}, fresh("a", "b", "c"), 1, 0, load=load
        ).get_assignment()
        owners.extend(m for m, a in result.items() if a.actives)
    assert sorted(owners) == ["a", "b", "c"]
    assert load == {"a": 1, "b": 1, "c": 1}


def test_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        CopartitionedAssignor(TOPICS, fresh("a"), -1, 0)


def test_no_members() -> None:
    assert CopartitionedAssignor(TOPICS, {}, 4, 1).get_assignment() == {}
