import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faust.transport.drivers.memory.broker import (
    IllegalGeneration,
    InvalidRequest,
    MemberAssignment,
    MemberSubscription,
    MemoryBroker,
    OffsetAndMetadata,
    UnknownMemberId,
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


def tps(topic, *partitions):
    return frozenset(TP(topic, p) for p in partitions)


# -- membership and rebalances ------------------------------------------------


def test_first_member_gets_everything(broker):
    broker.create_topic("t", 3)
    member = broker.join_group("g", ["t"], client_id="app")
    assert member.member_id.startswith("app-")
    assert member.rebalance_pending
    change = member.poll_rebalance()
    assert change.generation == 1 == member.generation
    assert change.assignment == tps("t", 0, 1, 2)
    assert change.assigned == tps("t", 0, 1, 2)
    assert change.revoked == frozenset()
    assert change.previous == frozenset()
    assert member.poll_rebalance() is None
    assert not member.rebalance_pending


def test_join_and_leave_rebalance_everyone(broker):
    broker.create_topic("t", 4)
    a = broker.join_group("g", ["t"])
    a.poll_rebalance()
    b = broker.join_group("g", ["t"])
    change_a, change_b = a.poll_rebalance(), b.poll_rebalance()
    assert change_a.generation == change_b.generation == 2
    assert len(change_a.assignment) == len(change_b.assignment) == 2
    assert change_a.assignment | change_b.assignment == tps("t", 0, 1, 2, 3)
    assert change_a.revoked == change_b.assignment  # sticky: a only lost b's share
    assert change_a.assigned == frozenset()
    broker.leave_group(b)
    assert not b.active
    final_b = b.poll_rebalance()
    assert final_b.assignment == frozenset()
    assert final_b.revoked == change_b.assignment
    change_a = a.poll_rebalance()
    assert change_a.generation == 3
    assert change_a.assigned == change_b.assignment
    assert change_a.assignment == tps("t", 0, 1, 2, 3)
    broker.leave_group(b)  # leaving twice is a no-op
    assert broker.describe_group("g").generation == 3


def test_changes_collapse_across_generations(broker):
    broker.create_topic("t", 2)
    a = broker.join_group("g", ["t"])
    a.poll_rebalance()  # a has 0 and 1
    b = broker.join_group("g", ["t"])  # a loses one partition
    lost = b.assignment
    broker.leave_group(b)  # and gets it back
    change = a.poll_rebalance()
    # Another member owned it in between: revoked and assigned again.
    assert change.revoked == lost
    assert change.assigned == lost
    assert change.previous - change.revoked | change.assigned == change.assignment


def test_update_subscription_rebalances(broker):
    broker.create_topic("a", 2)
    broker.create_topic("b", 2)
    member = broker.join_group("g", ["a"], metadata=b"m1")
    member.poll_rebalance()
    broker.update_subscription(member, ["a", "b"], metadata=b"m2")
    change = member.poll_rebalance()
    assert change.assigned == tps("b", 0, 1)
    assert member.metadata == b"m2"
    assert member.topics == frozenset({"a", "b"})
    broker.leave_group(member)
    with pytest.raises(UnknownMemberId):
        broker.update_subscription(member, ["a"])


def test_topic_creation_and_growth_rebalance_subscribers(broker):
    member = broker.join_group("g", ["later"])
    other = broker.join_group("h", ["unrelated"])
    member.poll_rebalance()
    other.poll_rebalance()
    assert member.assignment == frozenset()
    broker.create_topic("later", 2)
    assert member.poll_rebalance().assigned == tps("later", 0, 1)
    broker.create_partitions("later", 3)
    assert member.poll_rebalance().assigned == tps("later", 2)
    broker.delete_topic("later")
    assert member.poll_rebalance().revoked == tps("later", 0, 1, 2)
    assert other.poll_rebalance() is None  # not subscribed: no rebalance


def test_auto_create_on_subscribe(clock):
    broker = MemoryBroker(auto_create_on_subscribe=True, default_partitions=2)
    member = broker.join_group("g", ["x", "y"])
    assert broker.list_topics() == {"x": 2, "y": 2}
    assert len(member.poll_rebalance().assignment) == 4


def test_join_rejects_bad_input(broker):
    with pytest.raises(InvalidRequest, match="group id"):
        broker.join_group("", ["t"])
    with pytest.raises(InvalidRequest, match="collection"):
        broker.join_group("g", "t")


def test_custom_assignor_and_user_data(broker):
    broker.create_topic("t", 3)
    seen = []

    def everything_to_first(members, partitions_per_topic):
        seen.append((dict(members), dict(partitions_per_topic)))
        first = sorted(members)[0]
        return {
            first: MemberAssignment(tps("t", 0, 1, 2), b"first"),
            **{m: [] for m in sorted(members)[1:]},
        }

    a = broker.join_group("g", ["t"], metadata=b"A", assignor=everything_to_first)
    b = broker.join_group("g", ["t"], metadata=b"B")  # leader's assignor is used
    members, counts = seen[-1]
    assert counts == {"t": 3}
    assert members[a.member_id] == MemberSubscription(
        frozenset({"t"}), b"A", tps("t", 0, 1, 2)
    )
    assert members[b.member_id].metadata == b"B"
    assert a.poll_rebalance().user_data == b"first"
    assert b.poll_rebalance().assignment == frozenset()


def test_bad_assignor_result_rolls_back_join(broker):
    broker.create_topic("t", 1)
    a = broker.join_group("g", ["t"])

    def bad(members, counts):
        return {"ghost": [TP("t", 0)]}

    def out_of_range(members, counts):
        return {m: [TP("t", 5)] for m in members}

    broker.leave_group(a)
    for assignor, match in ((bad, "unknown member"), (out_of_range, "not a partition")):
        with pytest.raises(InvalidRequest, match=match):
            broker.join_group("g", ["t"], assignor=assignor)
        assert broker.describe_group("g").members == {}


def test_describe_and_list_groups(broker):
    broker.create_topic("t", 2)
    assert broker.describe_group("g") is None
    a = broker.join_group("g", ["t"], client_id="c")
    description = broker.describe_group("g")
    assert description.state == "Stable"
    assert description.leader == a.member_id
    assert description.members[a.member_id].assignment == tps("t", 0, 1)
    assert description.members[a.member_id].client_id == "c"
    broker.leave_group(a)
    assert broker.describe_group("g").state == "Empty"
    assert broker.list_groups() == ["g"]
    assert "GroupMember" in repr(a)


async def test_wait_for_rebalance(broker):
    broker.create_topic("t", 2)
    a = broker.join_group("g", ["t"])
    # A pending change is returned at once.
    assert (await a.wait_for_rebalance()).generation == 1
    waiter = asyncio.ensure_future(a.wait_for_rebalance())
    await asyncio.sleep(0)
    assert not waiter.done()
    broker.join_group("g", ["t"])
    change = await waiter
    assert change.generation == 2
    assert len(change.revoked) == 1


async def test_wait_for_rebalance_timeout_and_inactive(broker):
    broker.create_topic("t")
    a = broker.join_group("g", ["t"])
    a.poll_rebalance()
    assert await a.wait_for_rebalance(timeout=0.01) is None
    broker.leave_group(a)
    assert (await a.wait_for_rebalance()).assignment == frozenset()
    assert await a.wait_for_rebalance() is None  # inactive: no waiting


async def test_broker_close_ends_members(broker):
    broker.create_topic("t")
    a = broker.join_group("g", ["t"])
    a.poll_rebalance()
    waiter = asyncio.ensure_future(a.wait_for_rebalance())
    await asyncio.sleep(0)
    broker.close()
    change = await waiter
    assert change.revoked == tps("t", 0)
    assert not a.active
    broker.leave_group(a)  # no-op on a closed broker


# -- offsets ------------------------------------------------------------------


def test_commit_and_fetch_offsets(broker):
    broker.create_topic("t", 2)
    a = broker.join_group("g", ["t"])
    gen = a.poll_rebalance().generation
    broker.commit_offsets(
        "g",
        {TP("t", 0): 5, TP("t", 1): OffsetAndMetadata(7, "meta")},
        member_id=a.member_id,
        generation=gen,
    )
    assert broker.committed_offsets("g") == {
        TP("t", 0): OffsetAndMetadata(5, ""),
        TP("t", 1): OffsetAndMetadata(7, "meta"),
    }
    assert broker.committed_offsets("g", [TP("t", 1), TP("t", 9)]) == {
        TP("t", 1): OffsetAndMetadata(7, "meta")
    }
    assert broker.committed_offsets("other") == {}


def test_commit_from_old_generation_is_rejected(broker):
    broker.create_topic("t", 2)
    a = broker.join_group("g", ["t"])
    old = a.poll_rebalance().generation
    broker.join_group("g", ["t"])
    with pytest.raises(IllegalGeneration) as exc:
        broker.commit_offsets(
            "g", {TP("t", 0): 1}, member_id=a.member_id, generation=old
        )
    assert exc.value.generation == old
    assert exc.value.current_generation == old + 1
    assert "rebalanced" in str(exc.value)
    assert broker.committed_offsets("g") == {}
    new = a.poll_rebalance().generation
    broker.commit_offsets("g", {TP("t", 0): 1}, member_id=a.member_id, generation=new)
    assert broker.committed_offsets("g")[TP("t", 0)].offset == 1


def test_commit_member_rules(broker):
    broker.create_topic("t")
    # A group without members accepts commits without a member (manual
    # assignment), like Kafka's simple consumers.
    broker.commit_offsets("g", {TP("t", 0): 3})
    a = broker.join_group("g", ["t"])
    with pytest.raises(UnknownMemberId, match="has members"):
        broker.commit_offsets("g", {TP("t", 0): 4})
    with pytest.raises(UnknownMemberId, match="not a member"):
        broker.commit_offsets("g", {TP("t", 0): 4}, member_id="ghost", generation=1)
    with pytest.raises(IllegalGeneration):
        broker.commit_offsets("g", {TP("t", 0): 4}, member_id=a.member_id)
    with pytest.raises(InvalidRequest, match="needs a member_id"):
        broker.commit_offsets("h", {TP("t", 0): 4}, generation=1)
    assert broker.committed_offsets("g") == {TP("t", 0): OffsetAndMetadata(3)}


@pytest.mark.parametrize(
    "offsets,error",
    [
        ({TP("t", 0): -1}, InvalidRequest),
        ({TP("t", 0): "1"}, InvalidRequest),
        ({TP("t", 0): True}, InvalidRequest),
        ({TP("t", 5): 1}, UnknownTopicOrPartition),
        ({TP("nope", 0): 1}, UnknownTopicOrPartition),
    ],
)
def test_commit_rejects_bad_offsets_all_or_nothing(broker, offsets, error):
    broker.create_topic("t", 2)
    with pytest.raises(error):
        broker.commit_offsets("g", {TP("t", 1): 1, **offsets})  # valid one first
    assert broker.committed_offsets("g") == {}


@settings(max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1000)), max_size=30))
def test_committed_offsets_are_the_last_commit_per_partition(commits):
    broker = MemoryBroker()
    broker.create_topic("t", 3)
    expected = {}
    for partition, offset in commits:
        broker.commit_offsets("g", {TP("t", partition): offset})
        expected[TP("t", partition)] = OffsetAndMetadata(offset)
    assert broker.committed_offsets("g") == expected
