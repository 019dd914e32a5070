"""Tables of changelogged objects: values that change by operations.

A plain table writes a whole value per change. A *changelogged object*
(like :class:`~faust.tables.sets.SetTable`'s sets) sends each operation
instead (``(operation, key) -> argument`` in the changelog) and applies the
same operations when the changelog is replayed. Write one by subclassing
:class:`ChangeloggedObject` and :class:`ChangeloggedObjectManager`::

    class Counter(ChangeloggedObject):
        def __post_init__(self):
            self.value = 0

        def add(self, n):
            self.value += n
            self.manager.send_changelog_event(self.key, ADD, n)

        def apply_changelog_event(self, operation, value):
            self.value += value

        def sync_from_storage(self, value):
            self.value = value

        def as_stored_value(self):
            return self.value

    class CounterManager(ChangeloggedObjectManager):
        ValueType = Counter

    class CounterTable(faust.Table):
        def _new_store(self):
            return CounterManager(self)

    counters = app.tables.add(CounterTable(app, name='counters'))
    counters['k'].add(1)   # inside an agent

The manager is the table's store: it keeps the live objects and writes
their :meth:`~ChangeloggedObject.as_stored_value` to an inner store of the
table's ``store`` URL (``memory://``, ``rocksdb://``), together with the
changelog offsets they include, when the table flushes (commits,
rebalances, stop).

Owner: the table. Children: the inner store. Tasks: none.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Optional

from .._context import current_event
from ..stores.base import Store
from ..types import TP, CollectionT, EventT, FutureMessage, StoreT

__all__ = ["ChangeloggedObject", "ChangeloggedObjectManager"]


class ChangeloggedObject(abc.ABC):
    """A table value that changes by operations sent to the changelog.

    Arguments:
        manager: the table's :class:`ChangeloggedObjectManager`.
        key: the table key of this object.
    """

    def __init__(self, manager: ChangeloggedObjectManager, key: Any) -> None:
        self.manager = manager
        self.key = key
        self.__post_init__()

    def __post_init__(self) -> None:  # noqa: B027  # an optional hook
        """Set the initial state (an empty object)."""

    @abc.abstractmethod
    def sync_from_storage(self, value: Any) -> None:
        """Take the state saved by :meth:`as_stored_value`."""

    @abc.abstractmethod
    def as_stored_value(self) -> Any:
        """The whole state, as the inner store keeps it."""

    @abc.abstractmethod
    def apply_changelog_event(self, operation: int, value: Any) -> None:
        """Apply an operation read from the changelog (recovery, standbys)."""


class ChangeloggedObjectManager(Store):
    """The store of a table of :class:`ChangeloggedObject` values.

    Arguments:
        table: the table.
        **kwargs: passed to :class:`~faust.stores.base.Store`.
    """

    #: the class of the values (set it in a subclass)
    ValueType: ClassVar[type[ChangeloggedObject]]

    #: writes are flushed with the offsets they include, not on changelog acks
    track_changelog_acks: ClassVar[bool] = False

    def __init__(self, table: CollectionT, **kwargs: Any) -> None:
        url = getattr(table, "_store_url", None) or table.app.conf.store
        super().__init__(url, table.app, table, **kwargs)
        self.data: dict[Any, ChangeloggedObject] = {}
        self._partition_of: dict[Any, int] = {}
        self._dirty: set[Any] = set()
        self._pending_offsets: dict[TP, int] = {}
        self._storage: Optional[StoreT] = None
        self._synced = False

    @property
    def storage(self) -> StoreT:
        """The inner store the objects' states are saved in."""
        if self._storage is None:
            table: Any = self.table  # a Collection: it builds stores by URL
            self._storage = table._new_store_by_url(self.url)
        return self._storage

    async def on_start(self) -> None:
        """Start the inner store and load the saved objects."""
        await self.add_runtime_dependency(self.storage)
        self.sync_from_storage()

    async def on_stop(self) -> None:
        """Save what changed."""
        self.flush()

    # -- objects -----------------------------------------------------------------

    def __getitem__(self, key: Any) -> ChangeloggedObject:
        obj = self.data.get(key)
        if obj is None:
            obj = self.data[key] = self.ValueType(self, key)
        return obj

    def __setitem__(self, key: Any, value: Any) -> None:
        raise NotImplementedError(
            f"{self.table.name}: values are changelogged objects; change them "
            "through their methods"
        )

    def __delitem__(self, key: Any) -> None:
        del self.data[key]
        self._dirty.add(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self.data))

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def send_changelog_event(self, key: Any, operation: int, value: Any) -> None:
        """Send ``(operation, key) -> value`` to the changelog (in an agent)."""
        table: Any = self.table
        partition = table._write_partition(current_event())
        if partition is None:
            partition = table.partition_for_key(key)
        fut = table.send_changelog(partition, (operation, key), value)
        written = fut.message.partition
        self._partition_of[key] = written if written is not None else partition or 0
        self._dirty.add(key)

    # -- the table's store API ------------------------------------------------------

    def put(
        self, key: Any, value: Any, partition: int, fut: Optional[FutureMessage]
    ) -> None:
        """Not supported: see :meth:`__setitem__`."""
        self[key] = value

    def remove(self, key: Any, partition: int, fut: Optional[FutureMessage]) -> None:
        """Drop the object of ``key``."""
        if key in self.data:
            del self[key]

    def keys_by_partition(self, partitions: set[int]) -> Iterator[tuple[int, Any]]:
        """``(partition, key)`` of the objects changed on this worker."""
        for key, partition in list(self._partition_of.items()):
            if partition in partitions and key in self.data:
                yield partition, key

    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        """Apply ``(operation, key)`` events to the objects."""
        self.sync_from_storage()
        for event in batch:
            pair = to_key(event.key)
            if not isinstance(pair, tuple) or len(pair) != 2:
                continue  # not an object operation: skip garbage
            operation, key = pair
            self[key].apply_changelog_event(operation, to_value(event.value))
            self._partition_of[key] = event.message.partition
            self._dirty.add(key)

    def sync_from_storage(self) -> None:
        """Load the saved objects (once)."""
        if self._synced:
            return
        self._synced = True
        for key, value in list(self.storage.items()):
            self[key].sync_from_storage(value)

    def flush(self) -> None:
        """Save the changed objects, then the offsets they include."""
        storage = self.storage
        dirty, self._dirty = self._dirty, set()
        for key in dirty:
            partition = self._partition_of.get(key, 0)
            obj = self.data.get(key)
            if obj is None:
                storage.remove(key, partition, None)
            else:
                storage.put(key, obj.as_stored_value(), partition, None)
        pending, self._pending_offsets = self._pending_offsets, {}
        for tp, offset in pending.items():
            storage.set_persisted_offset(tp, offset)
        storage.flush()

    def persisted_offset(self, tp: TP) -> Optional[int]:
        """The last changelog offset the saved objects include."""
        pending = self._pending_offsets.get(tp)
        return pending if pending is not None else self.storage.persisted_offset(tp)

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Remember ``offset``; it is saved with the objects at :meth:`flush`."""
        self._pending_offsets[tp] = offset

    def reset_state(self) -> None:
        """Forget the objects and the saved state."""
        self.data.clear()
        self._dirty.clear()
        self._pending_offsets.clear()
        self.storage.reset_state()

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """Save, then let the inner store follow the assignment."""
        self.flush()
        await self.storage.on_rebalance(
            assigned, revoked, newly_assigned, generation_id
        )

    async def on_recovery_completed(
        self, active_tps: set[TP], standby_tps: set[TP]
    ) -> None:
        """Save what recovery rebuilt."""
        self.flush()
        await self.storage.on_recovery_completed(active_tps, standby_tps)
