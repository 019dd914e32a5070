"""Stream: the async iterator an agent loops over.

Data flow: the conductor puts one :class:`~faust.events.Event` per message
into the queue of the stream's channel subscription; the stream takes events
from that queue, runs the processors, sets :func:`faust.current_event` and
yields the value. When the loop advances (or the body raises, or the stream
stops) the event is acked, which releases the stream's reference on the
message so its offset can be committed.

Owner: the agent actor (or whoever iterates the stream). Children: the
upstream stream of a ``group_by``/``through`` chain, drained in the
background while this one is iterated. Tasks: none of its own; the passive
drain is a future added by the downstream stream.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import typing
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Optional, Union, cast

from mode import Seconds, Service

from .._context import set_current_event
from ..exceptions import Skip
from ..types import TP, AppT, ChannelT, EventT, JoinT, K, Processor, StreamT, TopicT
from ..types.streams import JoinableT, T_co
from ..utils.queues import EventQueue
from .combine import release_subscription, stop_combined, stream_label
from .hooks import (
    _EMPTY,
    _EVENT_TYPES,
    _PLAIN_TYPES,
    _flag,
    _is_awaitable,
    _no_hook,
    _nothing_buffered,
    _stream_hooks,
    is_event,
)

if typing.TYPE_CHECKING:  # pragma: no cover
    from ..types.models import ModelArg
    from ..types.serializers import SchemaT

__all__ = ["Stream", "SKIP", "is_event"]

#: Returned by the processing step when a processor raised :exc:`Skip`.
SKIP: Any = object()

#: Longest time (seconds) a stream processes buffered events without letting
#: other tasks of the event loop run.
_LOOP_TURN_INTERVAL = 0.05


class Stream(StreamT[T_co], Service):
    """A stream of values from a channel, with processors and operators.

    Arguments:
        channel: an iterator clone of a channel, or any async iterator.
        app: the app.
        processors: functions applied to every value, in order.
        enable_acks: False to leave acking to the user (see :meth:`noack`).

    Example:
        >>> async for value in app.stream(topic):
        ...     print(value)
    """

    mundane_level = "debug"
    _passive: bool = False
    _next: Optional[Stream[Any]] = None
    #: identifies the group_by/through that created ``_next``
    _chain_key: Any = None

    def __init__(
        self,
        channel: AsyncIterator[T_co],
        *,
        app: AppT,
        processors: Optional[Iterable[Processor[Any]]] = None,
        combined: Optional[list[JoinableT]] = None,
        on_start: Optional[Callable[..., Any]] = None,
        join_strategy: Optional[JoinT] = None,
        beacon: Optional[Any] = None,
        concurrency_index: Optional[int] = None,
        prev: Optional[StreamT[Any]] = None,
        active_partitions: Optional[set[TP]] = None,
        enable_acks: bool = True,
        prefix: str = "",
        owns_channel: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        Service.__init__(self, beacon=cast(Any, beacon), loop=loop)
        self.app = app
        self.channel = channel
        self._processors: list[Processor[Any]] = list(processors or ())
        self._on_start = on_start
        self.join_strategy = join_strategy
        self.combined = combined if combined is not None else []
        #: callbacks run when the stream stops (combine's subscriptions)
        self._detach: list[Callable[[], None]] = []
        if owns_channel:  # app.stream(topic) subscribed for this stream only
            self._detach.append(lambda: release_subscription(self))
        self.concurrency_index = concurrency_index
        self._prev = cast(Optional["Stream[Any]"], prev)
        self.active_partitions = active_partitions
        self.enable_acks = enable_acks
        self.prefix = prefix
        self.events_total = 0
        self._current_event: Optional[EventT[Any]] = None

    # -- Chain -----------------------------------------------------------

    def get_active_stream(self) -> StreamT[Any]:
        """The last stream of a ``group_by``/``through`` chain."""
        stream: Stream[Any] = self
        seen = set()
        while stream._next is not None:
            if id(stream) in seen:
                raise RuntimeError("Loop in Stream.through chain")
            seen.add(id(stream))
            stream = stream._next
        return stream

    def get_root_stream(self) -> StreamT[Any]:
        """The first stream of a chain."""
        stream: Stream[Any] = self
        seen = set()
        while stream._prev is not None:
            if id(stream) in seen:
                raise RuntimeError("Loop in Stream.through chain")
            seen.add(id(stream))
            stream = stream._prev
        return stream

    def _chain(self, **kwargs: Any) -> Stream[Any]:
        # the downstream stream gets its own beacon: it becomes the parent of
        # this one (see _enable_passive), so it cannot be our child
        parent = getattr(self.beacon, "parent", None)
        self._next = cast(Stream[Any], self.clone(prev=self, beacon=parent, **kwargs))
        return self._next

    def clone(self, **kwargs: Any) -> StreamT[T_co]:
        """Copy this stream with changed attributes."""
        return type(self)(
            **{
                "channel": self.channel,
                "app": self.app,
                "processors": list(self._processors),
                "combined": self.combined,
                "on_start": self._on_start,
                "join_strategy": self.join_strategy,
                "beacon": self.beacon,
                "concurrency_index": self.concurrency_index,
                "prev": self._prev,
                "active_partitions": self.active_partitions,
                "enable_acks": self.enable_acks,
                "prefix": self.prefix,
                **kwargs,
            }
        )

    def noack(self) -> StreamT[T_co]:
        """A copy of this stream that never acks: call :meth:`ack` yourself."""
        self._next = cast(Stream[Any], self.clone(enable_acks=False))
        return self._next

    def info(self) -> dict[str, Any]:
        """Describe this stream (used by ``repr`` and debugging tools)."""
        return {
            "app": self.app,
            "channel": self.channel,
            "processors": self._processors,
            "on_start": self._on_start,
            "loop": self.loop,
            "combined": self.combined,
            "beacon": self.beacon,
            "concurrency_index": self.concurrency_index,
            "prev": self._prev,
            "active_partitions": self.active_partitions,
        }

    def add_processor(self, processor: Processor[Any]) -> None:
        """Add a (sync or async) function applied to every value."""
        self._processors.append(processor)

    # -- Per-item processing --------------------------------------------

    @property
    def current_event(self) -> Optional[EventT[Any]]:
        """The event being processed by this stream, if any."""
        return self._current_event

    async def _pull(self) -> Any:
        """Take the next raw item (an event, or a value of a plain iterable)."""
        return await self.channel.__anext__()

    def _queue(self) -> Optional[EventQueue[Any]]:
        queue = getattr(self.channel, "queue", None)
        return queue if isinstance(queue, EventQueue) else None

    async def _process(self, item: Any) -> Any:
        """Run sensors and processors for one item; returns the value or SKIP."""
        self.events_total += 1
        if is_event(item):
            self._current_event = item
            value = item.value
        else:
            self._current_event = None
            value = item
        if self._processors or self.join_strategy is not None:
            return await self._run_processors(self._current_event, value)
        return value

    def _ack_item(self, item: Any, state: Any) -> None:
        if is_event(item) and not item.acked:
            message = item.message
            last = item.ack()
            sensors = self.app.sensors
            sensors.on_stream_event_out(message.tp, message.offset, self, item, state)
            if last:
                sensors.on_message_out(message.tp, message.offset, message)

    def _release(self, event: EventT[Any]) -> None:
        # noack(): the user acks later; the consumer must not wait for it
        self.app.consumer.release(event.message)

    def _sensor_in(self, item: Any) -> Any:
        if is_event(item):
            message = item.message
            return self.app.sensors.on_stream_event_in(
                message.tp, message.offset, self, item
            )
        return None

    # -- Iteration ---------------------------------------------------------

    def __iter__(self) -> Any:
        raise NotImplementedError("Streams are asynchronous: use `async for`")

    def __aiter__(self) -> AsyncIterator[T_co]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:  # noqa: C901  # one frame on purpose
        # The per-event path, kept in one frame: each step moved out would
        # cost a call per event. Buffered events are taken from the queue
        # without a coroutine; only an empty queue is awaited. The sensor
        # hooks are looked up again whenever the app's sensors change.
        await self.maybe_start()
        task = asyncio.current_task()
        self.task_owner = task.get_name() if task is not None else ""
        acks = self.enable_acks
        queue = self._queue()
        next_nowait = queue.next_nowait if queue is not None else _nothing_buffered
        pull = self._pull
        processors = self._processors  # add_processor() appends to this list
        # mode's events keep their flag in ``_value``: read it, not is_set()
        stopped, crashed = _flag(self._stopped), _flag(self._crashed)
        sensors: Any = self.app.sensors
        versioned = hasattr(sensors, "stream_hooks")
        version = -1
        on_in = on_out = on_done = _no_hook
        # buffered events are taken without suspending: a busy agent gives
        # the loop a turn at least every ``_LOOP_TURN_INTERVAL`` seconds
        # (heartbeats, timers, web requests), whatever the buffer holds
        clock = time.monotonic
        turn_due = clock() + _LOOP_TURN_INTERVAL
        try:
            while not (stopped._value or crashed._value):
                if clock() >= turn_due:
                    await asyncio.sleep(0)
                    turn_due = clock() + _LOOP_TURN_INTERVAL
                item = next_nowait(_EMPTY)
                if item is _EMPTY:
                    try:
                        item = await pull()
                    except StopAsyncIteration:
                        break
                self.events_total += 1
                if version < 0 or (versioned and sensors.version != version):
                    version, (on_in, on_out, on_done) = _stream_hooks(sensors)
                if item.__class__ in _EVENT_TYPES or is_event(item):
                    event: Optional[EventT[Any]] = item
                    message = item.message
                    state = on_in(message.tp, message.offset, self, item)
                    value = item.value
                else:
                    event = state = None
                    value = item
                set_current_event(event)
                self._current_event = event
                try:
                    if processors:  # inline: no coroutine unless one is async
                        try:
                            for processor in processors:
                                value = processor(value)
                                if value.__class__ not in _PLAIN_TYPES and (
                                    _is_awaitable(value)
                                ):
                                    value = await value
                        except Skip:
                            value = SKIP
                    if self.join_strategy is not None and value is not SKIP:
                        value = await self._join(event, value)
                    if value is not SKIP:
                        yield value
                finally:
                    self._current_event = None
                    if event is None:
                        pass
                    elif acks or value is SKIP:
                        # (a skipped or failed value was never seen by the body)
                        if not event.acked:
                            message = event.message
                            last = event.ack()
                            on_out(message.tp, message.offset, self, event, state)
                            if last:
                                on_done(message.tp, message.offset, message)
                    elif event.message.tracked:
                        self._release(event)
        finally:
            set_current_event(None)
            self._on_iteration_stopped()

    async def _run_processors(self, event: Optional[EventT[Any]], value: Any) -> Any:
        try:
            for processor in self._processors:
                value = processor(value)
                if value.__class__ not in _PLAIN_TYPES and _is_awaitable(value):
                    value = await value
        except Skip:
            return SKIP
        if self.join_strategy is not None:
            return await self._join(event, value)
        return value

    async def _join(self, event: Optional[EventT[Any]], value: Any) -> Any:
        if event is None or self.join_strategy is None:
            return value
        try:
            joined = await self.join_strategy.process(event)
        except Skip:
            return SKIP
        return SKIP if joined is None else joined.value

    def _on_iteration_stopped(self) -> None:
        on_stop = getattr(self.channel, "on_stop_iteration", None)
        if on_stop is not None:
            on_stop()

    def items(self) -> AsyncIterator[tuple[K, T_co]]:
        """Iterate over ``(key, value)`` pairs."""
        return self._items()

    async def _items(self) -> AsyncIterator[tuple[K, Any]]:
        async for event in self.events():
            yield event.key, event.value

    def events(self) -> AsyncIterator[EventT[Any]]:
        """Iterate over the events (key, value, headers and message)."""
        return self._events()

    async def _events(self) -> AsyncIterator[EventT[Any]]:
        async for _ in self:
            event = self._current_event
            if event is not None:
                yield event

    def enumerate(self, start: int = 0) -> AsyncIterator[tuple[int, T_co]]:
        """Iterate over ``(index, value)`` pairs, counting from ``start``."""
        return self._enumerate(start)

    async def _enumerate(self, start: int) -> AsyncIterator[tuple[int, Any]]:
        i = start
        async for value in self:
            yield i, value
            i += 1

    async def ack(self, event: EventT[Any]) -> bool:
        """Ack an event yourself (for streams made with :meth:`noack`)."""
        return event.ack()

    async def throw(self, exc: BaseException) -> None:
        """Raise ``exc`` at the ``async for`` of this stream."""
        throw = getattr(self.channel, "throw", None)
        if throw is None:
            raise TypeError(f"Cannot throw into {self.channel!r}")
        await throw(exc)

    # -- Operators (bodies in faust.streams.operators) ---------------------

    def filter(self, fun: Processor[Any]) -> StreamT[T_co]:
        """Drop values for which ``fun`` (sync or async) is false; they are acked."""
        from .operators import filter_processor

        self.add_processor(filter_processor(fun))
        return self

    def take(
        self, max_: int, within: Optional[Seconds] = None
    ) -> AsyncIterator[list[T_co]]:
        """Iterate over batches of up to ``max_`` values.

        A batch is yielded when it is full or ``within`` seconds after its
        first value arrived; its events are acked after the loop body ends.
        Without ``within`` a batch waits until it is full.
        """
        from .operators import take

        return take(self, max_, within)

    def take_events(
        self, max_: int, within: Optional[Seconds] = None
    ) -> AsyncIterator[list[EventT[Any]]]:
        """Like :meth:`take`, yielding lists of events."""
        from .operators import take_events

        return take_events(self, max_, within)

    def noack_take(
        self, max_: int, within: Optional[Seconds] = None
    ) -> AsyncIterator[list[EventT[Any]]]:
        """Like :meth:`take_events`, but you ack the events yourself."""
        from .operators import noack_take

        return noack_take(self, max_, within)

    def take_with_timestamp(
        self, max_: int, within: Optional[Seconds], timestamp_field_name: str
    ) -> AsyncIterator[list[T_co]]:
        """Like :meth:`take`; dict values get ``timestamp_field_name`` added."""
        from .operators import take_with_timestamp

        return take_with_timestamp(self, max_, within, timestamp_field_name)

    def through(self, channel: Union[str, ChannelT[Any]]) -> StreamT[T_co]:
        """Forward every event to ``channel`` and continue from there."""
        from .operators import through

        return cast(StreamT[T_co], through(self, channel))

    def echo(self, *channels: Union[str, ChannelT[Any]]) -> StreamT[T_co]:
        """Forward every value to ``channels`` and still yield it."""
        from .operators import echo_processor

        self.add_processor(echo_processor(self, channels))
        return self

    def group_by(
        self,
        key: Any,
        *,
        name: Optional[str] = None,
        topic: Optional[TopicT[Any]] = None,
        partitions: Optional[int] = None,
    ) -> StreamT[T_co]:
        """Repartition the stream by a new key (a field or a function)."""
        from .operators import group_by

        return cast(
            StreamT[T_co],
            group_by(self, key, name=name, topic=topic, partitions=partitions),
        )

    def derive_topic(
        self,
        name: str,
        *,
        schema: Optional[SchemaT] = None,
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        prefix: str = "",
        suffix: str = "",
    ) -> TopicT[Any]:
        """Create a topic like the source topic of this stream, named ``name``."""
        channel = self.channel
        if isinstance(channel, TopicT):
            return channel.derive_topic(
                topics=[name],
                schema=schema,
                key_type=key_type,
                value_type=value_type,
                prefix=prefix,
                suffix=suffix,
            )
        raise ValueError("Cannot derive topic from non-topic channel.")

    # -- Joins (see faust.joins) -----------------------------------------

    def combine(self, *nodes: JoinableT, **kwargs: Any) -> StreamT[Any]:
        """One stream of the events of this stream and of ``nodes``.

        ``nodes`` are other streams, topics or channels; ``a & b`` is
        ``a.combine(a, b)``. See :mod:`faust.streams.combine`.
        """
        from .combine import combine

        return combine(self, nodes)

    def join(self, *fields: Any, **options: Any) -> StreamT[Any]:
        """Inner join with a table or, ``within`` a window, another stream.

        Options: ``key``, ``within``, ``grace`` (see :mod:`faust.streams.joins`).
        """
        from .joins import join

        return join(self, "inner", fields, **options)

    def left_join(self, *fields: Any, **options: Any) -> StreamT[Any]:
        """Left join: unmatched values are paired with None (see :meth:`join`)."""
        from .joins import join

        return join(self, "left", fields, **options)

    def inner_join(self, *fields: Any, **options: Any) -> StreamT[Any]:
        """Same as :meth:`join`."""
        from .joins import join

        return join(self, "inner", fields, **options)

    def outer_join(self, *fields: Any, **options: Any) -> StreamT[Any]:
        """Outer stream-stream join: unmatched values of both sides too."""
        from .joins import join

        return join(self, "outer", fields, **options)

    def __and__(self, other: Any) -> Any:
        return self.combine(self, other)

    # -- Service -----------------------------------------------------------

    async def on_start(self) -> None:
        """Run the ``on_start`` callback given at construction."""
        if self._on_start is not None:
            result = self._on_start()
            if inspect.isawaitable(result):
                await result

    async def stop(self) -> None:
        """Stop this stream, every stream of its chain and the streams it combines."""
        for stream in self._chain_members():
            await Service.stop(stream)
        await stop_combined(self)

    def _chain_members(self) -> list[Stream[Any]]:
        members: list[Stream[Any]] = []
        s: Optional[Stream[Any]] = cast(Stream[Any], self.get_root_stream())
        while s is not None:
            members.append(s)
            s = s._next
        return members

    def _enable_passive(self, downstream: Stream[Any]) -> None:
        """Drain this stream in the background while ``downstream`` is iterated.

        ``downstream`` starts it as its child; the drain is a future of it.
        """
        self._passive = True
        downstream.add_dependency(self)

    async def on_stop(self) -> None:
        """Remove the subscriptions made for this stream (its own, combine's)."""
        for detach in self._detach:
            detach()
        self._detach.clear()

    async def on_started(self) -> None:
        """Start draining in the background if this is an upstream stream."""
        if self._passive:
            self.add_future(self._drain())

    async def _drain(self) -> None:
        async for _ in self:
            pass

    def _repr_info(self) -> str:
        return repr(self.channel)

    @property
    def label(self) -> str:
        """``Stream: Topic: orders``, with every source if combined (cached)."""
        label = self.__dict__.get("_label")
        if label is None:
            label = self.__dict__["_label"] = stream_label(self)
        return label

    @property
    def shortlabel(self) -> str:
        """Same as :attr:`label` (read by the Monitor for every event)."""
        label = self.__dict__.get("_label")
        return label if label is not None else self.label

    def __next__(self) -> Any:  # pragma: no cover - sync iteration is an error
        raise NotImplementedError("Streams are asynchronous: use `async for`")
