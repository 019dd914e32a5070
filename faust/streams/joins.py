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

``stream.join(other, within=seconds, key=None)`` (also ``left_join``,
``outer_join``)
    A windowed stream-stream join on the key, by event time: a value of
    each side is paired with every value of the other side whose timestamp
    is at most ``within`` seconds away. The stream yields ``(left, right)``.
    Left (outer) joins also yield ``(left, None)`` (and ``(None, right)``)
    for values that leave the window unmatched. A value leaves the window
    once *both* sides have reached ``within`` seconds past it in event time
    (so a side that lags or subscribes late does not lose its matches).
    Events are acked only when they leave the window, so after a crash the
    window is rebuilt from the broker: no pair is lost (pairs may be
    produced twice).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any, Optional

from mode import want_seconds

from ..exceptions import ImproperlyConfigured, Skip
from ..types import AppT, ChannelT, FieldDescriptorT, StreamT, TableT
from ..utils.queues import EventQueue
from .stream import Stream

__all__ = ["JoinedStream", "WindowJoinState", "join"]

LEFT = 0
RIGHT = 1

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
        stream, other, kind=kind, within=want_seconds(within), key=key
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
    __slots__ = ("side", "key", "timestamp", "value", "event", "matched")

    def __init__(
        self, side: int, key: Any, timestamp: float, value: Any, event: Any
    ) -> None:
        self.side = side
        self.key = key
        self.timestamp = timestamp
        self.value = value
        self.event = event
        self.matched = False


class WindowJoinState:
    """The two windows of a stream-stream join (pure logic, no I/O).

    Arguments:
        within: the most seconds two paired values may be apart.
        kind: ``inner``, ``left`` or ``outer``.
    """

    def __init__(self, within: float, kind: str) -> None:
        if kind not in ("inner", "left", "outer"):
            raise ImproperlyConfigured(f"unknown join kind {kind!r}")
        self.within = within
        self.kind = kind
        self.sides: tuple[dict[Any, list[_Entry]], dict[Any, list[_Entry]]] = (
            defaultdict(list),
            defaultdict(list),
        )
        #: newest timestamp seen on each side
        self.seen = [-math.inf, -math.inf]
        self._expiry: list[tuple[float, int, _Entry]] = []
        self._seq = itertools.count()

    def add(
        self, side: int, key: Any, timestamp: float, value: Any, event: Any = None
    ) -> tuple[list[tuple[Any, Any]], list[_Entry]]:
        """Add a value; returns the pairs it produced and the expired entries."""
        entry = _Entry(side, key, timestamp, value, event)
        pairs: list[tuple[Any, Any]] = []
        for other in self.sides[1 - side].get(key, ()):
            if abs(other.timestamp - timestamp) <= self.within:
                other.matched = entry.matched = True
                pairs.append(
                    (value, other.value) if side == LEFT else (other.value, value)
                )
        self.sides[side][key].append(entry)
        heapq.heappush(self._expiry, (timestamp, next(self._seq), entry))
        if timestamp > self.seen[side]:
            self.seen[side] = timestamp
        expired = self._expire()
        pairs.extend(self._unmatched(expired))
        return pairs, expired

    @property
    def watermark(self) -> float:
        """Event time both sides have reached: older values can't match any more."""
        return min(self.seen)

    def _expire(self) -> list[_Entry]:
        horizon = self.watermark - self.within
        expired: list[_Entry] = []
        heap = self._expiry
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
        return len(self._expiry)


class JoinedStream(Stream[Any]):
    """The stream of pairs of a windowed stream-stream join."""

    _sides: tuple[Any, Any]
    _state: WindowJoinState
    _key: Optional[Callable[[Any], Any]]

    @classmethod
    def between(
        cls,
        left: Stream[Any],
        right: Any,
        *,
        kind: str,
        within: float,
        key: KeyArg,
    ) -> JoinedStream:
        """The join of ``left`` (a stream) with a stream, topic or channel."""
        app: AppT = left.app
        right_channel = right.channel if isinstance(right, StreamT) else right
        if not isinstance(right_channel, ChannelT) and not hasattr(
            right_channel, "__anext__"
        ):
            raise ImproperlyConfigured(f"cannot join a stream with {right!r}")
        merged: EventQueue[tuple[int, Any]] = EventQueue(app.conf.stream_buffer_maxsize)
        joined = cls(channel=_MergedChannel(merged), app=app, prefix=left.prefix)
        joined._sides = (left.channel, right_channel.__aiter__())
        joined._state = WindowJoinState(within, kind)
        joined._key = _key_function(key)
        return joined

    async def on_start(self) -> None:
        """Pump both sides into the merged queue."""
        await super().on_start()
        for side, channel in enumerate(self._sides):
            self.add_future(self._pump(side, channel))

    async def _pump(self, side: int, channel: Any) -> None:
        queue = self.channel.queue  # type: ignore[attr-defined]  # _MergedChannel
        while not self.should_stop:
            event = await channel.__anext__()
            await queue.put((side, event))

    async def _iterate(self) -> AsyncIterator[Any]:
        await self.maybe_start()
        queue = self.channel.queue  # type: ignore[attr-defined]  # _MergedChannel
        get_key = self._key
        state = self._state
        while not self.should_stop:
            side, event = await queue.get()
            value = event.value
            key = get_key(value) if get_key is not None else event.key
            pairs, expired = state.add(side, key, event.message.timestamp, value, event)
            self._current_event = event
            if event.message.tracked:
                # held in the window on purpose: shutdown must not wait for it
                self._release(event)
            for pair in pairs:
                yield pair
            for entry in expired:
                self._ack_item(entry.event, None)
        self._current_event = None


class _MergedChannel:
    """The queue both sides of a join feed (``(side, event)`` items)."""

    def __init__(self, queue: EventQueue[tuple[int, Any]]) -> None:
        self.queue = queue

    async def __anext__(self) -> Any:
        return await self.queue.get()

    def __aiter__(self) -> _MergedChannel:
        return self

    def __str__(self) -> str:
        return "<join>"
