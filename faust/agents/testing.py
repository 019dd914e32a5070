"""``agent.test_context()``: run one agent on an in-memory channel.

The wrapper is a clone of the agent reading a fresh in-memory channel, so
tests need no broker and no running app. ``put()`` delivers a value and, by
default, waits until the agent has dealt with it: yielded a result for it,
moved past it (acked it), or raised (the error is re-raised from ``put``).

Owner: the test (``async with agent.test_context() as agent``). Children and
tasks: those of :class:`~faust.agents.agent.Agent`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, Optional, cast

from mode import OneForOneSupervisor, SupervisorStrategyT

from ..types import TP, ChannelT, CodecArg, ConsumerT, EventT, K, Message, V
from ..types.agents import AgentTestWrapperT, ReplyToArg
from ..types.core import HeadersArg
from .actor import Actor
from .agent import Agent

__all__ = ["AgentTestWrapper"]


class _TestMessage(Message):
    """A message that reports when every reference on it was released."""

    __slots__ = ("on_acked",)

    on_acked: Callable[[Message], None]

    def on_final_ack(self, consumer: Optional[ConsumerT]) -> bool:
        self.acked = True
        callback = getattr(self, "on_acked", None)
        if callback is not None:
            callback(self)
        return True


class AgentTestWrapper(Agent, AgentTestWrapperT):
    """An agent running on an in-memory channel for tests.

    Attributes:
        results: ``{offset: value}``: what the agent yielded for the event at
            that offset (for an agent that does not yield: the input value).
        sent_offset: offset the next ``put`` will use.
        processed_offset: offset of the last event the agent finished.
    """

    original_channel: ChannelT[Any]

    def __init__(
        self,
        *args: Any,
        original_channel: Optional[ChannelT[Any]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.results: dict[int, Any] = {}
        self.sent_offset = 0
        self.processed_offset = 0
        self.new_value_processed = asyncio.Condition()
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._results_queue: asyncio.Queue[Any] = asyncio.Queue()
        if original_channel is not None:
            self.original_channel = original_channel

    @classmethod
    def for_agent(
        cls,
        agent: Agent,
        *,
        channel: Optional[ChannelT[Any]] = None,
        supervisor_strategy: Optional[type[SupervisorStrategyT]] = None,
        on_error: Optional[Callable[..., Awaitable[Any]]] = None,
        **kwargs: Any,
    ) -> AgentTestWrapper:
        """Build the wrapper of ``agent`` reading a new in-memory channel."""
        original = agent.channel
        test_channel = channel or agent.app.channel(
            key_type=original.key_type, value_type=original.value_type
        )
        args = agent._clone_args()
        args.update(
            channel=test_channel,
            supervisor_strategy=supervisor_strategy or OneForOneSupervisor,
            on_error=on_error,
            schema=None,
            key_type=None,
            value_type=None,
            original_channel=original,
        )
        args.update(kwargs)
        return cls(**args)

    async def __aenter__(self) -> AgentTestWrapper:
        self.app.flow_control.resume()
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]] = None,
        exc_val: Optional[BaseException] = None,
        exc_tb: Optional[TracebackType] = None,
    ) -> Optional[bool]:
        await self.stop()
        return None

    def to_message(
        self,
        key: K,
        value: V,
        *,
        partition: Optional[int] = None,
        offset: int = 0,
        timestamp: Optional[float] = None,
        timestamp_type: int = 0,
        headers: Optional[HeadersArg] = None,
    ) -> Message:
        """Build the raw message ``put`` delivers."""
        topic = self._topic_name()
        part = partition or 0
        return _TestMessage(
            topic,
            part,
            offset,
            timestamp if timestamp is not None else time.time(),
            timestamp_type,
            headers,
            key,
            value,
            None,
            tp=TP(topic, part),
        )

    def _topic_name(self) -> str:
        try:
            return self.original_channel.get_topic_name()
        except (NotImplementedError, TypeError, ValueError, AttributeError):
            return "test"

    async def put(
        self,
        value: V = None,
        key: K = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        *,
        reply_to: Optional[ReplyToArg] = None,
        correlation_id: Optional[str] = None,
        wait: bool = True,
    ) -> EventT[Any]:
        """Deliver a value to the agent.

        With ``wait`` (the default) this returns once the agent yielded a
        result for it or moved past it; an exception raised by the agent
        while handling it is re-raised here.
        """
        offset = self.sent_offset
        message = cast(
            _TestMessage,
            self.to_message(
                key,
                value,
                partition=partition,
                offset=offset,
                timestamp=timestamp,
                headers=headers,
            ),
        )
        event = self.app.create_event(key, value, headers, message)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[offset] = waiter
        message.on_acked = lambda m: self._on_acked(m, event)
        self.sent_offset += 1
        await self.channel.put(event)
        if wait:
            await waiter
        return event

    def _on_acked(self, message: Message, event: EventT[Any]) -> None:
        self.results.setdefault(message.offset, event.value)
        self._resolve(message.offset)

    def _resolve(self, offset: int, exc: Optional[BaseException] = None) -> None:
        self.processed_offset = offset
        waiter = self._waiters.pop(offset, None)
        if waiter is not None and not waiter.done():
            if exc is not None:
                waiter.set_exception(exc)
            else:
                waiter.set_result(None)
        self.add_future(self._notify())

    async def _notify(self) -> None:
        async with self.new_value_processed:
            self.new_value_processed.notify_all()

    async def _on_value_yielded(self, event: Optional[EventT[Any]], value: Any) -> None:
        if event is not None:
            offset = event.message.offset
            self.results[offset] = value
            self._results_queue.put_nowait(value)
            self._resolve(offset)
        await super()._on_value_yielded(event, value)

    async def _on_actor_error(self, actor: Actor, exc: BaseException) -> None:
        event = actor.stream.current_event
        if event is not None:
            self._resolve(event.message.offset, exc)
            event.ack()
        else:
            # raised outside any event (setting up the stream): every put()
            # waiting would wait forever, so each gets the error
            for offset in sorted(self._waiters):
                self._resolve(offset, exc)
        if self._on_error is not None:
            await self._on_error(self, exc)
        await self._crash_actor(actor, exc)

    async def throw(self, exc: BaseException) -> None:
        """Raise ``exc`` inside the agent's ``async for``."""
        await cast(Any, self.channel_iterator).throw(exc)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iter_results()

    async def _iter_results(self) -> AsyncIterator[Any]:
        while True:
            yield await self._results_queue.get()
