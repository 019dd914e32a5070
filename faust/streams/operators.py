"""Bodies of the Stream operators: filter, take, echo, through, group_by.

Kept apart from :mod:`faust.streams.stream` so the core iteration stays
small. ``through`` and ``group_by`` build a chain: the upstream stream forwards
every event to a topic and is drained in the background, while the caller
iterates the downstream stream that reads that topic.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from mode import want_seconds

from ..exceptions import ImproperlyConfigured, Skip
from ..types import ChannelT, EventT, FieldDescriptorT, StreamT, TopicT
from ..utils.queues import EventQueue
from .stream import SKIP

if TYPE_CHECKING:  # pragma: no cover
    from .stream import Stream

__all__ = ["filter_processor", "take", "through", "echo_processor", "group_by", "join"]

logger = logging.getLogger(__name__)

#: Returned by the batch puller when the batch deadline passed.
_TIMEOUT: Any = object()
#: Returned by the batch puller when the source is exhausted.
_END: Any = object()


def filter_processor(fun: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap a predicate as a processor that raises :exc:`Skip` when false."""

    async def on_value(value: Any) -> Any:
        keep = fun(value)
        if inspect.isawaitable(keep):
            keep = await keep
        if not keep:
            raise Skip()
        return value

    return on_value


class _Puller:
    """Takes items for ``take()``, waiting at most until a deadline."""

    def __init__(self, stream: Stream[Any]) -> None:
        self.stream = stream
        self.queue: Optional[EventQueue[Any]] = stream._queue()
        self.pending: Optional[asyncio.Future[Any]] = None

    async def next(self, deadline: Optional[float]) -> Any:
        if self.queue is not None:
            return await self._from_queue(self.queue, deadline)
        return await self._from_iterator(deadline)

    async def _from_queue(self, queue: EventQueue[Any], deadline: Optional[float]) -> Any:
        if deadline is None:
            return await queue.get()
        if not queue.empty():
            return queue.get_nowait()
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return _TIMEOUT
        try:
            return await asyncio.wait_for(queue.get(), remaining)
        except asyncio.TimeoutError:
            return _TIMEOUT

    async def _from_iterator(self, deadline: Optional[float]) -> Any:
        # a pending __anext__ is kept across timeouts: cancelling it would
        # end the source iterator.
        if self.pending is None:
            self.pending = self.stream.add_future(self._anext())
        timeout = None
        if deadline is not None:
            timeout = max(deadline - asyncio.get_running_loop().time(), 0)
        done, _ = await asyncio.wait({self.pending}, timeout=timeout)
        if not done:
            return _TIMEOUT
        fut, self.pending = self.pending, None
        return fut.result()

    async def _anext(self) -> Any:
        try:
            return await self.stream.channel.__anext__()
        except StopAsyncIteration:
            return _END


async def take(
    stream: Stream[Any], max_: int, within: Optional[Any]
) -> AsyncIterator[list[Any]]:
    """Yield batches of up to ``max_`` values (see :meth:`Stream.take`)."""
    if max_ < 1:
        raise ValueError("take(max_) must be at least 1")
    timeout = want_seconds(within) if within else None
    await stream.maybe_start()
    loop = asyncio.get_running_loop()
    puller = _Puller(stream)
    buffer: list[Any] = []
    pending: list[tuple[Any, Any]] = []
    deadline: Optional[float] = None
    while not stream.should_stop:
        item = await puller.next(deadline if buffer else None)
        if item is _END:
            if not buffer:
                break
        elif item is not _TIMEOUT:
            state = stream._sensor_in(item)
            value = await stream._process(item)
            if value is SKIP:
                stream._ack_item(item, state)
                continue
            if not buffer and timeout is not None:
                deadline = loop.time() + timeout
            buffer.append(value)
            pending.append((item, state))
            if len(buffer) < max_:
                continue
        if buffer:
            batch, buffer = buffer, []
            acks, pending = pending, []
            try:
                yield batch
            finally:
                if stream.enable_acks:
                    for event, state in acks:
                        stream._ack_item(event, state)
        if item is _END:
            break


async def _forward(value: Any, event: Optional[EventT[Any]], channel: ChannelT[Any]) -> None:
    if event is not None:
        await event.forward(channel)
    else:
        await channel.send(value=value)


def _resolve(stream: Stream[Any], channel: Union[str, ChannelT[Any]]) -> ChannelT[Any]:
    return stream.derive_topic(channel) if isinstance(channel, str) else channel


def _check_chainable(stream: Stream[Any], what: str) -> None:
    if stream.concurrency_index is not None:
        raise ImproperlyConfigured(
            f"Agent with concurrency>1 cannot use stream.{what}: "
            "repartitioning needs a single reader per partition"
        )
    if stream._next is not None:
        raise ImproperlyConfigured(
            f"Cannot use stream.{what}: this stream is already chained "
            "(group_by/through can be used once per stream)"
        )


def through(stream: Stream[Any], channel: Union[str, ChannelT[Any]]) -> Stream[Any]:
    """Forward every event to ``channel``; return the stream reading it."""
    _check_chainable(stream, "through")
    target = _resolve(stream, channel)
    target_it = target.__aiter__()

    async def forward(value: Any) -> Any:
        await _forward(value, stream.current_event, target)
        return value

    stream.add_processor(forward)
    downstream = stream._chain(channel=target_it, processors=[], on_start=None)
    stream._enable_passive(downstream)
    return downstream


def echo_processor(
    stream: Stream[Any], channels: Sequence[Union[str, ChannelT[Any]]]
) -> Callable[[Any], Any]:
    """A processor sending every value to all ``channels`` concurrently."""
    targets = [_resolve(stream, c) for c in channels]

    async def echo(value: Any) -> Any:
        await asyncio.gather(*(t.send(value=value) for t in targets))
        return value

    return echo


def _key_getter(key: Any) -> Callable[[Any], Any]:
    if isinstance(key, FieldDescriptorT):
        return key.getattr
    if callable(key):
        return cast(Callable[[Any], Any], key)
    raise TypeError(f"group_by key must be a field or a function, not {key!r}")


def _repartition_topic(
    stream: Stream[Any], name: str, partitions: Optional[int]
) -> TopicT[Any]:
    source = stream.channel
    if not isinstance(source, TopicT):
        raise ImproperlyConfigured("group_by needs a stream that reads a topic")
    prefix = ""
    if stream.prefix and not source.has_prefix:
        prefix = f"{stream.prefix}-"
    return source.derive_topic(
        prefix=prefix,
        suffix=f"-{name}-repartition",
        partitions=partitions or stream.app.conf.topic_partitions,
        internal=True,
    )


def group_by(
    stream: Stream[Any],
    key: Any,
    *,
    name: Optional[str] = None,
    topic: Optional[TopicT[Any]] = None,
    partitions: Optional[int] = None,
) -> Stream[Any]:
    """Repartition ``stream`` by a new key (see :meth:`Stream.group_by`)."""
    if not name:
        if isinstance(key, FieldDescriptorT):
            name = key.ident
        else:
            raise TypeError(
                "group_by with a function needs name=: it names the repartition topic"
            )
    _check_chainable(stream, "group_by")
    get_key = _key_getter(key)
    target: ChannelT[Any] = topic if topic is not None else _repartition_topic(
        stream, name, partitions
    )
    target_it = target.__aiter__()

    async def repartition(value: Any) -> Any:
        event = stream.current_event
        if event is None:
            raise RuntimeError("group_by needs events: the stream must read a topic")
        try:
            new_key = get_key(value)
            if inspect.isawaitable(new_key):
                new_key = await new_key
        except Exception:
            logger.exception(
                "group_by %s: cannot compute the key of %r at %s@%s: event skipped",
                name,
                value,
                event.message.tp,
                event.message.offset,
            )
            raise Skip() from None
        await event.forward(target, key=new_key)
        return value

    stream.add_processor(repartition)
    downstream = stream._chain(channel=target_it, processors=[], on_start=None)
    stream._enable_passive(downstream)
    return downstream


def join(stream: Stream[Any], kind: str, fields: Sequence[Any]) -> StreamT[Any]:
    """Stream joins are not available in this release."""
    raise ImproperlyConfigured(
        f"Stream {kind} joins are not available yet; "
        "look up a table inside the agent to enrich events instead"
    )
