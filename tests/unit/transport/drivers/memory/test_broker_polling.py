import asyncio

import pytest

from faust.transport.drivers.memory.broker import (
    MemoryBroker,
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


# -- waiting ----------------------------------------------------------------


async def test_wait_for_data_returns_at_once_when_data_is_there(broker):
    broker.produce("t", b"k", b"v")
    assert await broker.wait_for_data({TP("t", 0): 0}, None) == {TP("t", 0)}


async def test_wait_for_data_times_out(broker):
    broker.create_topic("t")
    assert await broker.wait_for_data({TP("t", 0): 0}, 0.01) == set()
    assert await broker.wait_for_data({TP("t", 0): 0}, 0) == set()


async def test_wait_for_data_wakes_on_produce(broker):
    broker.create_topic("t", 2)
    waiter = asyncio.ensure_future(
        broker.wait_for_data({TP("t", 0): 0, TP("t", 1): 0}, None)
    )
    await asyncio.sleep(0)
    assert not waiter.done()
    broker.produce("t", b"k", b"v", partition=1)
    assert await waiter == {TP("t", 1)}
    assert not broker.log(TP("t", 0)).waiters
    assert not broker.log(TP("t", 1)).waiters


async def test_wait_for_data_ignores_data_before_position(broker):
    broker.create_topic("t")
    broker.produce("t", b"k", b"v")
    waiter = asyncio.ensure_future(broker.wait_for_data({TP("t", 0): 1}, None))
    await asyncio.sleep(0)
    assert not waiter.done()
    broker.produce("t", b"k", b"v")
    assert await waiter == {TP("t", 0)}


async def test_wait_for_data_out_of_range_counts_as_ready(broker):
    broker.create_topic("t")
    assert await broker.wait_for_data({TP("t", 0): 5}, None) == {TP("t", 0)}


async def test_wait_for_data_unknown_partitions_time_out(broker):
    assert await broker.wait_for_data({TP("nope", 0): 0}, 0.01) == set()


async def test_wait_for_data_returns_when_broker_closes(broker):
    broker.create_topic("t")
    waiter = asyncio.ensure_future(broker.wait_for_data({TP("t", 0): 0}, None))
    await asyncio.sleep(0)
    broker.close()
    assert await waiter == set()


async def test_wait_for_data_returns_on_rebalance(broker):
    broker.create_topic("t")
    member = broker.join_group("g", ["t"])
    member.poll_rebalance()
    waiter = asyncio.ensure_future(
        broker.wait_for_data({TP("t", 0): 0}, None, member=member)
    )
    await asyncio.sleep(0)
    assert not waiter.done()
    broker.join_group("g", ["t"])
    assert await waiter == set()
    # Pending rebalance: returns at once until it is collected.
    assert await broker.wait_for_data({TP("t", 0): 0}, None, member=member) == set()


async def test_wait_for_data_survives_topic_recreation(broker):
    broker.create_topic("t")
    waiter = asyncio.ensure_future(broker.wait_for_data({TP("t", 0): 0}, None))
    await asyncio.sleep(0)
    broker.delete_topic("t")
    await asyncio.sleep(0)
    assert not waiter.done()
    broker.produce("t", b"k", b"v")  # auto-created again
    assert await waiter == {TP("t", 0)}


async def test_cancelled_wait_unregisters(broker):
    broker.create_topic("t")
    waiter = asyncio.ensure_future(broker.wait_for_data({TP("t", 0): 0}, None))
    await asyncio.sleep(0)
    assert len(broker.log(TP("t", 0)).waiters) == 1
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert len(broker.log(TP("t", 0)).waiters) == 0


def test_broker_outlives_event_loops(broker):
    """The same broker serves successive event loops (pytest makes one per test)."""
    broker.create_topic("t")

    async def abandon():
        # Start a wait and let the loop end under it.
        asyncio.ensure_future(broker.wait_for_data({TP("t", 0): 0}, None))
        await asyncio.sleep(0)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(abandon())
    loop.close()
    assert len(broker.log(TP("t", 0)).waiters) == 1
    broker.produce("t", b"k", b"v")  # must not touch the closed loop
    assert len(broker.log(TP("t", 0)).waiters) == 0

    async def wait_again():
        return await broker.wait_for_data({TP("t", 0): 1}, 0.01)

    assert asyncio.run(wait_again()) == set()
