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
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from mode import want_seconds

from ..exceptions import ImproperlyConfigured, Skip
from ..types import ChannelT, EventT, FieldDescriptorT, TopicT
from ..utils.queues import EventQueue
from .hooks import _PLAIN_TYPES, _is_awaitable
from .stream import SKIP, is_event

if TYPE_CHECKING:  # pragma: no cover
    from .stream import Stream

__all__ = [
    "take_events",
    "noack_take",
    "take_with_timestamp",
    "filter_processor",
    "take",
    "through",
    "echo_processor",
    "group_by",
]

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

    async def _from_queue(
        self, queue: EventQueue[Any], deadline: Optional[float]
    ) -> Any:
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
        if deadline is None and self.pending is None:
            return await self._anext()
        # a pending __anext__ is kept across timeouts: cancelling it would
        # end the source iterator. It belongs to this take() and is
        # cancelled by close() when the batch loop ends.
        if self.pending is None:
            self.pending = asyncio.ensure_future(self._anext())
        timeout = None
        if deadline is not None:
            timeout = max(deadline - asyncio.get_running_loop().time(), 0)
        done, _ = await asyncio.wait({self.pending}, timeout=timeout)
        if not done:
            return _TIMEOUT
        fut, self.pending = self.pending, None
        return fut.result()

    def close(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    async def _anext(self) -> Any:
        try:
            return await self.stream.channel.__anext__()
        except StopAsyncIteration:
            return _END


class _Batch:
    """The values (and events to ack) of the batch being filled by take()."""

    def __init__(
        self,
        stream: Stream[Any],
        max_: int,
        timeout: Optional[float],
        collect: Callable[[Any, Any], Any],
        acks: bool,
    ):
        self.stream = stream
        self.max_ = max_
        self.timeout = timeout
        self.collect = collect
        self.enable_acks = acks
        self.values: list[Any] = []
        self.acks: list[tuple[Any, Any]] = []
        self.deadline: Optional[float] = None

    async def add(self, item: Any) -> None:
        stream = self.stream
        state = stream._sensor_in(item)
        value = await stream._process(item)
        if value is SKIP:
            stream._ack_item(item, state)
            return
        if not self.values and self.timeout is not None:
            self.deadline = asyncio.get_running_loop().time() + self.timeout
        self.values.append(self.collect(item, value))
        self.acks.append((item, state))

    @property
    def full(self) -> bool:
        return len(self.values) >= self.max_

    def take_out(self) -> tuple[list[Any], list[tuple[Any, Any]]]:
        values, acks = self.values, self.acks
        self.values, self.acks, self.deadline = [], [], None
        return values, acks

    def ack(self, acks: list[tuple[Any, Any]]) -> None:
        """Ack (or release) the events of a yielded batch, once."""
        stream = self.stream
        taken = list(acks)
        acks.clear()  # the loop body's exit and the stream's stop both call this
        if self.enable_acks and stream.enable_acks:
            for item, state in taken:
                stream._ack_item(item, state)
        else:
            for item, _ in taken:
                if is_event(item) and item.message.tracked:
                    stream._release(item)


def _value(item: Any, value: Any) -> Any:
    return value


def _event(item: Any, value: Any) -> Any:
    return item


async def take(
    stream: Stream[Any],
    max_: int,
    within: Optional[Any],
    *,
    collect: Callable[[Any, Any], Any] = _value,
    acks: bool = True,
) -> AsyncIterator[list[Any]]:
    """Yield batches of up to ``max_`` values (see :meth:`Stream.take`).

    Events of a batch are acked once the loop body that received it ends,
    or when the stream stops (a loop left with ``break`` closes the generator
    only when it is garbage collected). Values still waiting in an
    unfinished batch when the stream stops are not acked: their offsets stay
    uncommitted and they are read again.
    """
    if max_ < 1:
        raise ValueError("take(max_) must be at least 1")
    await stream.maybe_start()
    puller = _Puller(stream)
    timeout = want_seconds(within) if within else None
    batch = _Batch(stream, max_, timeout, collect, acks)
    try:
        while not stream.should_stop:
            item = await puller.next(batch.deadline if batch.values else None)
            if item is not _END and item is not _TIMEOUT:
                await batch.add(item)
                if not batch.full:
                    continue
            if batch.values:
                values, done = batch.take_out()
                # Leaving the loop early closes this generator only when it
                # is collected: the stream's stop acks the batch meanwhile.
                release = partial(batch.ack, done)
                stream._detach.append(release)
                try:
                    yield values
                finally:
                    batch.ack(done)
                    if release in stream._detach:
                        stream._detach.remove(release)
            if item is _END:
                break
    finally:
        puller.close()


def take_events(
    stream: Stream[Any], max_: int, within: Optional[Any]
) -> AsyncIterator[list[Any]]:
    """Batches of events (acked after the loop body)."""
    return take(stream, max_, within, collect=_event)


def noack_take(
    stream: Stream[Any], max_: int, within: Optional[Any]
) -> AsyncIterator[list[Any]]:
    """Batches of events that the caller acks (``event.ack()``)."""
    return take(stream, max_, within, collect=_event, acks=False)


def take_with_timestamp(
    stream: Stream[Any], max_: int, within: Optional[Any], timestamp_field_name: str
) -> AsyncIterator[list[Any]]:
    """Batches of values; dict values get the message timestamp added."""

    def collect(item: Any, value: Any) -> Any:
        if isinstance(value, dict) and is_event(item):
            value[timestamp_field_name] = item.message.timestamp
        return value

    return take(stream, max_, within, collect=collect)


async def _forward(
    value: Any, event: Optional[EventT[Any]], channel: ChannelT[Any]
) -> None:
    if event is not None:
        await event.forward(channel)
    else:
        await channel.send(value=value)


def _resolve(stream: Stream[Any], channel: Union[str, ChannelT[Any]]) -> ChannelT[Any]:
    return stream.derive_topic(channel) if isinstance(channel, str) else channel


def _existing_chain(stream: Stream[Any], what: str, key: Any) -> Optional[Stream[Any]]:
    """The downstream stream if this same operation was already applied.

    An agent restarted after a crash runs its function again on the same
    stream: ``group_by``/``through`` then continue where they were.
    """
    if stream.concurrency_index is not None:
        raise ImproperlyConfigured(
            f"Agent with concurrency>1 cannot use stream.{what}: "
            "repartitioning needs a single reader per partition"
        )
    if stream._next is None:
        return None
    if stream._chain_key == key:
        return stream._next
    raise ImproperlyConfigured(
        f"Cannot use stream.{what}: this stream is already chained "
        "(group_by/through can be used once per stream)"
    )


def through(stream: Stream[Any], channel: Union[str, ChannelT[Any]]) -> Stream[Any]:
    """Forward every event to ``channel``; return the stream reading it."""
    key = ("through", channel if isinstance(channel, str) else id(channel))
    existing = _existing_chain(stream, "through", key)
    if existing is not None:
        return existing
    target = _resolve(stream, channel)
    target_it = target.__aiter__()

    async def forward(value: Any) -> Any:
        await _forward(value, stream.current_event, target)
        return value

    stream.add_processor(forward)
    downstream = stream._chain(channel=target_it, processors=[], on_start=None)
    stream._chain_key = key
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


def _rekey_in_place(
    stream: Stream[Any], get_key: Callable[[Any], Any], name: str, chain_key: Any
) -> Stream[Any]:
    """``group_by`` of a stream over an in-memory channel (``test_context()``).

    A channel has no partitions to move events between: each event gets its
    new key and stays in this stream, so offsets, acks and the test
    wrapper's results are those of the events put in.
    """
    if stream._chain_key == chain_key:
        return stream  # the agent restarted: the processor is already there

    async def rekey(value: Any) -> Any:
        event = stream.current_event
        new_key = get_key(value)
        if new_key.__class__ not in _PLAIN_TYPES and _is_awaitable(new_key):
            new_key = await new_key
        if event is not None:
            event.key = new_key
        return value

    stream.add_processor(rekey)
    stream._chain_key = chain_key
    return stream


def _key_failed(name: str, value: Any, event: EventT[Any]) -> None:
    logger.exception(
        "group_by %s: cannot compute the key of %r at %s@%s: event skipped",
        name,
        value,
        event.message.tp,
        event.message.offset,
    )


def _repartitioner(
    stream: Stream[Any],
    target: ChannelT[Any],
    get_key: Callable[[Any], Any],
    name: str,
) -> Callable[[Any], Any]:
    """The processor of a ``group_by``: sends each event on with its new key."""
    # a Topic sends without a coroutine when its producer takes the message
    send_or_wait: Optional[Callable[..., Any]] = getattr(target, "send_or_wait", None)

    async def rekeyed_later(value: Any, event: EventT[Any], new_key: Any) -> Any:
        try:
            new_key = await new_key
        except Exception:
            _key_failed(name, value, event)
            raise Skip() from None
        message = event.message
        await target.send(key=new_key, value=message.value, headers=message.headers)
        return value

    async def sent_later(value: Any, sending: Awaitable[Any]) -> Any:
        await sending
        return value

    def repartition(value: Any) -> Any:
        # a plain function: no coroutine per event unless something waits
        event = stream._current_event
        if event is None:
            raise RuntimeError("group_by needs events: the stream must read a topic")
        try:
            new_key = get_key(value)
        except Exception:
            _key_failed(name, value, event)
            raise Skip() from None
        if new_key.__class__ not in _PLAIN_TYPES and _is_awaitable(new_key):
            return rekeyed_later(value, event, new_key)
        # event.forward(target, key=new_key), without its two extra frames:
        # the original value bytes and headers go on unchanged
        message = event.message
        if send_or_wait is not None:
            sending = send_or_wait(new_key, message.value, message.headers)
        else:
            sending = target.send(
                key=new_key, value=message.value, headers=message.headers
            )
        return value if sending is None else sent_later(value, sending)

    return repartition


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
    chain_key = (
        "group_by",
        name,
        topic.get_topic_name() if topic is not None else None,
    )
    if topic is None and not isinstance(stream.channel, TopicT):
        return _rekey_in_place(stream, _key_getter(key), name, chain_key)
    existing = _existing_chain(stream, "group_by", chain_key)
    if existing is not None:
        return existing
    get_key = _key_getter(key)
    target: ChannelT[Any] = (
        topic if topic is not None else _repartition_topic(stream, name, partitions)
    )
    target_it = target.__aiter__()
    repartition = _repartitioner(stream, target, get_key, name)

    stream.add_processor(repartition)
    downstream = stream._chain(channel=target_it, processors=[], on_start=None)
    stream._chain_key = chain_key
    stream._enable_passive(downstream)
    return downstream
