"""Joins: enrich a stream from a table, or join two streams within a window.

Faust declares ``stream.join()`` and the ``faust.joins`` classes but never
implemented them. Here they work:

``stream.join(table, key=None)`` / ``stream.left_join(table, key=None)``
    Each value is paired with the table's value for its key (the event key,
    or ``key(value)`` / a field descriptor): the stream yields
    ``(value, table_value)``. An inner join skips values whose key is not in
    the table; a left join yields ``(value, None)``. The stream must be
    partitioned like the table (same key, same partition count), so every
    key it looks up is held by this worker.

``stream.join(other, within=seconds, key=None, grace=0)``
    (also ``left_join``, ``outer_join``.) A windowed stream-stream join on
    the key, by event time, with Kafka Streams' semantics: a value of each
    side is paired with every value of the other side whose timestamp is at
    most ``within`` seconds away. The stream yields ``(left, right)``.

    Windows close by *stream time*: per partition, the newest timestamp seen
    on either side, so an idle side does not hold the other one back. A
    value arriving more than ``within + grace`` seconds behind stream time
    is late: it can no longer be joined reliably, and is dropped (acked,
    counted in ``late``, logged at most once a minute). A kept value leaves
    the window when no value that is not late could still pair with it:
    once stream time is more than ``2 * within + grace`` past it. Left
    (outer) joins then yield ``(left, None)`` (and ``(None, right)``) for
    values that never matched. So the window holds at most ``2 * within +
    grace`` seconds of event time per partition, and events are acked when
    they leave it: offsets are committed as stream time moves on, and after
    a crash the window is rebuilt from the broker (no pair is lost; pairs
    may be produced twice).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any, Optional

from mode import want_seconds

from ..exceptions import ImproperlyConfigured, Skip
from ..types import AppT, ChannelT, FieldDescriptorT, StreamT, TableT
from ..utils.queues import EventQueue
from .stream import Stream

__all__ = ["JoinedStream", "WindowJoinState", "join"]

logger = logging.getLogger(__name__)

LEFT = 0
RIGHT = 1
#: Seconds between two warnings about late values of one join.
LATE_LOG_INTERVAL = 60.0

KeyArg = Optional[Any]


def _key_function(key: KeyArg) -> Optional[Callable[[Any], Any]]:
    if key is None:
        return None
    if isinstance(key, FieldDescriptorT):
        return key.getattr
    if callable(key):
        return key  # type: ignore[no-any-return]  # any callable of the value
    raise TypeError(f"join key must be a field or a function, not {key!r}")


def join(
    stream: Stream[Any],
    kind: str,
    nodes: tuple[Any, ...],
    *,
    key: KeyArg = None,
    within: Optional[Any] = None,
    grace: Any = 0.0,
) -> StreamT[Any]:
    """Join ``stream`` with a table or another stream (see the module doc)."""
    if len(nodes) != 1 or isinstance(nodes[0], FieldDescriptorT):
        raise ImproperlyConfigured(
            f"stream.{kind}_join takes one table or stream: "
            "stream.join(table, key=Model.field) or "
            "stream.join(other_stream, within=seconds)"
        )
    (other,) = nodes
    if isinstance(other, TableT):
        if kind not in ("inner", "left"):
            raise ImproperlyConfigured("a stream-table join is inner or left")
        return _table_join(stream, other, kind, _key_function(key))
    if within is None:
        raise ImproperlyConfigured(
            "a stream-stream join needs within=: the window, in seconds"
        )
    return JoinedStream.between(
        stream,
        other,
        kind=kind,
        within=want_seconds(within),
        key=key,
        grace=want_seconds(grace),
    )


def _table_join(
    stream: Stream[Any],
    table: TableT,
    kind: str,
    get_key: Optional[Callable[[Any], Any]],
) -> Stream[Any]:
    async def enrich(value: Any) -> Any:
        if get_key is not None:
            key = get_key(value)
        else:
            event = stream.current_event
            key = event.key if event is not None else None
        if key in table:
            return value, table[key]
        if kind == "inner":
            raise Skip()
        return value, None

    stream.add_processor(enrich)
    return stream


class _Entry:
    __slots__ = ("side", "key", "timestamp", "value", "event", "matched", "late")

    def __init__(
        self, side: int, key: Any, timestamp: float, value: Any, event: Any
    ) -> None:
        self.side = side
        self.key = key
        self.timestamp = timestamp
        self.value = value
        self.event = event
        self.matched = False
        self.late = False


class WindowJoinState:
    """The two windows of a stream-stream join (pure logic, no I/O).

    Arguments:
        within: the most seconds two paired values may be apart.
        kind: ``inner``, ``left`` or ``outer``.
        grace: seconds a value may arrive behind stream time and still join.
    """

    def __init__(self, within: float, kind: str, grace: float = 0.0) -> None:
        if kind not in ("inner", "left", "outer"):
            raise ImproperlyConfigured(f"unknown join kind {kind!r}")
        if within < 0 or grace < 0:
            raise ImproperlyConfigured(
                f"join within= and grace= must not be negative ({within}, {grace})"
            )
        self.within = within
        self.grace = grace
        self.kind = kind
        self.sides: tuple[dict[Any, list[_Entry]], dict[Any, list[_Entry]]] = (
            defaultdict(list),
            defaultdict(list),
        )
        #: per partition: the newest timestamp seen on either side
        self.stream_time: dict[int, float] = {}
        self._expiry: dict[int, list[tuple[float, int, _Entry]]] = defaultdict(list)
        self._seq = itertools.count()
        #: values dropped because they arrived after their window closed
        self.late = 0

    def add(
        self,
        side: int,
        key: Any,
        timestamp: float,
        value: Any,
        event: Any = None,
        partition: int = 0,
    ) -> tuple[list[tuple[Any, Any]], list[_Entry]]:
        """Add a value; returns the pairs it produced and the entries now done.

        The done entries left the window (ack their events); a late value is
        done at once (its entry has ``late`` set) and pairs with nothing.
        """
        entry = _Entry(side, key, timestamp, value, event)
        now = max(self.stream_time.get(partition, -math.inf), timestamp)
        self.stream_time[partition] = now
        if timestamp < now - self.within - self.grace:
            entry.late = True
            self.late += 1
            return [], [entry]
        pairs: list[tuple[Any, Any]] = []
        for other in self.sides[1 - side].get(key, ()):
            if abs(other.timestamp - timestamp) <= self.within:
                other.matched = entry.matched = True
                pairs.append(
                    (value, other.value) if side == LEFT else (other.value, value)
                )
        self.sides[side][key].append(entry)
        heapq.heappush(self._expiry[partition], (timestamp, next(self._seq), entry))
        expired = self._expire(partition)
        pairs.extend(self._unmatched(expired))
        return pairs, expired

    def horizon(self, partition: int) -> float:
        """Values of ``partition`` older than this can pair with nothing more."""
        now = self.stream_time.get(partition, -math.inf)
        return now - 2 * self.within - self.grace

    def _expire(self, partition: int) -> list[_Entry]:
        horizon = self.horizon(partition)
        expired: list[_Entry] = []
        heap = self._expiry[partition]
        while heap and heap[0][0] < horizon:
            _, _, entry = heapq.heappop(heap)
            bucket = self.sides[entry.side][entry.key]
            bucket.remove(entry)
            if not bucket:
                del self.sides[entry.side][entry.key]
            expired.append(entry)
        return expired

    def _unmatched(self, expired: list[_Entry]) -> list[tuple[Any, Any]]:
        pairs: list[tuple[Any, Any]] = []
        for entry in expired:
            if entry.matched:
                continue
            if entry.side == LEFT and self.kind in ("left", "outer"):
                pairs.append((entry.value, None))
            elif entry.side == RIGHT and self.kind == "outer":
                pairs.append((None, entry.value))
        return pairs

    def __len__(self) -> int:
        return sum(len(heap) for heap in self._expiry.values())


class JoinedStream(Stream[Any]):
    """The stream of pairs of a windowed stream-stream join."""

    _sides: tuple[Any, Any]
    _state: WindowJoinState
    _key: Optional[Callable[[Any], Any]]

    _late_logged_at: float = -LATE_LOG_INTERVAL
    #: Seconds to wait for a side with nothing buffered before taking the
    #: other side's events (Kafka Streams' ``max.task.idle.ms``).
    idle_wait: float = 0.1

    @classmethod
    def between(
        cls,
        left: Stream[Any],
        right: Any,
        *,
        kind: str,
        within: float,
        key: KeyArg,
        grace: float = 0.0,
    ) -> JoinedStream:
        """The join of ``left`` (a stream) with a stream, topic or channel."""
        app: AppT = left.app
        right_channel = right.channel if isinstance(right, StreamT) else right
        if not isinstance(right_channel, ChannelT) and not hasattr(
            right_channel, "__anext__"
        ):
            raise ImproperlyConfigured(f"cannot join a stream with {right!r}")
        merged = _Merge(app.conf.stream_buffer_maxsize, cls.idle_wait)
        joined = cls(channel=_MergedChannel(merged), app=app, prefix=left.prefix)
        joined._sides = (left.channel, right_channel.__aiter__())
        joined._state = WindowJoinState(within, kind, grace)
        joined._key = _key_function(key)
        return joined

    async def on_start(self) -> None:
        """Pump both sides into their queues of the merge."""
        await super().on_start()
        for side, channel in enumerate(self._sides):
            self.add_future(self._pump(side, channel))

    async def _pump(self, side: int, channel: Any) -> None:
        merge = self.channel.merge  # type: ignore[attr-defined]  # _MergedChannel
        while not self.should_stop:
            event = await channel.__anext__()
            await merge.put(side, event)

    async def _iterate(self) -> AsyncIterator[Any]:
        await self.maybe_start()
        merge = self.channel.merge  # type: ignore[attr-defined]  # _MergedChannel
        get_key = self._key
        state = self._state
        while not self.should_stop:
            side, event = await merge.next()
            value = event.value
            key = get_key(value) if get_key is not None else event.key
            message = event.message
            pairs, expired = state.add(
                side, key, message.timestamp, value, event, message.partition
            )
            self._current_event = event
            if message.tracked:
                # held in the window on purpose: shutdown must not wait for it
                self._release(event)
            for pair in pairs:
                yield pair
            for entry in expired:
                if entry.late:
                    self._on_late(entry)
                self._ack_item(entry.event, None)
        self._current_event = None

    def _on_late(self, entry: _Entry) -> None:
        now = time.monotonic()
        if now - self._late_logged_at < LATE_LOG_INTERVAL:
            return
        self._late_logged_at = now
        state = self._state
        behind = state.stream_time.get(entry.event.message.partition, 0.0)
        logger.warning(
            "Stream-stream join dropped a value that arrived after its window "
            "closed (timestamp %s, %s seconds behind stream time; %d so far). "
            "Raise grace= (now %s) to join values that late.",
            entry.timestamp,
            round(behind - entry.timestamp, 3),
            state.late,
            state.grace,
        )


class _Merge:
    """Both sides of a join, read in timestamp order (as Kafka Streams does).

    Each side has its own bounded queue, filled by a pump. The next event is
    the older of the two sides' first events. When only one side has events
    buffered, the merge waits up to ``idle_wait`` seconds for the other
    before taking them, and waits no more for that side until it delivers
    again (an idle side does not slow the other one down).
    """

    def __init__(self, maxsize: int, idle_wait: float) -> None:
        self.queues: tuple[EventQueue[Any], EventQueue[Any]] = (
            EventQueue(maxsize),
            EventQueue(maxsize),
        )
        self.idle_wait = idle_wait
        self.idle = [False, False]
        self.arrived = asyncio.Event()

    async def put(self, side: int, event: Any) -> None:
        await self.queues[side].put(event)
        self.idle[side] = False
        self.arrived.set()

    async def next(self) -> tuple[int, Any]:
        left, right = self.queues
        deadline: Optional[float] = None
        while True:
            first, second = left.peek(), right.peek()
            if first is not None and second is not None:
                older = first.message.timestamp <= second.message.timestamp
                side = LEFT if older else RIGHT
            elif first is None and second is None:
                await self._arrival(None)
                continue
            else:
                side = LEFT if first is not None else RIGHT
                if not self.idle[1 - side]:
                    loop = asyncio.get_running_loop()
                    if deadline is None:
                        deadline = loop.time() + self.idle_wait
                    remaining = deadline - loop.time()
                    if remaining > 0:
                        await self._arrival(remaining)
                        continue
                    self.idle[1 - side] = True
            return side, self.queues[side].get_nowait()

    async def _arrival(self, timeout: Optional[float]) -> None:
        self.arrived.clear()
        try:
            await asyncio.wait_for(self.arrived.wait(), timeout)
        except asyncio.TimeoutError:
            pass


class _MergedChannel:
    """The channel of a join's stream: its merge of both sides."""

    def __init__(self, merge: _Merge) -> None:
        self.merge = merge

    async def __anext__(self) -> Any:
        return (await self.merge.next())[1]

    def __aiter__(self) -> _MergedChannel:
        return self

    def __str__(self) -> str:
        return "<join>"
