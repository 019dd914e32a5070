"""Actors: one running instance of an agent function.

Owner: the agent's supervisor (a mode ``SupervisorStrategy``), which starts
the actors and restarts the ones that crash. Children: none. Tasks: the
execution of the agent function, added as a future in ``on_start`` (so a
restart runs the function again on the same stream, losing no buffered
event).
"""

from __future__ import annotations

import asyncio
import typing
from typing import Any, Optional

from mode import Service, ServiceT, SupervisorStrategyT

from ..types import TP, StreamT
from ..types.agents import ActorT

if typing.TYPE_CHECKING:  # pragma: no cover
    from .base import AgentBase

__all__ = ["Actor", "AsyncIterableActor", "AwaitableActor", "wake_until_restarted"]


class Actor(ActorT[Any], Service):
    """Runs the agent function over one stream.

    Arguments:
        agent: the agent this actor belongs to.
        stream: the stream given to the agent function.
        it: what the agent function returned (its async iterator or
            coroutine); kept as ``it`` when given, set by the agent when
            the function runs otherwise.
        index: the concurrency index (None when ``concurrency=1``).
        active_partitions: partitions of an isolated-partitions actor.
    """

    mundane_level = "debug"

    def __init__(
        self,
        agent: AgentBase,
        stream: StreamT[Any],
        it: Any = None,
        index: Optional[int] = None,
        active_partitions: Optional[set[TP]] = None,
        **kwargs: Any,
    ) -> None:
        self.agent = agent
        self._agent = agent
        self.stream = stream
        self.index = index
        self.active_partitions = active_partitions
        self.actor_task: Optional[asyncio.Task[Any]] = None
        self.it: Any = it
        Service.__init__(self, **kwargs)

    async def on_start(self) -> None:
        """Run the agent function in the background."""
        self.actor_task = self.add_future(self._agent._execute_actor(self))  # type: ignore[assignment]  # add_future returns the Task
        if self.actor_task is not None:
            self.actor_task.set_name(f"{self._agent.name}:{self.index or 0}")

    async def on_stop(self) -> None:
        """Cancel the running agent function."""
        self.cancel()

    def cancel(self) -> None:
        """Cancel the running agent function."""
        if self.actor_task is not None and not self.actor_task.done():
            self.actor_task.cancel()

    async def on_isolated_partition_revoked(self, tp: TP) -> None:
        """Stop this actor: its partition moved to another worker."""
        await self.stop()

    async def on_isolated_partition_assigned(self, tp: TP) -> None:
        """Nothing to do: the actor was created for this partition."""

    def traceback(self) -> str:
        """The stack of the running agent function, for debugging."""
        task = self.actor_task
        if task is None or task.done():
            return ""
        import io

        buf = io.StringIO()
        task.print_stack(file=buf)
        return buf.getvalue()

    def _repr_info(self) -> str:
        return f"{self.agent.name} index={self.index}"

    @property
    def label(self) -> str:
        """``Actor: <agent name>``."""
        return f"{type(self).__name__}: {self.agent.name}"


class AsyncIterableActor(Actor):
    """Actor of an agent that yields values."""


class AwaitableActor(Actor):
    """Actor of an agent that does not yield."""


async def wake_until_restarted(
    supervisor: SupervisorStrategyT, actor: Actor, owner: ServiceT
) -> None:
    """Wake ``supervisor`` until it restarted the crashed ``actor``.

    mode's supervisor misses a wake-up sent before its loop first waits (a
    crash right after start), and would only notice the crash after its
    five-second poll.
    """
    for _ in range(500):
        if not actor.crashed or owner.should_stop or supervisor.should_stop:
            return
        supervisor.wakeup()
        await asyncio.sleep(0.01)
