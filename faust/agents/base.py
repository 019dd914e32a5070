"""The agent engine: channel, streams, actors, supervision and errors.

An agent owns a channel (its topic), a supervisor and ``concurrency`` actors,
each running the agent function over a stream of that channel. All actors of
one agent share the channel's queue, so events are spread among them.

Owner: the :class:`~faust.agents.manager.AgentManager` (``app.agents``).
Children: the supervisor, which owns the actors. Tasks: none (the actors run
the function).

Error handling: when the function raises, the error is logged with the event
that caused it, that event is acked (so the partition moves on), the optional
``on_error`` callback runs and the actor is restarted by the supervisor with
the same stream.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextvars import ContextVar
from typing import Any, Optional, Union, cast

from mode import Service, SupervisorStrategyT
from mode.utils.objects import canonshortname

from ..exceptions import ImproperlyConfigured
from ..types import (
    TP,
    AgentFun,
    AgentT,
    AppT,
    ChannelT,
    EventT,
    SchemaT,
    SinkT,
    StreamT,
    TopicT,
)
from ..types.agents import ActorRefT
from . import isolated, rpc
from .actor import Actor, AsyncIterableActor, AwaitableActor, wake_until_restarted

if typing.TYPE_CHECKING:  # pragma: no cover
    from ..types.models import ModelArg

__all__ = ["AgentBase", "current_agent"]

logger = logging.getLogger(__name__)

_current_agent: ContextVar[Optional[AgentT[Any]]] = ContextVar(
    "current_agent", default=None
)


def current_agent() -> Optional[AgentT[Any]]:
    """Return the agent whose actor is running the current task, if any."""
    return _current_agent.get()


class AgentBase(AgentT[Any], Service):
    """The actor engine of an agent (see :class:`Agent` for the API)."""

    _channel: Optional[ChannelT[Any]] = None
    _channel_iterator: Optional[AsyncIterator[Any]] = None
    supervisor: Optional[SupervisorStrategyT] = None

    def __init__(
        self,
        fun: AgentFun,
        *,
        app: AppT,
        name: Optional[str] = None,
        channel: Union[str, ChannelT[Any], None] = None,
        concurrency: int = 1,
        sink: Optional[Iterable[SinkT]] = None,
        on_error: Optional[Callable[..., Awaitable[Any]]] = None,
        supervisor_strategy: Optional[type[SupervisorStrategyT]] = None,
        help: Optional[str] = None,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        isolated_partitions: bool = False,
        use_reply_headers: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        if concurrency < 1:
            raise ImproperlyConfigured(
                f"Agent concurrency must be at least 1, not {concurrency}"
            )
        if isolated_partitions and concurrency > 1:
            raise ImproperlyConfigured(
                "Agent with isolated_partitions cannot have concurrency > 1"
            )
        self.app = app
        self.fun = fun
        self.name = name or canonshortname(fun)
        self._channel_arg = channel
        self._channel_kwargs = kwargs
        self._schema = schema
        self._key_type = key_type
        self._value_type = value_type
        if isinstance(channel, ChannelT) and (schema or key_type or value_type):
            raise ImproperlyConfigured(
                "Agent: give key_type/value_type/schema to the channel, "
                "not to the agent"
            )
        self.concurrency = concurrency
        self.isolated_partitions = isolated_partitions
        self.use_reply_headers = bool(use_reply_headers)
        self._sinks = list(sink) if sink else []
        self._on_error = on_error
        self.supervisor_strategy = supervisor_strategy
        self._actors: list[Actor] = []
        self._actor_by_partition: dict[TP, Actor] = {}
        doc = fun.__doc__
        self.help = help if help is not None else (doc.strip() if doc else "")
        # under app.agents in the service tree: a crash that no supervisor
        # handles (CrashingSupervisor) reaches the app, and the worker exits
        agents = getattr(app, "agents", None)
        beacon: Any = agents.beacon if agents is not None else None
        Service.__init__(self, beacon=beacon)

    # -- Channel ---------------------------------------------------------

    @property
    def channel(self) -> ChannelT[Any]:
        """The channel (usually a topic) this agent reads."""
        if self._channel is None:
            self._channel = self._prepare_channel(self._channel_arg)
        return self._channel

    @channel.setter
    def channel(self, channel: ChannelT[Any]) -> None:
        self._channel = channel

    def _prepare_channel(
        self, channel: Union[str, ChannelT[Any], None]
    ) -> ChannelT[Any]:
        if channel is None:
            return self.app.topic(
                f"{self.app.conf.id}-{self.name}",
                internal=True,
                has_prefix=True,
                schema=self._schema,
                key_type=self._key_type,
                value_type=self._value_type,
                **self._channel_kwargs,
            )
        if isinstance(channel, str):
            return self.app.topic(
                channel,
                internal=True,
                schema=self._schema,
                key_type=self._key_type,
                value_type=self._value_type,
                **self._channel_kwargs,
            )
        if isinstance(channel, ChannelT):
            return channel
        raise TypeError(
            f"Agent channel must be a channel, a topic name or None, not {channel!r}"
        )

    @property
    def channel_iterator(self) -> AsyncIterator[Any]:
        """The subscription all actors of this agent share."""
        if self._channel_iterator is None:
            self._channel_iterator = self.channel.clone(is_iterator=False).__aiter__()
        return self._channel_iterator

    @channel_iterator.setter
    def channel_iterator(self, it: AsyncIterator[Any]) -> None:
        self._channel_iterator = it

    def get_topic_names(self) -> Iterable[str]:
        """Names of the topics this agent reads (empty for a plain channel)."""
        channel = self.channel
        if isinstance(channel, TopicT):
            return channel.topics
        return []

    # -- Actors ----------------------------------------------------------

    def stream(
        self,
        channel: Optional[ChannelT[Any]] = None,
        active_partitions: Optional[set[TP]] = None,
        **kwargs: Any,
    ) -> StreamT[Any]:
        """Create a stream for an actor of this agent (of ``active_partitions``)."""
        stream = self.app.stream(
            channel if channel is not None else self.channel_iterator,
            prefix=self.name,
            active_partitions=active_partitions,
            **kwargs,
        )
        # requests wrapped in ReqRepRequest reach the function unwrapped
        stream.add_processor(rpc.unwrap_request)
        return stream

    def __call__(
        self,
        *,
        index: Optional[int] = None,
        active_partitions: Optional[set[TP]] = None,
        stream: Optional[StreamT[Any]] = None,
        channel: Optional[ChannelT[Any]] = None,
    ) -> ActorRefT:
        """Create an actor running this agent's function (not started)."""
        if stream is None:
            stream = self.stream(
                channel=channel,
                concurrency_index=index,
                active_partitions=active_partitions,
            )
        return self.actor_from_stream(
            stream, index=index, active_partitions=active_partitions, channel=channel
        )

    def actor_from_stream(
        self,
        stream: Optional[StreamT[Any]],
        *,
        index: Optional[int] = None,
        active_partitions: Optional[set[TP]] = None,
        channel: Optional[ChannelT[Any]] = None,
    ) -> ActorRefT:
        """An actor (not started) running this agent's function over ``stream``.

        Without a stream, one is created (of ``channel``, or the agent's).
        """
        if stream is None:
            stream = self.stream(
                channel=channel,
                concurrency_index=index,
                active_partitions=active_partitions,
            )
        else:
            stream.concurrency_index = index
            stream.active_partitions = active_partitions
        cls = (
            AsyncIterableActor
            if inspect.isasyncgenfunction(self.fun)
            else AwaitableActor
        )
        return cls(
            self,
            stream,
            index=index,
            active_partitions=active_partitions,
            beacon=self.beacon,
        )

    def _new_supervisor(self) -> SupervisorStrategyT:
        strategy: Any = self.supervisor_strategy or self.app.conf.agent_supervisor
        return cast(
            SupervisorStrategyT,
            strategy(max_restarts=100.0, over=1.0, beacon=self.beacon),
        )

    async def on_start(self) -> None:
        """Start the supervisor and one actor per concurrency slot."""
        if self._sinks and not inspect.isasyncgenfunction(self.fun):
            raise ImproperlyConfigured(f"Agent {self.name} must yield to use sinks")
        self.supervisor = self._new_supervisor()
        indices: list[Optional[int]] = (
            list(range(self.concurrency)) if self.concurrency > 1 else [None]
        )
        if self.isolated_partitions:
            indices = []  # actors start with their partitions
            isolated.subscribe(self)
        for index in indices:
            actor = cast(Actor, self(index=index))
            self._actors.append(actor)
            self.supervisor.add(actor)
        await self.add_runtime_dependency(self.supervisor)

    async def on_stop(self) -> None:
        """Forget the actors (the supervisor stops them)."""
        self._actors.clear()
        self._actor_by_partition.clear()

    def cancel(self) -> None:
        """Cancel every running actor."""
        for actor in self._actors:
            actor.cancel()

    async def _execute_actor(self, actor: Actor) -> None:
        """Run the agent function for one actor; handle its errors."""
        token = _current_agent.set(self)
        try:
            result = self.fun(actor.stream)
            if inspect.isasyncgen(result) or hasattr(result, "__aiter__"):
                await self._slurp(actor, cast(AsyncIterator[Any], result))
            else:
                await cast(Awaitable[Any], result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._on_actor_error(actor, exc)
        finally:
            _current_agent.reset(token)

    async def _slurp(self, actor: Actor, it: AsyncIterator[Any]) -> None:
        stream = actor.stream
        async for value in it:
            await self._on_value_yielded(stream.current_event, value)

    async def _on_value_yielded(self, event: Optional[EventT[Any]], value: Any) -> None:
        """Reply to the request being processed, and hand the value to sinks."""
        if event is not None:
            reply_to, correlation_id = rpc.reply_target(event)
            if reply_to is not None:
                await rpc.send_reply(self, event, value, reply_to, correlation_id or "")
        for sink in self._sinks:
            await self._deliver_to_sink(sink, value)

    async def _deliver_to_sink(self, sink: SinkT, value: Any) -> None:
        if isinstance(sink, AgentT):
            await sink.send(value=value)
        elif isinstance(sink, ChannelT):
            await sink.send(value=value)
        else:
            result = sink(value)
            if inspect.isawaitable(result):
                await result

    async def _on_actor_error(self, actor: Actor, exc: BaseException) -> None:
        event = actor.stream.current_event
        if event is not None:
            logger.error(
                "Agent %s crashed processing %s@%s key=%r value=%r: %r",
                self.name,
                event.message.tp,
                event.message.offset,
                event.key,
                event.value,
                exc,
                exc_info=exc,
            )
            # the event is not retried: ack it so its partition moves on
            event.ack()
        else:
            logger.error("Agent %s crashed: %r", self.name, exc, exc_info=exc)
        await self.app.on_agent_error(self, exc)
        if self._on_error is not None:
            await self._on_error(self, exc)
        await self._crash_actor(actor, exc)

    async def _crash_actor(self, actor: Actor, exc: BaseException) -> None:
        """Mark the actor crashed so its supervisor restarts it."""
        await actor.crash(exc)
        supervisor = self.supervisor
        if supervisor is not None and actor.supervisor is supervisor:
            self.add_future(wake_until_restarted(supervisor, actor, self))

    # -- Rebalancing -----------------------------------------------------

    async def on_partitions_assigned(self, assigned: set[TP]) -> None:
        """Called after a rebalance with the partitions of its topics."""
        if self.isolated_partitions:
            await self.on_isolated_partitions_assigned(assigned)
        else:
            await self.on_shared_partitions_assigned(assigned)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Called on a rebalance with the partitions taken away."""
        if self.isolated_partitions:
            await self.on_isolated_partitions_revoked(revoked)
        else:
            await self.on_shared_partitions_revoked(revoked)

    async def on_isolated_partitions_assigned(self, assigned: set[TP]) -> None:
        """``isolated_partitions=True``: start an actor per assigned partition."""
        await isolated.start_partition_actors(self, assigned)

    async def on_isolated_partitions_revoked(self, revoked: set[TP]) -> None:
        """``isolated_partitions=True``: stop the revoked partitions' actors."""
        await isolated.stop_partition_actors(self, revoked)

    async def on_shared_partitions_assigned(self, assigned: set[TP]) -> None:
        """Partitions assigned to an agent whose actors share them (a hook)."""

    async def on_shared_partitions_revoked(self, revoked: set[TP]) -> None:
        """Partitions revoked from an agent whose actors share them (a hook)."""

    # -- Introspection / testing -------------------------------------------

    def clone(
        self, *, cls: Optional[type[AgentT[Any]]] = None, **kwargs: Any
    ) -> AgentT[Any]:
        """Copy this agent with changed attributes."""
        return cast(
            AgentT[Any],
            cast(type[AgentBase], cls or type(self))(
                **{**self._clone_args(), **kwargs}
            ),
        )

    def _clone_args(self) -> dict[str, Any]:
        return {
            "fun": self.fun,
            "app": self.app,
            "name": self.name,
            "channel": self._channel
            if self._channel is not None
            else self._channel_arg,
            "concurrency": self.concurrency,
            "sink": list(self._sinks),
            "on_error": self._on_error,
            "supervisor_strategy": self.supervisor_strategy,
            "help": self.help,
            "schema": self._schema if self._channel is None else None,
            "key_type": self._key_type if self._channel is None else None,
            "value_type": self._value_type if self._channel is None else None,
            "isolated_partitions": self.isolated_partitions,
            "use_reply_headers": self.use_reply_headers,
            **self._channel_kwargs,
        }

    def info(self) -> dict[str, Any]:
        """Describe this agent."""
        return {
            "app": self.app,
            "fun": self.fun,
            "name": self.name,
            "channel": self.channel,
            "concurrency": self.concurrency,
            "help": self.help,
            "sink": self._sinks,
            "on_error": self._on_error,
            "supervisor_strategy": self.supervisor_strategy,
            "isolated_partitions": self.isolated_partitions,
        }

    def actor_tracebacks(self) -> list[str]:
        """Stacks of the running actors."""
        return [actor.traceback() for actor in self._actors]

    def _repr_info(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """``Agent: <name>``."""
        return f"{type(self).__name__}: {self.name}"

    @property
    def shortlabel(self) -> str:
        """Same as :attr:`label`."""
        return self.label
