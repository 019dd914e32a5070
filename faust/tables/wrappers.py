"""Windowed views of tables: WindowWrapper, WindowSet and the item views.

``table.tumbling(...)`` returns a :class:`WindowWrapper`. Indexing it gives a
:class:`WindowSet`: the values of one key in every window, bound to the
current event. Which window a read or write uses depends on a timestamp:
by default the event's (Kafka) timestamp, else what ``relative_to_now()``,
``relative_to_field(Model.field)`` or ``relative_to(...)`` chose.

Example:
    >>> views = app.Table('views', default=int).tumbling(60, expires=3600)
    >>> views[page] += 1                  # every window of the event
    >>> views[page].current()             # the window of the event
    >>> views[page].delta(60)             # the window a minute earlier
    >>> views[page].now()                 # the window of the wall clock
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, KeysView
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Optional, cast

from mode import Seconds

from .._context import current_event
from ..exceptions import ImproperlyConfigured
from ..types import EventT, FieldDescriptorT
from ..types.tables import (
    RecoverCallback,
    RelativeArg,
    RelativeHandler,
    TableT,
    WindowSetT,
    WindowWrapperT,
)
from ..utils.terminal.tables import dict_as_ansitable

if TYPE_CHECKING:  # pragma: no cover
    from .table import Table

__all__ = [
    "WindowSet",
    "WindowWrapper",
    "WindowedKeysView",
    "WindowedItemsView",
    "WindowedValuesView",
]

_MISSING: Any = object()

E_NO_INDEX = (
    "Windowed table {name!r} has no key index: create it with key_index=True "
    "(e.g. table.tumbling(10, key_index=True)) to use {what}"
)


class _WindowedView:
    """Base of the views returned by ``keys()``, ``items()``, ``values()``."""

    def __init__(
        self, mapping: WindowWrapper, event: Optional[EventT[Any]] = None
    ) -> None:
        self._wrapper = mapping  # Faust's name: the windowed table
        self.event = event

    def _pick(self, item: tuple[Any, Any]) -> Any:
        return item

    def __iter__(self) -> Iterator[Any]:
        """Items in the window chosen by the table's relative-to setting."""
        return map(self._pick, self._wrapper._items(self.event))

    def __len__(self) -> int:
        return len(self._wrapper)

    def now(self) -> Iterator[Any]:
        """Items in the window of the wall clock."""
        return map(self._pick, self._wrapper._items_now())

    def current(self, event: Optional[EventT[Any]] = None) -> Iterator[Any]:
        """Items in the window of the event's timestamp."""
        return map(self._pick, self._wrapper._items_current(event or self.event))

    def delta(self, d: Seconds, event: Optional[EventT[Any]] = None) -> Iterator[Any]:
        """Items in the window ``d`` seconds before the event."""
        return map(self._pick, self._wrapper._items_delta(d, event or self.event))


class WindowedKeysView(_WindowedView):
    """``windowed_table.keys()``."""

    def _pick(self, item: tuple[Any, Any]) -> Any:
        return item[0]


class WindowedItemsView(_WindowedView):
    """``windowed_table.items()``."""


class WindowedValuesView(_WindowedView):
    """``windowed_table.values()``."""

    def _pick(self, item: tuple[Any, Any]) -> Any:
        return item[1]


class WindowSet(WindowSetT):
    """The windows of one key: ``wtable[key]``.

    Arguments:
        key: the table key.
        table: the windowed table.
        wrapper: the :class:`WindowWrapper` it came from.
        event: the event it is bound to (default: the current event).
    """

    def __init__(
        self,
        key: Any,
        table: TableT,
        wrapper: WindowWrapper,
        event: Optional[EventT[Any]] = None,
    ) -> None:
        self.key = key
        self.table = table
        self.wrapper = wrapper
        self.event = event

    @property
    def _table(self) -> Table:
        return cast("Table", self.table)

    def apply(
        self,
        op: Callable[[Any, Any], Any],
        value: Any,
        event: Optional[EventT[Any]] = None,
    ) -> WindowSet:
        """Apply ``op(window_value, value)`` in every window of the timestamp."""
        timestamp = self.wrapper.get_timestamp(event or self.event)
        self.wrapper.on_set_key(self.key, value)
        self._table._apply_window_op(op, self.key, value, timestamp)
        return self

    def value(self, event: Optional[EventT[Any]] = None) -> Any:
        """Value in the window chosen by the relative-to setting."""
        return self._table._windowed_timestamp(
            self.key, self.wrapper.get_timestamp(event or self.event)
        )

    def now(self) -> Any:
        """Value in the window of the wall clock (``time.time()``)."""
        return self._table._windowed_now(self.key)

    def current(self, event: Optional[EventT[Any]] = None) -> Any:
        """Value in the window of the event's timestamp."""
        table = self._table
        return table._windowed_timestamp(
            self.key, table._relative_event(event or self.event)
        )

    def delta(self, d: Seconds, event: Optional[EventT[Any]] = None) -> Any:
        """Value in the window ``d`` seconds before the event's timestamp."""
        return self._table._windowed_delta(self.key, d, event or self.event)

    def _unsupported(self, operation: str) -> NoReturn:
        raise NotImplementedError(
            f"WindowSet has no {operation}(): use the windowed table's "
            f"{operation}() (it needs key_index=True)"
        )

    def keys(self) -> NoReturn:
        """Not supported."""
        self._unsupported("keys")

    def items(self) -> NoReturn:
        """Not supported."""
        self._unsupported("items")

    def values(self) -> NoReturn:
        """Not supported."""
        self._unsupported("values")

    def __getitem__(self, w: Any) -> Any:
        if isinstance(w, EventT):
            return type(self)(self.key, self.table, self.wrapper, w)
        return self.table[self.key, w]

    def __setitem__(self, w: Any, value: Any) -> None:
        if isinstance(w, EventT):
            raise NotImplementedError("Cannot set a WindowSet item by event")
        self._table._set_window_range(self.key, w, value)
        self.wrapper.on_set_key(self.key, value)

    def __delitem__(self, w: Any) -> None:
        if isinstance(w, EventT):
            raise NotImplementedError("Cannot delete a WindowSet item by event")
        del self.table[self.key, w]

    # -- the windows of this key, as a mapping (window range -> value) ------

    def _windows(self) -> list[Any]:
        key = self.key
        return sorted(
            stored[1]
            for stored in list(self._table.data.keys())
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key
        )

    def __contains__(self, w: object) -> bool:
        return (self.key, w) in self._table.data

    def __iter__(self) -> Iterator[Any]:
        """The window ranges stored for this key, oldest first (scans the store)."""
        return iter(self._windows())

    def __len__(self) -> int:
        return len(self._windows())

    def get(self, w: Any, default: Any = None) -> Any:
        """The value of window range ``w`` of this key, or ``default``."""
        return self.table[self.key, w] if w in self else default

    def copy(self) -> dict[Any, Any]:
        """A dict of this key's window ranges and values (a snapshot)."""
        return {w: self.table[self.key, w] for w in self._windows()}

    @classmethod
    def fromkeys(cls, iterable: Iterable[Any], value: Any = None) -> dict[Any, Any]:
        """A plain dict of ``iterable``'s keys, each set to ``value`` (as dict's)."""
        return dict.fromkeys(iterable, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set window ranges of this key (``{(start, end): value}``)."""
        for w, value in dict(*args, **kwargs).items():
            self[w] = value

    def clear(self) -> None:
        """Delete every window of this key."""
        for w in self._windows():
            del self.table[self.key, w]

    def __iadd__(self, other: Any) -> WindowSet:
        return self.apply(operator.add, other)

    def __isub__(self, other: Any) -> WindowSet:
        return self.apply(operator.sub, other)

    def __imul__(self, other: Any) -> WindowSet:
        return self.apply(operator.mul, other)

    def __itruediv__(self, other: Any) -> WindowSet:
        return self.apply(operator.truediv, other)

    def __ifloordiv__(self, other: Any) -> WindowSet:
        return self.apply(operator.floordiv, other)

    def __imod__(self, other: Any) -> WindowSet:
        return self.apply(operator.mod, other)

    def __ipow__(self, other: Any) -> WindowSet:
        return self.apply(operator.pow, other)

    def __ilshift__(self, other: Any) -> WindowSet:
        return self.apply(operator.lshift, other)

    def __irshift__(self, other: Any) -> WindowSet:
        return self.apply(operator.rshift, other)

    def __iand__(self, other: Any) -> WindowSet:
        return self.apply(operator.and_, other)

    def __ixor__(self, other: Any) -> WindowSet:
        return self.apply(operator.xor, other)

    def __ior__(self, other: Any) -> WindowSet:
        return self.apply(operator.or_, other)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: key={self.key!r} table={self.table.name}>"


class WindowWrapper(WindowWrapperT):
    """A windowed table (returned by ``table.tumbling()`` and friends).

    Arguments:
        table: the table holding the windows.
        relative_to: which timestamp selects windows (see module docs).
        key_index: keep a table of keys, needed by ``len()``, iteration,
            ``keys()``, ``items()`` and ``values()``.
        key_index_table: use this key index table.
    """

    ValueType: ClassVar[type[WindowSet]] = WindowSet

    def __init__(
        self,
        table: TableT,
        *,
        relative_to: RelativeArg = None,
        key_index: bool = False,
        key_index_table: Optional[TableT] = None,
    ) -> None:
        self.table = table
        self.key_index = key_index
        self.key_index_table = key_index_table
        if key_index and key_index_table is None:
            index = table.clone(
                name=f"{table.name}-key_index",
                key_type=table.key_type,
                value_type=int,
                window=None,
                default=None,
                on_window_close=None,
                recover_callbacks=None,
            )
            self.key_index_table = cast(TableT, table.app.tables.add(index))
        self._get_relative_timestamp = self._relative_handler(relative_to)

    @property
    def _table(self) -> Table:
        return cast("Table", self.table)

    def clone(self, relative_to: RelativeArg) -> WindowWrapper:
        """A copy of this view with another relative-to setting."""
        return type(self)(
            self.table,
            relative_to=relative_to or self._get_relative_timestamp,
            key_index=self.key_index,
            key_index_table=self.key_index_table,
        )

    @property
    def name(self) -> str:
        """Name of the table."""
        return self.table.name

    @property
    def get_relative_timestamp(self) -> Optional[RelativeHandler]:
        """The function giving the timestamp, if not the event's."""
        return self._get_relative_timestamp

    def relative_to(self, ts: RelativeArg) -> WindowWrapper:
        """Select windows by ``ts``: a field, a function, a datetime or a number."""
        return self.clone(relative_to=ts)

    def relative_to_now(self) -> WindowWrapper:
        """Select windows by the wall clock."""
        return self.clone(relative_to=self._table._relative_now)

    def relative_to_field(self, field: FieldDescriptorT[Any]) -> WindowWrapper:
        """Select windows by a field of the event's value (e.g. ``Order.time``)."""
        return self.clone(relative_to=self._table._relative_field(field))

    def relative_to_stream(self) -> WindowWrapper:
        """Select windows by the event's timestamp (the default)."""
        return self.clone(relative_to=self._table._relative_event)

    def _relative_handler(self, relative_to: RelativeArg) -> Optional[RelativeHandler]:
        if relative_to is None:
            return None
        if isinstance(relative_to, datetime):
            return self._table._relative_timestamp(relative_to.timestamp())
        if isinstance(relative_to, (int, float)):
            return self._table._relative_timestamp(float(relative_to))
        if isinstance(relative_to, FieldDescriptorT):
            return self._table._relative_field(relative_to)
        if callable(relative_to):
            return relative_to
        raise ImproperlyConfigured(
            f"relative_to: expected a field, a function, a datetime or a number, "
            f"not {type(relative_to).__name__}"
        )

    def get_timestamp(self, event: Optional[EventT[Any]] = None) -> float:
        """The timestamp that selects windows for ``event`` (or the current one)."""
        event = event or current_event()
        handler = self._get_relative_timestamp
        if handler is not None:
            timestamp = handler(event)
            if isinstance(timestamp, datetime):
                return timestamp.timestamp()
            return float(timestamp)
        if event is None:
            raise RuntimeError("Operation outside of stream iteration")
        return event.message.timestamp

    def on_recover(self, fun: RecoverCallback) -> RecoverCallback:
        """Decorate an ``async def fn()`` to call after recovery."""
        return self.table.on_recover(fun)

    def __contains__(self, key: Any) -> bool:
        return self._table._windowed_contains(key, self.get_timestamp())

    def __getitem__(self, key: Any) -> WindowSet:
        return self.ValueType(key, self.table, self, current_event())

    def __setitem__(self, key: Any, value: Any) -> None:
        if not isinstance(value, WindowSetT):  # else: the result of `wt[k] += v`
            self.on_set_key(key, value)
            self._table._set_windowed(key, value, self.get_timestamp())

    def __delitem__(self, key: Any) -> None:
        self.on_del_key(key)
        self._table._del_windowed(key, self.get_timestamp())

    # -- dict methods (over the windows of the relative timestamp) ----------

    def get(self, key: Any, default: Any = None) -> Any:
        """The :class:`WindowSet` of ``key`` if it has a value now, else ``default``."""
        return self[key] if key in self else default

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        """Delete ``key``'s current windows; returns the current window's value.

        Raises:
            KeyError: ``key`` has no value now and no default was given.
        """
        if key not in self:
            if default is _MISSING:
                raise KeyError(key)
            return default
        value = self[key].value()
        del self[key]
        return value

    def popitem(self) -> tuple[Any, Any]:
        """Pop some key with a value now (needs ``key_index=True``).

        Raises:
            KeyError: no key has a value now.
        """
        for key in list(self._index("popitem()")):
            if key in self:
                return key, self.pop(key)
        raise KeyError("popitem(): windowed table is empty")

    def setdefault(self, key: Any, default: Any = None) -> WindowSet:
        """Set ``key`` to ``default`` unless it has a value now; its WindowSet."""
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set each key's value in the windows of the relative timestamp."""
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        """Delete every key's current windows (needs ``key_index=True``)."""
        for key in list(self._index("clear()")):
            del self[key]

    def on_set_key(self, key: Any, value: Any) -> None:
        """Add ``key`` to the key index."""
        index = self.key_index_table
        if index is not None and key not in index:
            index[key] = 1

    def on_del_key(self, key: Any) -> None:
        """Remove ``key`` from the key index."""
        index = self.key_index_table
        if index is not None:
            index.pop(key, None)

    def _index(self, what: str) -> TableT:
        index = self.key_index_table
        if index is None:
            raise NotImplementedError(E_NO_INDEX.format(name=self.name, what=what))
        return index

    def __len__(self) -> int:
        return len(self._index("len()"))

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._index("iteration")))

    def keys(self) -> KeysView[Any]:
        """Keys of the table (see :class:`WindowedKeysView`)."""
        self._index("keys()")
        return cast(KeysView[Any], WindowedKeysView(self))

    def items(self, event: Optional[EventT[Any]] = None) -> WindowedItemsView:
        """``(key, value)`` pairs, in windows chosen like ``value()``."""
        self._index("items()")
        return WindowedItemsView(self, event)

    def values(self, event: Optional[EventT[Any]] = None) -> WindowedValuesView:
        """Values, in windows chosen like ``value()``."""
        self._index("values()")
        return WindowedValuesView(self, event)

    def _each(self, get: Callable[[Any], Any]) -> Iterator[tuple[Any, Any]]:
        for key in list(self._index("iteration")):
            try:
                yield key, get(key)
            except KeyError:
                continue

    def _items(self, event: Optional[EventT[Any]] = None) -> Iterator[tuple[Any, Any]]:
        timestamp = self.get_timestamp(event)
        table = self._table
        return self._each(lambda key: table._windowed_timestamp(key, timestamp))

    def _items_now(self) -> Iterator[tuple[Any, Any]]:
        return self._each(self._table._windowed_now)

    def _items_current(
        self, event: Optional[EventT[Any]] = None
    ) -> Iterator[tuple[Any, Any]]:
        table = self._table
        timestamp = table._relative_event(event)
        return self._each(lambda key: table._windowed_timestamp(key, timestamp))

    def _items_delta(
        self, d: Seconds, event: Optional[EventT[Any]] = None
    ) -> Iterator[tuple[Any, Any]]:
        table = self._table
        return self._each(lambda key: table._windowed_delta(key, d, event))

    def as_ansitable(self, title: str = "{table.name}", **kwargs: Any) -> str:
        """Render the windows of the current timestamp as a text table."""
        return dict_as_ansitable(
            dict(self.items()), title=title.format(table=self.table), **kwargs
        )
