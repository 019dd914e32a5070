"""EventQueue: bounded FIFO with flow control and thrown errors."""

from __future__ import annotations

import asyncio

import pytest
from mode.utils.queues import FlowControlEvent

from faust.utils.queues import EventQueue


async def test_fifo_and_get_without_waiting() -> None:
    q: EventQueue[int] = EventQueue(10)
    q.put_nowait(1)
    await q.put(2)
    assert await q.get() == 1
    assert q.get_nowait() == 2
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()


async def test_put_waits_when_full_until_get() -> None:
    q: EventQueue[int] = EventQueue(1)
    await q.put(1)
    assert q.full()
    putter = asyncio.ensure_future(q.put(2))
    await asyncio.sleep(0)
    assert not putter.done()
    assert await q.get() == 1
    await asyncio.wait_for(putter, 1)
    assert q.get_nowait() == 2


async def test_get_waits_for_put() -> None:
    q: EventQueue[str] = EventQueue()
    getter = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    assert not getter.done()
    q.put_nowait("x")
    assert await asyncio.wait_for(getter, 1) == "x"


async def test_thrown_error_raised_by_next_get() -> None:
    q: EventQueue[int] = EventQueue()
    q.put_nowait(1)
    q.throw(KeyError("bad"))
    with pytest.raises(KeyError):
        await q.get()
    assert await q.get() == 1


async def test_put_waits_while_flow_suspended() -> None:
    flow = FlowControlEvent(initially_suspended=True)
    q: EventQueue[int] = EventQueue(flow_control=flow)
    putter = asyncio.ensure_future(q.put(1))
    await asyncio.sleep(0.01)
    assert not putter.done() and q.empty()
    flow.resume()
    await asyncio.wait_for(putter, 1)
    assert q.get_nowait() == 1


async def test_clear_on_resume_drops_items() -> None:
    flow = FlowControlEvent(initially_suspended=False)
    q: EventQueue[int] = EventQueue(flow_control=flow, clear_on_resume=True)
    q.put_nowait(1)
    flow.suspend()
    flow.resume()
    assert q.empty()


async def test_cancelled_getter_does_not_swallow_items() -> None:
    q: EventQueue[int] = EventQueue()
    getter = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    getter.cancel()
    await asyncio.sleep(0)
    q.put_nowait(7)
    assert await asyncio.wait_for(q.get(), 1) == 7


def test_drain_nowait() -> None:
    q: EventQueue[int] = EventQueue()
    for i in range(5):
        q.put_nowait(i)
    assert q.drain_nowait(3) == [0, 1, 2]
    assert len(q) == 2


async def test_next_nowait_returns_the_default_when_empty() -> None:
    q: EventQueue[int] = EventQueue(2)
    empty = object()
    assert q.next_nowait(empty) is empty  # type: ignore[arg-type]
    q.put_nowait(1)
    assert q.next_nowait(0) == 1
    q.throw(KeyError("boom"))
    with pytest.raises(KeyError):
        q.next_nowait(0)


async def test_next_nowait_makes_room_for_a_waiting_putter() -> None:
    q: EventQueue[int] = EventQueue(1)
    q.put_nowait(1)
    putter = asyncio.ensure_future(q.put(2))
    await asyncio.sleep(0)
    assert not putter.done()
    assert q.next_nowait(0) == 1
    await asyncio.wait_for(putter, 1)
    assert q.next_nowait(0) == 2


async def test_offer_refuses_when_full_and_wakes_a_getter() -> None:
    q: EventQueue[int] = EventQueue(1)
    getter = asyncio.ensure_future(q.get())
    await asyncio.sleep(0)
    assert q.offer(1)
    assert not q.offer(2)  # full: nothing added
    assert await asyncio.wait_for(getter, 1) == 1
    assert q.empty()
    unbounded: EventQueue[int] = EventQueue()
    assert all(unbounded.offer(i) for i in range(10))
