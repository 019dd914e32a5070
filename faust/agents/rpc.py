"""Request/reply for agents: ``ask``, ``map``, ``kvmap``, ``join``, ``kvjoin``.

A request is an ordinary message to the agent's channel plus where to reply:
in the headers ``Faust-Ag-ReplyTo`` and ``Faust-Ag-CorrelationId`` (agents
defined with ``use_reply_headers=True``, the default of ``@app.agent``), or by
wrapping the value in a :class:`~faust.agents.models.ReqRepRequest`. When the
agent yields a value while processing a request, the value is sent back as a
:class:`~faust.agents.models.ReqRepResponse`.

The promise is registered with the app's ReplyConsumer *before* the request
is sent, so a fast reply is never missed.
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any, Optional, Union

from mode.utils.aiter import aiter

from .._context import reset_current_event, set_current_event
from ..types import EventT, ModelT
from ..types.core import HeadersArg
from ..utils import uuid
from .models import ModelReqRepRequest, ReqRepRequest, ReqRepResponse
from .replies import BarrierState, ReplyPromise

if typing.TYPE_CHECKING:  # pragma: no cover
    from .agent import Agent
    from .base import AgentBase

__all__ = [
    "REPLY_TO_HEADER",
    "CORRELATION_ID_HEADER",
    "ask_nowait",
    "kvmap",
    "kvjoin",
    "reply_target",
    "send_reply",
    "unwrap_request",
    "with_reply_headers",
]

REPLY_TO_HEADER = "Faust-Ag-ReplyTo"
CORRELATION_ID_HEADER = "Faust-Ag-CorrelationId"

_REQUEST_TYPES = (ReqRepRequest, ModelReqRepRequest)


def reply_topic_name(agent: AgentBase, reply_to: Any) -> str:
    """The topic name of a ``reply_to`` given as a name, agent or topic."""
    if reply_to is None:
        return str(agent.app.conf.reply_to)
    if isinstance(reply_to, str):
        return reply_to
    channel = getattr(reply_to, "channel", reply_to)
    return str(channel.get_topic_name())


def with_reply_headers(
    headers: Optional[HeadersArg], reply_to: str, correlation_id: str
) -> HeadersArg:
    """``headers`` plus the two request headers."""
    extra = [
        (REPLY_TO_HEADER, reply_to.encode()),
        (CORRELATION_ID_HEADER, correlation_id.encode()),
    ]
    if headers is None:
        return extra
    if isinstance(headers, typing.Mapping):
        return {**headers, **dict(extra)}
    return [*headers, *extra]


def wrap_request(value: Any, reply_to: str, correlation_id: str) -> ReqRepRequest:
    """Wrap a value in a request record."""
    cls = ModelReqRepRequest if isinstance(value, ModelT) else ReqRepRequest
    return cls(value=value, reply_to=reply_to, correlation_id=correlation_id)


def unwrap_request(value: Any) -> Any:
    """Stream processor: hand the agent the value inside a request record."""
    if type(value) in _REQUEST_TYPES:
        return value.value
    return value


def reply_target(event: EventT[Any]) -> tuple[Optional[str], Optional[str]]:
    """``(reply_to, correlation_id)`` if ``event`` is a request."""
    headers = event.headers
    if headers:
        reply_to = headers.get(REPLY_TO_HEADER)
        if reply_to is not None:
            correlation_id = headers.get(CORRELATION_ID_HEADER) or b""
            return _text(reply_to), _text(correlation_id)
    value = event.value
    if type(value) in _REQUEST_TYPES:
        return value.reply_to, value.correlation_id
    return None, None


def _text(value: Union[str, bytes]) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def send_reply(
    agent: AgentBase, event: EventT[Any], value: Any, reply_to: str, correlation_id: str
) -> None:
    """Send ``value`` as the reply to the request ``event``."""
    response = ReqRepResponse(key=event.key, value=value, correlation_id=correlation_id)
    await agent.app.send(reply_to, value=response)


async def ask_nowait(
    agent: Agent,
    value: Any,
    *,
    key: Any = None,
    partition: Optional[int] = None,
    timestamp: Optional[float] = None,
    headers: Optional[HeadersArg] = None,
    reply_to: Any = None,
    correlation_id: Optional[str] = None,
    force: bool = False,
    promise: Optional[ReplyPromise] = None,
) -> ReplyPromise:
    """Send a request; returns the promise of its reply."""
    app = agent.app
    topic = reply_topic_name(agent, reply_to)
    correlation_id = correlation_id or uuid()
    if promise is None:
        promise = ReplyPromise(topic, correlation_id)
        register: ReplyPromise = promise
    else:
        register = promise
        promise = ReplyPromise(topic, correlation_id)
        register.add(promise)  # type: ignore[attr-defined]  # a BarrierState
    await app.maybe_start_client()
    await app.reply_consumer.add(correlation_id, register)
    # the request is not output of the event being processed (if any): the
    # caller waits for its reply, so it cannot wait for that event's commit
    # (exactly-once, stream_publish_on_commit); it is sent at once
    token = set_current_event(None)
    try:
        await agent.send(
            key=key,
            value=value,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
            reply_to=topic,
            correlation_id=correlation_id,
            force=force,
        )
    finally:
        reset_current_event(token)
    return promise


async def _items(
    items: Union[AsyncIterable[tuple[Any, Any]], Iterable[tuple[Any, Any]]],
) -> AsyncIterator[tuple[Any, Any]]:
    async for item in aiter(items):
        yield typing.cast(tuple[Any, Any], item)


async def _send_all(
    agent: Agent, items: Any, reply_to: Any
) -> tuple[BarrierState, list[str]]:
    barrier = BarrierState(reply_topic_name(agent, reply_to))
    order: list[str] = []
    async for key, value in _items(items):
        promise = await ask_nowait(
            agent, value, key=key, reply_to=barrier.reply_to, promise=barrier
        )
        order.append(promise.correlation_id)
    barrier.finalize()
    return barrier, order


async def kvmap(agent: Agent, items: Any, reply_to: Any = None) -> AsyncIterator[Any]:
    """Send ``(key, value)`` requests; yield the replies as they arrive."""
    barrier, _ = await _send_all(agent, items, reply_to)
    async for _, value in barrier.iterate():
        yield value


async def kvjoin(agent: Agent, items: Any, reply_to: Any = None) -> list[Any]:
    """Send ``(key, value)`` requests; the replies in request order."""
    barrier, order = await _send_all(agent, items, reply_to)
    await barrier
    return [barrier.results[correlation_id] for correlation_id in order]
