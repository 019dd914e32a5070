"""Loop-agnostic waiting for the in-memory broker.

The broker lives as long as the process, but the event loops using it come
and go (pytest makes one per test).  So nothing here binds to a loop when
created: a waiter creates its future in the running loop when it waits, and a
:class:`WaitSet` drops futures whose loop has closed instead of touching them.
A future whose loop runs in another thread is woken thread-safely.
"""

from __future__ import annotations

import asyncio
from asyncio import AbstractEventLoop, Future
from collections.abc import Iterable

__all__ = ["WaitSet", "wait_any"]

_running_loop = asyncio.events._get_running_loop


def _resolve(fut: Future[bool], value: bool) -> None:
    if not fut.done():
        fut.set_result(value)


class WaitSet:
    """The futures waiting for one condition (data on a partition, ...)."""

    __slots__ = ("_futures",)

    def __init__(self) -> None:
        self._futures: list[Future[bool]] = []

    def __bool__(self) -> bool:
        return bool(self._futures)

    def __len__(self) -> int:
        return len(self._futures)

    def add(self, fut: Future[bool]) -> None:
        """Register ``fut`` to be resolved with True by the next :meth:`wake`."""
        futures = self._futures
        if len(futures) >= 64:
            # Waiters abandoned with their loop would pile up on a partition
            # that never gets data; prune them.
            futures[:] = [f for f in futures if _live(f)]
        futures.append(fut)

    def discard(self, fut: Future[bool]) -> None:
        """Unregister ``fut`` if it is still registered."""
        try:
            self._futures.remove(fut)
        except ValueError:
            pass

    def wake(self) -> None:
        """Resolve every registered future and forget them all."""
        futures = self._futures
        if not futures:
            return
        self._futures = []
        current = _running_loop()
        for fut in futures:
            if fut.done():
                continue
            loop: AbstractEventLoop = fut.get_loop()
            if loop is current:
                fut.set_result(True)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, fut, True)


def _live(fut: Future[bool]) -> bool:
    return not fut.done() and not fut.get_loop().is_closed()


async def wait_any(sets: Iterable[WaitSet], timeout: float | None) -> bool:
    """Wait until any of ``sets`` is woken, or until ``timeout`` seconds pass.

    Arguments:
        sets: the conditions to wait for.
        timeout: seconds to wait at most; None waits forever.

    Returns:
        True if woken, False on timeout.
    """
    loop = asyncio.get_running_loop()
    fut: Future[bool] = loop.create_future()
    registered = list(sets)
    for waitset in registered:
        waitset.add(fut)
    handle = None
    if timeout is not None:
        handle = loop.call_later(max(timeout, 0.0), _resolve, fut, False)
    try:
        return await fut
    finally:
        if handle is not None:
            handle.cancel()
        for waitset in registered:
            waitset.discard(fut)
