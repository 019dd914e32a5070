import asyncio

import pytest

from faust.transport.drivers.memory.broker_wait import WaitSet, wait_any


async def test_wake_resolves_waiters():
    waitset = WaitSet()
    waiter = asyncio.ensure_future(wait_any([waitset], None))
    await asyncio.sleep(0)
    assert len(waitset) == 1
    waitset.wake()
    assert await waiter is True
    assert not waitset


async def test_timeout_returns_false_and_unregisters():
    waitset = WaitSet()
    assert await wait_any([waitset], 0.001) is False
    assert await wait_any([waitset], -1) is False
    assert len(waitset) == 0


async def test_any_of_several_sets():
    a, b = WaitSet(), WaitSet()
    waiter = asyncio.ensure_future(wait_any([a, b], None))
    await asyncio.sleep(0)
    b.wake()
    assert await waiter is True
    assert not a and not b


async def test_wake_without_waiters_is_a_no_op():
    WaitSet().wake()


async def test_cancel_unregisters():
    waitset = WaitSet()
    waiter = asyncio.ensure_future(wait_any([waitset], None))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert not waitset
    waitset.discard(asyncio.get_running_loop().create_future())  # unknown: fine


def test_futures_of_closed_loops_are_dropped_not_touched():
    waitset = WaitSet()
    loop = asyncio.new_event_loop()
    waitset.add(loop.create_future())
    loop.close()
    waitset.wake()  # must not raise "Event loop is closed"
    assert not waitset


def test_abandoned_waiters_are_pruned():
    waitset = WaitSet()
    loop = asyncio.new_event_loop()
    for _ in range(64):
        waitset.add(loop.create_future())
    loop.close()
    live_loop = asyncio.new_event_loop()
    try:
        live = live_loop.create_future()
        waitset.add(live)
        assert len(waitset) == 1  # the 64 dead ones were pruned
    finally:
        live_loop.close()


def test_waiter_of_another_loop_is_woken_through_that_loop():
    """A future of a loop that is not the running one is woken thread-safely."""
    waitset = WaitSet()
    other = asyncio.new_event_loop()
    try:
        fut = other.create_future()
        waitset.add(fut)

        async def wake_from_this_loop():
            waitset.wake()

        asyncio.run(wake_from_this_loop())
        assert not fut.done()  # scheduled on its own loop, not set from here
        assert other.run_until_complete(fut) is True
    finally:
        other.close()
