"""``faust agents``: list the agents of the app."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any, ClassVar

from faust.types import AgentT

from .base import AppCommand, option

__all__ = ["agents"]


class agents(AppCommand):
    """List the agents of the app."""

    title: ClassVar[str] = "Agents"
    headers: ClassVar[Sequence[str]] = ["name", "topic", "help"]
    #: Orders the agents in the table (by name; set another key in a subclass).
    sortkey: ClassVar[attrgetter[Any]] = attrgetter("name")

    options = [
        option(
            "--local/--no-local",
            default=False,
            help="Include agents that read from a local channel.",
        ),
    ]

    async def run(self, local: bool = False) -> None:
        """Print the table of agents."""
        rows = [self.agent_to_row(agent) for agent in self.agents(local=local)]
        self.say(self.tabulate(rows, headers=self.headers, title=self.title))

    def agents(self, *, local: bool = False) -> list[AgentT[Any]]:
        """Return the agents sorted by name (channel agents only if ``local``)."""
        found = sorted(self.app.agents.values(), key=self.sortkey)
        return [a for a in found if local or self.topic_name(a) is not None]

    def agent_to_row(self, agent: AgentT[Any]) -> list[str]:
        """Return the ``name``, ``topic`` and ``help`` cells of an agent."""
        return [
            f"@{self.abbreviate_fqdn(agent.name)}",
            self.topic_name(agent) or "<LOCAL>",
            agent.help or "<N/A>",
        ]

    def topic_name(self, agent: AgentT[Any]) -> str | None:
        """Topic(s) the agent reads, or None for a local channel."""
        channel = agent.channel
        pattern = getattr(channel, "pattern", None)
        if pattern is not None:
            return str(getattr(pattern, "pattern", pattern))
        topics = getattr(channel, "topics", None)
        if topics:
            return ", ".join(topics)
        return None
