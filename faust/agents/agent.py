"""Agents: stream processors declared with ``@app.agent``.

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

import logging
import typing
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Optional, Union

from mode import SupervisorStrategyT
from mode.utils.aiter import aiter

from ..types import (
    ChannelT,
    CodecArg,
    K,
    RecordMetadata,
    SinkT,
    V,
)
from ..types.agents import AgentTestWrapperT, ReplyToArg
from ..types.core import HeadersArg
from ..utils import uuid
from . import rpc
from .base import AgentBase, current_agent
from .replies import ReplyPromise

if typing.TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["Agent", "current_agent"]

logger = logging.getLogger(__name__)


class Agent(AgentBase):
    """A stream processor.

    Arguments:
        fun: ``async def fun(stream)``, a coroutine or an async generator.
        app: the app.
        name: the agent name (default: ``module.function``).
        channel: a channel, a topic name, or None for the agent's own topic.
        concurrency: number of actors sharing the channel.
        sink: where yielded values go (agents, channels or callables).
        on_error: ``async def on_error(agent, exc)`` called when an actor fails.
        supervisor_strategy: mode supervisor class for the actors.
        help: description shown by ``faust agents``.
        isolated_partitions: one actor per assigned partition.
        use_reply_headers: send request metadata in headers.
    """

    # -- Sending ---------------------------------------------------------

    def add_sink(self, sink: SinkT) -> None:
        """Add a destination for the values this agent yields."""
        if sink not in self._sinks:
            self._sinks.append(sink)

    async def cast(
        self,
        value: V = None,
        *,
        key: K = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
    ) -> None:
        """Send a value to this agent without waiting for a reply."""
        await self.send(
            key=key,
            value=value,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
        )

    async def send(
        self,
        *,
        key: K = None,
        value: V = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[Callable[..., Any]] = None,
        reply_to: Optional[ReplyToArg] = None,
        correlation_id: Optional[str] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]:
        """Send a message to this agent's channel (keyword arguments only).

        With ``reply_to`` and ``correlation_id`` the message is a request:
        what the agent yields for it is sent back to ``reply_to``.
        """
        if reply_to is not None:
            reply_topic = rpc.reply_topic_name(self, reply_to)
            correlation_id = correlation_id or uuid()
            if self.use_reply_headers:
                headers = rpc.with_reply_headers(headers, reply_topic, correlation_id)
            else:
                value = rpc.wrap_request(value, reply_topic, correlation_id)
        return await self.channel.send(
            key=key,
            value=value,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            callback=callback,
            force=force,
        )

    # -- Request/reply -----------------------------------------------------

    async def ask(
        self,
        value: V = None,
        *,
        key: K = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        reply_to: Optional[ReplyToArg] = None,
        correlation_id: Optional[str] = None,
    ) -> Any:
        """Send a request and wait for the agent's reply.

        Wrap it in ``asyncio.wait_for`` to give up after a timeout.

        Example:
            >>> total = await add.ask(value=Numbers(1, 2))
        """
        promise = await self.ask_nowait(
            value,
            key=key,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
            reply_to=reply_to,
            correlation_id=correlation_id,
            force=True,
        )
        return await promise

    async def ask_nowait(
        self,
        value: V = None,
        *,
        key: K = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        reply_to: Optional[ReplyToArg] = None,
        correlation_id: Optional[str] = None,
        force: bool = False,
    ) -> ReplyPromise:
        """Send a request; returns the (awaitable) promise of the reply."""
        return await rpc.ask_nowait(
            self,
            value,
            key=key,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
            reply_to=reply_to,
            correlation_id=correlation_id,
            force=force,
        )

    async def map(
        self,
        values: Union[AsyncIterable[Any], Iterable[Any]],
        key: K = None,
        reply_to: Optional[ReplyToArg] = None,
    ) -> AsyncIterator[Any]:
        """Send a request per value; yield the replies as they arrive."""
        async for reply in rpc.kvmap(
            self, ((key, v) async for v in aiter(values)), reply_to
        ):
            yield reply

    async def kvmap(
        self,
        items: Union[AsyncIterable[tuple[K, V]], Iterable[tuple[K, V]]],
        reply_to: Optional[ReplyToArg] = None,
    ) -> AsyncIterator[Any]:
        """Send a request per ``(key, value)``; yield replies as they arrive."""
        async for reply in rpc.kvmap(self, items, reply_to):
            yield reply

    async def join(
        self,
        values: Union[AsyncIterable[Any], Iterable[Any]],
        key: K = None,
        reply_to: Optional[ReplyToArg] = None,
    ) -> list[Any]:
        """Send a request per value; the replies, in the order of ``values``."""
        return await rpc.kvjoin(self, ((key, v) async for v in aiter(values)), reply_to)

    async def kvjoin(
        self,
        items: Union[AsyncIterable[tuple[K, V]], Iterable[tuple[K, V]]],
        reply_to: Optional[ReplyToArg] = None,
    ) -> list[Any]:
        """Send a request per ``(key, value)``; the replies in request order."""
        return await rpc.kvjoin(self, items, reply_to)

    def test_context(
        self,
        channel: Optional[ChannelT[Any]] = None,
        supervisor_strategy: Optional[type[SupervisorStrategyT]] = None,
        on_error: Optional[Callable[..., Awaitable[Any]]] = None,
        **kwargs: Any,
    ) -> AgentTestWrapperT:
        """Run this agent on an in-memory channel, for tests.

        Example:
            >>> async with my_agent.test_context() as agent:
            ...     event = await agent.put('hello')
            ...     assert agent.results[event.message.offset] == 'HELLO'
        """
        from .testing import AgentTestWrapper

        return AgentTestWrapper.for_agent(
            self,
            channel=channel,
            supervisor_strategy=supervisor_strategy,
            on_error=on_error,
            **kwargs,
        )
