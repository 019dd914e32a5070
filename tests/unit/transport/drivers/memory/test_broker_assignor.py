from hypothesis import given, settings
from hypothesis import strategies as st

from faust.transport.drivers.memory.broker import (
    MemberAssignment,
    MemberSubscription,
    copartitioned_assignor,
)
from faust.types.tuples import TP


def tps(topic, *partitions):
    return frozenset(TP(topic, p) for p in partitions)


# -- default assignor ---------------------------------------------------------


def subs(*topic_lists, owned=None):
    owned = owned or {}
    return {
        f"m{i}": MemberSubscription(
            frozenset(topics), b"", frozenset(owned.get(f"m{i}", ()))
        )
        for i, topics in enumerate(topic_lists)
    }


def test_assignor_copartitions_topics_with_equal_counts():
    members = subs(["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"])
    result = copartitioned_assignor(members, {"a": 4, "b": 4, "c": 2})
    for assignment in result.values():
        a_parts = {tp.partition for tp in assignment.partitions if tp.topic == "a"}
        b_parts = {tp.partition for tp in assignment.partitions if tp.topic == "b"}
        assert a_parts == b_parts
    loads = sorted(len(a.partitions) for a in result.values())
    # 4 co-partitioned pairs (2, 1, 1), then the 2 singles go to the least loaded.
    assert loads == [3, 3, 4]


def test_assignor_only_assigns_subscribed_topics():
    members = subs(["a"], ["b"])
    result = copartitioned_assignor(members, {"a": 2, "b": 2})
    assert result["m0"].partitions == tps("a", 0, 1)
    assert result["m1"].partitions == tps("b", 0, 1)


def test_assignor_is_sticky():
    members = subs(["a"], ["a"], owned={"m0": tps("a", 2, 3), "m1": tps("a", 0, 1)})
    result = copartitioned_assignor(members, {"a": 4})
    assert result["m0"].partitions == tps("a", 2, 3)
    assert result["m1"].partitions == tps("a", 0, 1)
    # A third member takes one partition, from the member with the most.
    members = subs(
        ["a"], ["a"], ["a"], owned={"m0": tps("a", 2, 3), "m1": tps("a", 0, 1)}
    )
    result = copartitioned_assignor(members, {"a": 4})
    assert sorted(len(result[m].partitions) for m in result) == [1, 1, 2]
    moved = (tps("a", 2, 3) - result["m0"].partitions) | (
        tps("a", 0, 1) - result["m1"].partitions
    )
    assert len(moved) == 1


def test_assignor_no_topics_or_members():
    assert copartitioned_assignor({}, {"a": 3}) == {}
    assert copartitioned_assignor(subs(["x"]), {}) == {
        "m0": MemberAssignment(frozenset())
    }


topic_names = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=300)
@given(
    st.lists(st.frozensets(topic_names, min_size=1), min_size=1, max_size=6),
    st.dictionaries(topic_names, st.integers(1, 9), min_size=1),
    st.randoms(use_true_random=False),
)
def test_assignor_properties(subscriptions, counts, rnd):
    all_tps = [TP(t, p) for t, n in counts.items() for p in range(n)]
    owned = {
        f"m{i}": frozenset(rnd.sample(all_tps, rnd.randint(0, len(all_tps))))
        for i in range(len(subscriptions))
    }
    members = subs(*subscriptions, owned=owned)
    result = copartitioned_assignor(members, counts)
    assert set(result) == set(members)
    assigned = [tp for a in result.values() for tp in a.partitions]
    # Every partition of a subscribed topic is assigned exactly once...
    subscribed = {t for s in subscriptions for t in s}
    assert sorted(assigned) == sorted(tp for tp in all_tps if tp.topic in subscribed)
    # ...to a member subscribed to its topic.
    for member, assignment in result.items():
        assert all(tp.topic in members[member].topics for tp in assignment.partitions)
    # Topics with the same partition count and subscribers are co-partitioned
    # and each such group is spread evenly (counts differ by at most one).
    groups = {}
    for topic, n in counts.items():
        subscribers = frozenset(m for m, s in members.items() if topic in s.topics)
        if subscribers:
            groups.setdefault((n, subscribers), []).append(topic)
    for (_, subscribers), topics in groups.items():
        per_member = []
        for member in subscribers:
            partitions = [
                {tp.partition for tp in result[member].partitions if tp.topic == t}
                for t in topics
            ]
            assert all(p == partitions[0] for p in partitions)
            per_member.append(len(partitions[0]))
        assert max(per_member) - min(per_member) <= 1
    # Deterministic.
    assert copartitioned_assignor(members, counts) == result
