"""The agent registry (``app.agents``).

Owner: the app. Children: every agent, started in registration order (so
their topic subscriptions are known before the conductor subscribes) and
stopped in reverse. Tasks: none.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from mode import Service
from mode.utils.collections import ManagedUserDict

from ..types import TP, AgentManagerT, AgentT, AppT

__all__ = ["AgentManager"]


class AgentManager(Service, ManagedUserDict[str, AgentT[Any]], AgentManagerT):
    """A mapping of agent name to agent that starts and stops them.

    The whole dict API (``copy``, ``update``, ``pop``, ``clear``, ...) and
    mode's ``on_key_get/set/del``/``on_clear`` hooks, as in Faust.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self.data: OrderedDict[str, AgentT[Any]] = OrderedDict()
        self._by_topic: dict[str, list[AgentT[Any]]] = {}
        Service.__init__(self, **kwargs)

    async def on_start(self) -> None:
        """Start every agent."""
        for agent in self.values():
            await agent.maybe_start()

    async def on_stop(self) -> None:
        """Stop every agent, last registered first."""
        for agent in reversed(list(self.values())):
            await agent.stop()

    def service_reset(self) -> None:
        """Reset the agents too, so the app can be started again."""
        for agent in self.values():
            agent.service_reset()
        super().service_reset()

    def cancel(self) -> None:
        """Cancel the actors of every agent."""
        for agent in self.values():
            agent.cancel()

    async def wait_until_agents_started(self) -> None:
        """Wait until every agent has started."""
        for agent in self.values():
            await agent.wait_until_ready() if hasattr(
                agent, "wait_until_ready"
            ) else None

    def update_topic_index(self) -> None:
        """Rebuild the index of topic name -> agents reading it.

        Called at every rebalance, so agents added late are included.
        """
        by_topic: dict[str, list[AgentT[Any]]] = {}
        for agent in self.values():
            for topic in getattr(agent, "get_topic_names", lambda: [])():
                by_topic.setdefault(topic, []).append(agent)
        self._by_topic = by_topic

    async def on_rebalance(self, revoked: set[TP], newly_assigned: set[TP]) -> None:
        """Tell each agent which of its partitions moved."""
        self.update_topic_index()
        moved: dict[str, tuple[set[TP], set[TP]]] = {}
        for tps, slot in ((revoked, 0), (newly_assigned, 1)):
            for tp in tps:
                for agent in self._by_topic.get(tp.topic, ()):
                    moved.setdefault(agent.name, (set(), set()))[slot].add(tp)
        for agent in self.values():
            agent_revoked, agent_assigned = moved.get(agent.name, (set(), set()))
            if agent_revoked:
                await agent.on_partitions_revoked(agent_revoked)
            if agent_assigned:
                await agent.on_partitions_assigned(agent_assigned)

    #: text around :meth:`human_tracebacks` (``format``: ``name``, ``traceback``)
    traceback_header: str = "=" * 79 + "\nAgent tracebacks\n" + "=" * 79
    traceback_format: str = "{name}:\n{traceback}"
    traceback_footer: str = "-" * 79

    def actor_tracebacks(self) -> dict[str, list[str]]:
        """Agent name -> the stacks of its actors."""
        return {name: list(agent.actor_tracebacks()) for name, agent in self.items()}

    def human_tracebacks(self) -> str:
        """The stacks of every actor, for humans."""
        return "\n".join(
            [
                self.traceback_header,
                "\n".join(
                    self.traceback_format.format(
                        name=name, traceback="\n".join(tracebacks)
                    )
                    for name, tracebacks in self.actor_tracebacks().items()
                ),
                self.traceback_footer,
            ]
        )
