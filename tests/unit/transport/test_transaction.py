"""The TransactionManager routes sends and commits to per-partition transactions."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from unittest.mock import AsyncMock, Mock

import pytest

from faust._context import reset_current_event, set_current_event
from faust.exceptions import ProducerFenced
from faust.transport.transaction import TransactionManager
from faust.types import TP

SRC0, SRC1 = TP("src", 0), TP("src", 1)
LOG0 = TP("app-table-changelog", 0)


@pytest.fixture
def producer():
    p = Mock(name="producer")
    for name in (
        "send",
        "send_and_wait",
        "maybe_begin_transaction",
        "stop_transaction",
        "commit_transactions",
        "flush",
        "begin_transaction",
        "commit_transaction",
        "abort_transaction",
        "create_topic",
    ):
        setattr(p, name, AsyncMock(name=name))
    return p


@pytest.fixture
def manager(app, producer):
    app.assignor = Mock(
        group_for_topic=lambda topic: {"src": 3, "app-table-changelog": 3}[topic],
        assigned_actives=lambda: {SRC0, SRC1, LOG0, TP("leader", 0)},
    )
    app.tables = SimpleNamespace(changelog_topics={"app-table-changelog"})
    app.topics = Mock(acks_enabled_for=lambda topic: topic != "leader")
    consumer = Mock(name="consumer")
    consumer.key_partition = lambda topic, key, partition=None: partition
    consumer.commit_interval = 0.01
    consumer.points = {}
    consumer.commit_point = consumer.points.get
    app.crash = AsyncMock()
    return TransactionManager(app.transport, consumer=consumer, producer=producer)


async def test_rebalance_opens_one_transaction_per_active_source(
    manager, producer, app
) -> None:
    await manager.on_rebalance({SRC0, SRC1, LOG0, TP("leader", 0)}, set(), set())
    app_id = app.conf.id
    assert manager.transactional_ids == {
        SRC0: f"{app_id}-3-0",
        SRC1: f"{app_id}-3-1",
    }
    assert sorted(
        c.args[0] for c in producer.maybe_begin_transaction.await_args_list
    ) == [
        f"{app_id}-3-0",
        f"{app_id}-3-1",
    ]
    # a new assignment without SRC1 closes its transaction
    await manager.on_rebalance({SRC0}, set(), set())
    producer.stop_transaction.assert_awaited_once_with(f"{app_id}-3-1")
    await manager.on_partitions_revoked({SRC0})
    assert manager.transactional_ids == {}
    await manager.on_stop()


async def test_sends_join_the_current_events_transaction(manager, producer) -> None:
    await manager.on_rebalance({SRC0, SRC1}, set(), set())
    event = SimpleNamespace(message=SimpleNamespace(tp=SRC1, offset=7))
    token = set_current_event(event)
    try:
        await manager.send("out", b"k", b"v", None, None, None)
        await manager.send_and_wait("out", b"k", b"v", None, None, None)
    finally:
        reset_current_event(token)
    tid = manager.transactional_ids[SRC1]
    assert producer.send.await_args.kwargs["transactional_id"] == tid
    assert producer.send_and_wait.await_args.kwargs["transactional_id"] == tid
    assert manager.ledger.dirty == {SRC1: 7}  # output of offset 7 is in it


async def test_buffered_changelog_writes_follow_their_partition(
    manager, producer
) -> None:
    await manager.on_rebalance({SRC0, SRC1}, set(), set())
    # no current event (the send_soon buffer): co-partitioned destination
    await manager.send("app-table-changelog", b"k", b"v", 0, None, None)
    assert (
        producer.send.await_args.kwargs["transactional_id"]
        == manager.transactional_ids[SRC0]
    )
    # a destination that is none of ours: sent outside transactions
    await manager.send("elsewhere", b"k", b"v", None, None, None)
    assert producer.send.await_args.kwargs["transactional_id"] is None


async def test_commit_groups_offsets_by_transaction(manager, producer, app) -> None:
    await manager.on_rebalance({SRC0, SRC1}, set(), set())
    manager.consumer.points.update({SRC0: 10, SRC1: 4})
    assert await manager.commit({SRC0: 10, SRC1: 4}) is True
    producer.commit_transactions.assert_awaited_once_with(
        {
            manager.transactional_ids[SRC0]: {SRC0: 10},
            manager.transactional_ids[SRC1]: {SRC1: 4},
        },
        app.conf.id,
        start_new_transaction=True,
    )
    assert await manager.commit({TP("unknown", 0): 1}) is False


async def test_fenced_producer_crashes_the_app(manager, producer, app) -> None:
    await manager.on_rebalance({SRC0}, set(), set())
    manager.consumer.points[SRC0] = 1
    producer.commit_transactions.side_effect = ProducerFenced("zombie")
    with pytest.raises(ProducerFenced):
        await manager.commit({SRC0: 1})
    app.crash.assert_awaited_once()


def test_group_of_unknown_topic_has_no_transaction(manager) -> None:
    assert manager.transactional_id_for(TP("nope", 0)) is None


async def test_delegates_producer_api(manager, producer) -> None:
    await manager.flush()
    await manager.begin_transaction("t")
    await manager.commit_transaction("t")
    await manager.abort_transaction("t")
    await manager.stop_transaction("t")
    await manager.maybe_begin_transaction("t")
    await manager.commit_transactions({"t": {SRC0: 1}}, "g")
    await manager.create_topic("x", 1, 1)
    manager.send_soon("fut")
    producer.send_soon.assert_called_once_with("fut")
    producer.key_partition.return_value = SRC0
    assert manager.key_partition("src", b"k") == SRC0
    assert manager.supports_headers() is producer.supports_headers()
    producer.flush.assert_awaited_once()
    producer.commit_transactions.assert_awaited_once()


async def test_send_and_wait_held_by_a_cut_stays_output_of_its_event(
    manager, producer
) -> None:
    # the commit cut SRC1 at 5; an event at offset 7 sends and waits: its
    # message is held for the next transaction, and once written there it
    # marks offset 7 dirty (so that transaction is not committed without it)
    await manager.on_rebalance({SRC0, SRC1}, set(), set())
    tid = manager.transactional_ids[SRC1]
    manager.ledger.cuts[tid] = {SRC1: 5}
    written = asyncio.get_running_loop().create_future()
    written.set_result("metadata")
    producer.send.return_value = written
    event = SimpleNamespace(message=SimpleNamespace(tp=SRC1, offset=7))
    token = set_current_event(event)
    try:
        sending = asyncio.ensure_future(
            manager.send_and_wait("out", b"k", b"v", None, None, None)
        )
        await asyncio.sleep(0)
    finally:
        reset_current_event(token)
    assert manager.ledger.held_count(tid) == 1
    assert not sending.done()
    await manager.ledger.release(tid)
    assert await sending == "metadata"
    assert manager.ledger.dirty == {SRC1: 7}
