"""Table: the dict API of tables, and windowed tables.

``table[key]`` reads the store (a missing key gives ``default()`` when the
table has a default, without storing it); ``table[key] = value`` and
``del table[key]`` write the store and the changelog. A windowed table
(``table.tumbling(10, expires=60)``) stores one value per key and window
under the key ``(key, (start, end))``; the :class:`~.wrappers.WindowWrapper`
returned by the windowing methods gives access to it.

Owner: the TableManager. Children: the store. Tasks: ``_cleaner`` (windowed
tables with ``expires``): every ``table_cleanup_interval`` seconds, removes
expired windows from the store and the changelog and calls
``on_window_close(key, value)`` for each.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cached_property
from typing import IO, Any, ClassVar, Optional, cast

from mode import Seconds, Service

from .._context import current_event, get_current_event
from ..exceptions import ImproperlyConfigured
from ..types import TP, EventT, FieldDescriptorT, ModelT
from ..types.tables import RelativeHandler, TableT
from ..types.windows import WindowRange, WindowT
from ..utils.collections import DictMethods
from ..utils.iso8601 import parse as parse_iso8601
from ..utils.terminal.tables import dict_as_ansitable
from ..windows import HoppingWindow, SlidingWindow, TumblingWindow
from .base import Collection
from .expiry import WindowExpiry
from .wrappers import WindowWrapper

logger = logging.getLogger(__name__)

#: Seconds between two warnings about late writes of one table.
LATE_LOG_INTERVAL = 60.0

__all__ = ["Table"]

_MISSING: Any = object()


def _as_timestamp(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        return parse_iso8601(value).timestamp()
    raise ImproperlyConfigured(
        f"Cannot use {value!r} as a window timestamp: the field must hold a "
        "number (epoch seconds), a datetime or an ISO-8601 string"
    )


class Table(Collection, DictMethods, TableT):
    """A table: a dict partitioned like the stream that writes it.

    See :class:`~faust.tables.base.Collection` for the arguments.

    Example:
        >>> counts = app.Table('counts', default=int)
        >>> @app.agent(words_topic)
        ... async def count(words):
        ...     async for word in words.group_by(lambda w: w, name='word'):
        ...         counts[word] += 1
    """

    WindowWrapper: ClassVar[type[WindowWrapper]] = WindowWrapper

    #: start of the latest window closed by expiry (windowed tables)
    last_closed_window: float = 0.0
    #: writes dropped by the windowed table (their windows had closed), and
    #: when the last warning about them was logged
    _late_events: int = 0
    _late_logged_at: float = -LATE_LOG_INTERVAL
    #: (sensors' version, on_table_get, on_table_set), see on_key_get
    _table_hooks: Optional[tuple[Any, Any, Any]] = None

    # no __init__ of its own: Collection's signature is Table's

    @cached_property
    def _expiry(self) -> Optional[WindowExpiry]:
        """Expiry index of a windowed table with ``expires`` (else None)."""
        window = self.window
        return WindowExpiry(window) if window and window.expires else None

    # -- hooks for subclasses (Faust's ManagedUserDict hooks) -----------------

    def on_key_get(self, key: Any) -> None:
        """Called on every read of ``key`` (``table[key]``, ``get``)."""
        hooks = self._table_hooks
        if hooks is None or hooks[0] != getattr(self._sensors, "version", None):
            hooks = self._new_table_hooks()
        hooks[1](self, key)

    def on_key_set(self, key: Any, value: Any) -> None:
        """Called after every write of ``key`` (already in the changelog and store)."""
        hooks = self._table_hooks
        if hooks is None or hooks[0] != getattr(self._sensors, "version", None):
            hooks = self._new_table_hooks()
        hooks[2](self, key, value)

    def _new_table_hooks(self) -> tuple[Any, Any, Any]:
        # the only sensor's own hooks, asked again when the sensor set changes
        sensors: Any = self._sensors
        get = getattr(sensors, "table_hooks", None)
        if get is None:  # a delegate without versions: asked every time
            return (None, sensors.on_table_get, sensors.on_table_set)
        version, (on_get, on_set) = get()
        hooks = self._table_hooks = (version, on_get, on_set)
        return hooks

    def on_key_del(self, key: Any) -> None:
        """Called after every delete of ``key`` (tombstone written)."""
        self._sensors.on_table_del(self, key)

    def on_clear(self) -> None:
        """Called by :meth:`clear` after every key was deleted."""

    # -- dict API -------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        self.on_key_get(key)
        try:
            return self.data[key]
        except KeyError:
            return self.__missing__(key)

    def __missing__(self, key: Any) -> Any:
        if self.default is not None:
            return self.default()
        raise KeyError(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        # self._put(key, value), inline: once per write
        self._put_at(self._write_partition(get_current_event()), key, value)
        self.on_key_set(key, value)

    def __delitem__(self, key: Any) -> None:
        if key not in self.data:
            raise KeyError(key)
        self._remove(key)
        self.on_key_del(key)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __iter__(self) -> Iterator[Any]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def keys(self) -> Any:
        """The keys (of the partitions held by this worker)."""
        return self.data.keys()

    def values(self) -> Any:
        """The values."""
        return self.data.values()

    def items(self) -> Any:
        """The ``(key, value)`` pairs."""
        return self.data.items()

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its value (or ``default``, by position or name).

        Raises:
            KeyError: ``key`` is missing and no default was given.
        """
        try:
            value = self.data[key]
        except KeyError:
            if default is not _MISSING:
                return default
            raise
        self._remove(key)
        self.on_key_del(key)
        return value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """The value of ``key``; if missing, store ``default`` first."""
        try:
            return self.data[key]
        except KeyError:
            self[key] = default
            return default

    def clear(self) -> None:
        """Delete every key (a tombstone for each, like ``del``), then ``on_clear``."""
        for key in list(self.data.keys()):
            del self[key]
        self.on_clear()

    def raw_update(self, *args: Any, **kwargs: Any) -> None:
        """Write the pairs into the store only, as Faust's ``raw_update``.

        No changelog message is sent and no hook or sensor is called: the
        values are lost when the partition moves to another worker. Use
        :meth:`update` for durable writes.
        """
        partition = self._write_partition(current_event())
        for key, value in dict(*args, **kwargs).items():
            part = partition if partition is not None else self.partition_for_key(key)
            self.data.put(key, value, part or 0, None)

    def as_ansitable(
        self,
        title: str = "{table.name}",
        *,
        key: str = "Key",
        value: str = "Value",
        sort: bool = False,
        sortkey: Callable[[Any], Any] = lambda item: item[0],
        target: Optional[IO[str]] = None,
        **kwargs: Any,
    ) -> str:
        """Render the table as a two-column text table titled ``title``."""
        return dict_as_ansitable(
            dict(self.items()),
            key=key,
            value=value,
            sort=sort,
            sortkey=sortkey,
            target=target,
            title=title.format(table=self),
            **kwargs,
        )

    # -- windowing --------------------------------------------------------------

    def using_window(self, window: WindowT, *, key_index: bool = False) -> Any:
        """Window this table with ``window``; returns the windowed view."""
        self.window = window
        self._changelog_deleting = True
        if not self._custom_changelog_topic:
            self.changelog_topic = self._new_changelog_topic(
                retention=window.expires, compacting=True, deleting=True
            )
        self._expiry = WindowExpiry(window) if window.expires else None
        return self.WindowWrapper(self, key_index=key_index)

    def hopping(
        self,
        size: Seconds,
        step: Seconds,
        expires: Optional[Seconds] = None,
        key_index: bool = False,
    ) -> Any:
        """Hopping windows of ``size`` seconds, one every ``step`` seconds."""
        return self.using_window(
            HoppingWindow(size, step, expires), key_index=key_index
        )

    def tumbling(
        self,
        size: Seconds,
        expires: Optional[Seconds] = None,
        key_index: bool = False,
    ) -> Any:
        """Consecutive windows of ``size`` seconds."""
        return self.using_window(TumblingWindow(size, expires), key_index=key_index)

    def sliding(
        self,
        before: Seconds,
        after: Seconds,
        expires: Seconds,
        key_index: bool = False,
    ) -> Any:
        """A window around each event, ``before``/``after`` seconds wide."""
        return self.using_window(
            SlidingWindow(before, after, expires), key_index=key_index
        )

    def _window(self) -> WindowT:
        window = self.window
        if window is None:
            raise TypeError(f"Table {self.name!r} is not windowed")
        return window

    def _write_ranges(self, timestamp: float, key: Any) -> list[WindowRange]:
        ranges = self._window().ranges(timestamp)
        expiry = self._expiry
        if expiry is not None and not (self.use_partitioner or self.is_global):
            event = current_event()
            if event is not None and event.message.partition >= 0:
                partition = event.message.partition
                # a late event: (some of) its windows already closed
                open_ranges = [
                    r for r in ranges if not expiry.is_stale(partition, r.end)
                ]
                if len(open_ranges) < len(ranges):
                    self._on_late_event(key, timestamp, event)
                ranges = open_ranges
        return ranges

    def _on_late_event(self, key: Any, timestamp: float, event: Any) -> None:
        self._sensors.on_table_late_event(self, key, timestamp)
        self._late_events += 1
        now = time.monotonic()
        if now - self._late_logged_at >= LATE_LOG_INTERVAL:
            self._late_logged_at = now
            message = event.message
            logger.warning(
                "Table %r dropped a write for windows already closed "
                "(key=%r timestamp=%s at %s:%s@%s); %d late write(s) so far. "
                "Raise the window's expires= to keep windows open longer.",
                self.name,
                key,
                timestamp,
                message.topic,
                message.partition,
                message.offset,
                self._late_events,
            )

    def _put_windowed(self, key: Any, value: Any, timestamp: float) -> None:
        partition = self._put(key, value)
        self.on_key_set(key, value)
        expiry = self._expiry
        if expiry is not None:
            expiry.observe(partition, timestamp)
            expiry.track(partition, key)

    def _set_windowed(self, key: Any, value: Any, timestamp: float) -> None:
        for window_range in self._write_ranges(timestamp, key):
            self._put_windowed((key, window_range), value, timestamp)

    def _apply_window_op(
        self, op: Callable[[Any, Any], Any], key: Any, value: Any, timestamp: float
    ) -> None:
        data = self.data
        for window_range in self._write_ranges(timestamp, key):
            wkey = (key, window_range)
            current = data.get(wkey, _MISSING)
            if current is _MISSING:
                current = self.__missing__(wkey)
            self._put_windowed(wkey, op(current, value), timestamp)

    def _set_window_range(self, key: Any, window_range: Any, value: Any) -> None:
        wkey = (key, window_range)
        partition = self._put(wkey, value)
        self.on_key_set(wkey, value)
        if self._expiry is not None:
            self._expiry.track(partition, wkey)

    def _del_windowed(self, key: Any, timestamp: float) -> None:
        data = self.data
        for window_range in self._window().ranges(timestamp):
            wkey = (key, window_range)
            if wkey in data:
                self._remove(wkey)
                self.on_key_del(wkey)

    def _windowed_timestamp(self, key: Any, timestamp: float) -> Any:
        return self[key, self._window().current(timestamp)]

    def _windowed_now(self, key: Any) -> Any:
        return self[key, self._window().current(self._relative_now())]

    def _windowed_contains(self, key: Any, timestamp: float) -> bool:
        return (key, self._window().current(timestamp)) in self.data

    def _windowed_delta(
        self, key: Any, d: Seconds, event: Optional[EventT[Any]] = None
    ) -> Any:
        return self[key, self._window().delta(self._relative_event(event), d)]

    def _relative_now(self, event: Optional[EventT[Any]] = None) -> float:
        return time.time()

    def _relative_event(self, event: Optional[EventT[Any]] = None) -> float:
        if event is None:
            event = current_event()
            if event is None:
                raise RuntimeError("Operation outside of stream iteration")
        return event.message.timestamp

    def _relative_field(self, field: FieldDescriptorT[Any]) -> RelativeHandler:
        def relative_to_field(event: Optional[EventT[Any]] = None) -> float:
            if event is None:
                event = current_event()
                if event is None:
                    raise RuntimeError("Operation outside of stream iteration")
            return _as_timestamp(field.getattr(cast(ModelT, event.value)))

        return relative_to_field

    def _relative_timestamp(self, timestamp: float) -> RelativeHandler:
        def relative_to_timestamp(event: Optional[EventT[Any]] = None) -> float:
            return timestamp

        return relative_to_timestamp

    # -- expiry -----------------------------------------------------------------

    @Service.task
    async def _cleaner(self) -> None:
        if self._expiry is None:
            return
        interval = self.app.conf.table_cleanup_interval
        while not self.should_stop:
            await self.sleep(interval)
            if not self.should_stop:
                await self._del_old_keys()

    async def _del_old_keys(self) -> None:
        """Remove expired windows, calling ``on_window_close`` for each."""
        expiry = self._expiry
        if expiry is None:
            return
        data = self.data
        for partition, key in list(expiry.expired(sorted(self.active_partitions))):
            value = data.get(key, _MISSING)
            if value is _MISSING:
                continue  # deleted meanwhile
            try:
                await self.on_window_close(key, value)
            except Exception as exc:
                self.log.exception("on_window_close(%r) raised: %r", key, exc)
            self._remove_at(partition, key)
            window = key[1] if isinstance(key, tuple) and len(key) == 2 else None
            if isinstance(window, tuple) and window:
                self.last_closed_window = max(self.last_closed_window, window[0])

    async def on_window_close(self, key: Any, value: Any) -> None:
        """A window expired: ``key`` is ``(key, (start, end))``.

        Calls the ``on_window_close`` callback given to the table (a
        subclass may override this instead); its errors are logged.
        """
        callback = self._on_window_close
        if callback is not None:
            result = callback(key, value)
            if inspect.isawaitable(result):
                await result

    async def on_recovery_completed(
        self, active_tps: set[TP], standby_tps: set[TP]
    ) -> None:
        """Recovery finished: rebuild the expiry index of written partitions."""
        await super().on_recovery_completed(active_tps, standby_tps)
        expiry = self._expiry
        if expiry is not None:
            expiry.reset()
            expiry.rebuild(self.data.keys_by_partition(self.active_partitions))
