"""Workers on the ``memory://`` broker: several apps in the test's process.

``memory://`` has real partitions, offsets, consumer groups and
transactions, but lives in one process, so a "worker" here is an
:class:`~faust.App` started in the test's event loop, and the faults are
modelled:

- **SIGTERM**: ``await app.stop()``, the path a worker's signal handler
  takes.
- **kill -9**: :meth:`MemoryWorker.kill` *freezes* the app. Every task the
  app ever created is tagged (a ``contextvars`` variable is set while it
  starts, and a task factory on the loop wraps each coroutine created in
  that context); once frozen, each tagged task is parked forever at its
  next ``await``: its coroutine is never resumed, thrown into or closed,
  so no ``finally`` block, commit, flush, transaction commit or
  leave-group of the dead app ever runs. The broker then drops its group
  member, as Kafka does when the session times out, and the group
  rebalances. An open transaction of the dead app is aborted when the
  survivor's producer takes over its transactional id (fencing), as on
  Kafka. What is not modelled: callbacks the app scheduled with
  ``call_soon``/``call_later`` outside a task still run (the worker code
  uses tasks).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine, Generator, Iterator
from contextlib import contextmanager
from typing import Any, Optional

from workload import LoopWatch, Spec, make_app

import faust
from faust.transport.drivers.memory.broker import MemoryBroker

_OWNER: contextvars.ContextVar[Optional[Freezer]] = contextvars.ContextVar(
    "reliability_owner", default=None
)
#: coroutines of killed apps: kept referenced so they are never closed
GRAVEYARD: list[Any] = []


class Freezer:
    """The switch that parks every task of one app."""

    def __init__(self) -> None:
        self.frozen = False

    def wrap(self, coro: Coroutine[Any, Any, Any]) -> Coroutine[Any, Any, Any]:
        return _run(_Steps(self, coro))


async def _run(steps: _Steps) -> Any:
    return await steps


class _Steps:
    """Drives a coroutine step by step; stops driving it once frozen."""

    def __init__(self, owner: Freezer, coro: Coroutine[Any, Any, Any]) -> None:
        self.owner = owner
        self.coro = coro

    def __await__(self) -> Generator[Any, Any, Any]:
        value: Any = None
        error: Optional[BaseException] = None
        while True:
            if self.owner.frozen:
                GRAVEYARD.append(self.coro)
                # a cancel (loop shutdown) ends only this wrapper: the
                # coroutine itself never runs again
                if error is not None:
                    raise error
                yield from asyncio.get_running_loop().create_future().__await__()
            try:
                if error is not None:
                    yielded = self.coro.throw(error)
                else:
                    yielded = self.coro.send(value)
            except StopIteration as stop:
                return stop.value
            try:
                value, error = (yield yielded), None
            except BaseException as exc:  # delivered to the coroutine next step
                value, error = None, exc


def _task_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
    context = kwargs.get("context")
    owner = context.get(_OWNER) if context is not None else _OWNER.get()
    if owner is not None:
        coro = owner.wrap(coro)
    return asyncio.Task(coro, loop=loop, **kwargs)


@contextmanager
def freezable_loop() -> Iterator[None]:
    """Install the tagging task factory on the running loop."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    assert previous is None, "the loop has a task factory already"
    loop.set_task_factory(_task_factory)
    try:
        yield
    finally:
        loop.set_task_factory(previous)


class MemoryWorker:
    """One app of ``spec`` on the embedded broker; start, stop or kill it."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.freezer = Freezer()
        self.app: faust.App
        self.watch: LoopWatch
        self.app, self.watch = make_app(spec)

    async def start(self) -> None:
        context = contextvars.copy_context()
        context.run(_OWNER.set, self.freezer)
        task = asyncio.get_running_loop().create_task(
            self.app.start(), context=context
        )
        await task

    async def stop(self) -> None:
        await self.app.stop()

    def kill(self) -> None:
        """kill -9: nothing of the app runs again; the broker drops its member."""
        self.freezer.frozen = True
        member = getattr(self.app.consumer, "_member", None)
        if member is not None and member.active:
            MemoryBroker.for_url(self.spec.broker).leave_group(member)

    @property
    def assigned(self) -> bool:
        return bool(self.app.consumer.assignment())
