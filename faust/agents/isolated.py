"""``isolated_partitions=True``: one actor per assigned partition.

When partitions of the agent's topics are assigned, each gets its own
subscription (restricted to that partition) and its own actor; when they are
revoked the actor stops and the subscription is removed. Events of one
partition are therefore always processed by the same actor, in order, and
per-partition state can live in the actor.
"""

from __future__ import annotations

import typing
from typing import Any

from ..types import TP, TopicT

if typing.TYPE_CHECKING:  # pragma: no cover
    from .actor import Actor
    from .base import AgentBase

__all__ = ["start_partition_actors", "stop_partition_actors", "subscribe"]


def subscribe(agent: AgentBase) -> None:
    """Subscribe to the agent's topics before any partition is assigned.

    The subscription reads no partition itself (``active_partitions`` is
    empty): it only makes the consumer subscribe, so partitions get assigned.
    """
    agent.channel_iterator = agent.channel.clone(active_partitions=set()).__aiter__()


async def start_partition_actors(agent: AgentBase, assigned: set[TP]) -> None:
    """Start an actor for each assigned partition that has none."""
    supervisor = agent.supervisor
    if supervisor is None:
        return
    for tp in sorted(assigned):
        if tp in agent._actor_by_partition:
            continue
        channel = agent.channel.clone(active_partitions={tp}).__aiter__()
        actor = typing.cast(
            "Actor", agent(active_partitions={tp}, channel=typing.cast(Any, channel))
        )
        agent._actor_by_partition[tp] = actor
        agent._actors.append(actor)
        supervisor.add(actor)
        await actor.maybe_start()


async def stop_partition_actors(agent: AgentBase, revoked: set[TP]) -> None:
    """Stop the actors of revoked partitions and drop their subscriptions."""
    supervisor = agent.supervisor
    for tp in revoked:
        actor = agent._actor_by_partition.pop(tp, None)
        if actor is None:
            continue
        await actor.on_isolated_partition_revoked(tp)
        if supervisor is not None:
            supervisor.discard(actor)
        if actor in agent._actors:
            agent._actors.remove(actor)
        channel: Any = actor.stream.channel
        if isinstance(channel, TopicT):
            agent.app.topics.discard(channel)
