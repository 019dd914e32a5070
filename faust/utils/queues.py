"""The queue between the conductor and a stream.

:class:`EventQueue` is a bounded FIFO that a producer coroutine fills and a
stream drains. It is built for the per-event hot path: ``get`` returns without
suspending while items are buffered, ``put_nowait`` never allocates beyond the
deque slot, and waiters are plain futures created only when someone must wait.

It cooperates with mode's :class:`~mode.utils.queues.FlowControlEvent`:
``put`` waits while flow is suspended (during a rebalance), and queues created
with ``clear_on_resume`` are emptied when flow resumes, because their events
belong to partitions that may have moved.

Exceptions can be thrown into the queue (:meth:`EventQueue.throw`): the next ``get``
raises them, which is how errors reach the ``async for`` of a stream.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, Optional, TypeVar

from mode.utils.queues import FlowControlEvent

__all__ = ["EventQueue"]

T = TypeVar("T")


class EventQueue(Generic[T]):
    """A bounded FIFO queue with flow control and thrown errors.

    Arguments:
        maxsize: maximum number of buffered items (``put`` waits when full;
            0 or None means unbounded).
        flow_control: the app's flow control event, if any.
        clear_on_resume: drop buffered items when flow control resumes.
    """

    __slots__ = (
        "maxsize",
        "_items",
        "_errors",
        "_getters",
        "_putters",
        "_flow_control",
        "_clear_on_resume",
        "__weakref__",
    )

    def __init__(
        self,
        maxsize: Optional[int] = None,
        *,
        flow_control: Optional[FlowControlEvent] = None,
        clear_on_resume: bool = False,
    ) -> None:
        self.maxsize = maxsize or 0
        self._items: deque[T] = deque()
        self._errors: deque[BaseException] = deque()
        self._getters: deque[asyncio.Future[None]] = deque()
        self._putters: deque[asyncio.Future[None]] = deque()
        self._flow_control = flow_control
        self._clear_on_resume = clear_on_resume
        if flow_control is not None and clear_on_resume:
            flow_control.manage_queue(self)  # type: ignore[arg-type]  # duck-typed: needs clear()

    def qsize(self) -> int:
        """Number of buffered items."""
        return len(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        """True when no item is buffered."""
        return not self._items

    def peek(self, default: Optional[T] = None) -> Optional[T]:
        """The oldest buffered item, left in the queue (``default`` if none)."""
        items = self._items
        return items[0] if items else default

    def full(self) -> bool:
        """True when ``put`` would wait for room."""
        return 0 < self.maxsize <= len(self._items)

    def clear(self) -> None:
        """Drop every buffered item (flow control calls this on resume)."""
        self._items.clear()
        self._wake(self._putters)

    def put_nowait(self, item: T) -> None:
        """Append an item even if the queue is full."""
        self._items.append(item)
        if self._getters:
            self._wake_one(self._getters)

    def offer(self, item: T) -> bool:
        """Append an item if there is room; False (and nothing added) if full."""
        items = self._items
        if 0 < self.maxsize <= len(items):
            return False
        items.append(item)
        if self._getters:
            self._wake_one(self._getters)
        return True

    async def wait_for_room(self) -> None:
        """Wait until the queue has room (or was cleared); no flow control check.

        The caller decides afterwards whether its item is still wanted (the
        conductor drops it when flow was suspended meanwhile).
        """
        while 0 < self.maxsize <= len(self._items):
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._putters.append(fut)
            try:
                await fut
            finally:
                if not fut.done():
                    fut.cancel()

    async def put(self, item: T) -> None:
        """Append an item, waiting for flow control and for room."""
        flow = self._flow_control
        if flow is not None and not flow.is_active():
            await flow.acquire()
        while 0 < self.maxsize <= len(self._items):
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._putters.append(fut)
            try:
                await fut
            finally:
                if not fut.done():
                    fut.cancel()
        self.put_nowait(item)

    def get_nowait(self) -> T:
        """Pop the oldest item; raises a thrown error or ``asyncio.QueueEmpty``."""
        if self._errors:
            raise self._errors.popleft()
        try:
            item = self._items.popleft()
        except IndexError:
            raise asyncio.QueueEmpty() from None
        if self._putters:
            self._wake_one(self._putters)
        return item

    def next_nowait(self, default: T) -> T:
        """Pop the oldest item, or return ``default`` when none is buffered.

        The per-event path of a stream: no exception and no coroutine when
        an item is there. A thrown error is raised, as by :meth:`get_nowait`.
        """
        if self._errors:
            raise self._errors.popleft()
        items = self._items
        if not items:
            return default
        item = items.popleft()
        if self._putters:
            self._wake_one(self._putters)
        return item

    async def get(self) -> T:
        """Pop the oldest item, waiting until one is available."""
        while not self._items and not self._errors:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._getters.append(fut)
            try:
                await fut
            finally:
                if not fut.done():
                    fut.cancel()
        return self.get_nowait()

    def drain_nowait(self, max_items: int) -> list[T]:
        """Pop up to ``max_items`` buffered items at once (may be empty)."""
        items = self._items
        n = min(max_items, len(items))
        out = [items.popleft() for _ in range(n)]
        if n and self._putters:
            self._wake(self._putters)
        return out

    def throw(self, exc: BaseException) -> None:
        """Make the next ``get`` raise ``exc``."""
        self._errors.append(exc)
        if self._getters:
            self._wake_one(self._getters)

    @staticmethod
    def _wake_one(waiters: deque[asyncio.Future[None]]) -> None:
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return

    @staticmethod
    def _wake(waiters: deque[asyncio.Future[None]]) -> None:
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(None)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: size={len(self._items)} maxsize={self.maxsize}>"
        )
