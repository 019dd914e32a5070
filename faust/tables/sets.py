"""Set tables: a table whose values are sets (``app.SetTable``).

``table[key]`` is a :class:`ChangeloggedSet` (an empty set for a new key)
with the set API; each change writes one changelog record describing the
operation, keyed ``[operation, key]`` with the member as value (``ADD``,
``DISCARD``) or ``[added, removed]`` (``UPDATE``), as Faust does, so the
changelog is not compacted.

With ``start_manager=True`` code outside streams (web views, timers) can
change sets through ``await table.manager.add(key, member)`` and friends:
the operation is sent to the ``{table}-setmanager`` topic and applied by an
agent on the worker that owns the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSet
from typing import Any, ClassVar, Optional, cast

from .._context import current_event
from ..models import Record
from ..types import AppT, EventT, TopicT
from ..types.tables import GlobalTableT
from .table import Table
from .wrappers import WindowSet, WindowWrapper

__all__ = [
    "ChangeloggedSet",
    "SetGlobalTable",
    "SetManagerOperation",
    "SetTable",
    "SetTableManager",
    "SetWindowSet",
    "SetWindowWrapper",
]

OPERATION_ADD = 0x1
OPERATION_DISCARD = 0x2
OPERATION_UPDATE = 0xF


def _to_set(value: Any) -> set[Any]:
    if value is None:
        return set()
    if isinstance(value, set):
        return value
    return {tuple(v) if isinstance(v, list) else v for v in value}


class ChangeloggedSet(MutableSet[Any]):
    """The set of one key of a :class:`SetTable`."""

    def __init__(self, table: SetTable, key: Any) -> None:
        self.table = table
        self.key = key

    @property
    def data(self) -> set[Any]:
        """The members (a copy for stores that serialize)."""
        return self.table._load(self.key)

    def __contains__(self, member: object) -> bool:
        return member in self.data

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self.data))

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (set, frozenset, ChangeloggedSet)):
            return self.data == (
                other.data if isinstance(other, ChangeloggedSet) else other
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like set

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.key!r} {self.data!r}>"

    def add(self, member: Any) -> None:
        """Add ``member``."""
        if member not in self.data:
            self.table._change(self.key, OPERATION_ADD, member, {member}, set())

    def discard(self, member: Any) -> None:
        """Remove ``member`` if present."""
        if member in self.data:
            self.table._change(self.key, OPERATION_DISCARD, member, set(), {member})

    def _update(self, added: set[Any], removed: set[Any]) -> None:
        if added or removed:
            value = [sorted(added, key=repr), sorted(removed, key=repr)]
            self.table._change(self.key, OPERATION_UPDATE, value, added, removed)

    def update(self, *others: Iterable[Any]) -> None:
        """Add the members of ``others``."""
        current = self.data
        self._update(set().union(*others) - current, set())

    def difference_update(self, *others: Iterable[Any]) -> None:
        """Remove the members of ``others``."""
        self._update(set(), self.data.intersection(*others))

    def intersection_update(self, *others: Iterable[Any]) -> None:
        """Keep only the members also in every one of ``others``."""
        current = self.data
        self._update(set(), current - current.intersection(*others))

    def symmetric_difference_update(self, other: Iterable[Any]) -> None:
        """Keep the members in exactly one of this set and ``other``."""
        current, members = self.data, set(other)
        self._update(members - current, current & members)

    def clear(self) -> None:
        """Remove every member."""
        self._update(set(), set(self.data))

    def __ior__(self, other: Any) -> ChangeloggedSet:  # type: ignore[misc]  # set-like in-place ops take any iterable
        self.update(other)
        return self

    def __isub__(self, other: Any) -> ChangeloggedSet:  # type: ignore[misc]  # see __ior__
        self.difference_update(other)
        return self

    def __iand__(self, other: Any) -> ChangeloggedSet:  # type: ignore[misc]  # see __ior__
        self.intersection_update(other)
        return self

    def __ixor__(self, other: Any) -> ChangeloggedSet:  # type: ignore[misc]  # see __ior__
        self.symmetric_difference_update(other)
        return self


class SetManagerOperation(Record, namespace="@SetManagerOperation"):
    """A set operation sent to the set manager agent."""

    action: str
    members: list[Any]


class SetTableManager:
    """Changes sets from outside streams, through an agent (``table.manager``).

    Arguments:
        table: the set table.
    """

    def __init__(self, table: SetTable) -> None:
        self.table = table
        self.app = table.app
        self.enabled = table.start_manager
        self.agent: Any = None
        self.actions: dict[str, Callable[[ChangeloggedSet, list[Any]], None]] = {
            "ADD": ChangeloggedSet.update,
            "DISCARD": ChangeloggedSet.difference_update,
            "CLEAR": lambda s, members: s.clear(),
            "INTERSECTION": ChangeloggedSet.intersection_update,
            "SYMDIFF": ChangeloggedSet.symmetric_difference_update,
        }
        self._topic: Optional[TopicT[Any]] = None
        if self.enabled:
            self.agent = self.app.agent(self.topic, name=f"{table.name}.setmanager")(
                self._modify_set
            )

    @property
    def topic(self) -> TopicT[Any]:
        """The topic operations are sent to (``{table}-setmanager``)."""
        if self._topic is None:
            table = self.table
            self._topic = self.app.topic(
                table.manager_topic_name,
                key_type=table.key_type,
                key_serializer=table.key_serializer,
                value_type=SetManagerOperation,
                partitions=table.partitions,
            )
        return self._topic

    async def add(self, key: Any, member: Any) -> None:
        """Add ``member`` to the set of ``key``."""
        await self._send(key, "ADD", [member])

    async def discard(self, key: Any, member: Any) -> None:
        """Remove ``member`` from the set of ``key``."""
        await self._send(key, "DISCARD", [member])

    async def clear(self, key: Any) -> None:
        """Empty the set of ``key``."""
        await self._send(key, "CLEAR", [])

    async def difference_update(self, key: Any, members: Iterable[Any]) -> None:
        """Remove ``members`` from the set of ``key``."""
        await self._send(key, "DISCARD", members)

    async def intersection_update(self, key: Any, members: Iterable[Any]) -> None:
        """Keep only ``members`` in the set of ``key``."""
        await self._send(key, "INTERSECTION", members)

    async def symmetric_difference_update(
        self, key: Any, members: Iterable[Any]
    ) -> None:
        """Symmetric difference of the set of ``key`` with ``members``."""
        await self._send(key, "SYMDIFF", members)

    async def _send(self, key: Any, action: str, members: Iterable[Any]) -> None:
        if not self.enabled:
            raise RuntimeError(
                f"Set table {self.table.name!r} has no manager: create it with "
                "start_manager=True"
            )
        await self.topic.send(
            key=key, value=SetManagerOperation(action=action, members=list(members))
        )

    async def _modify_set(self, stream: Any) -> None:
        async for key, operation in stream.items():
            action = self.actions.get(operation.action)
            if action is None:
                self.table.log.error("Unknown set operation: %r", operation.action)
                continue
            action(self.table[key], list(operation.members))


class SetWindowSet(WindowSet):
    """The windows of one key of a windowed set table."""

    def add(self, element: Any, *, event: Optional[EventT[Any]] = None) -> None:
        """Add ``element`` to the set of every window of the timestamp."""
        self._apply_set_operation("add", element, event)

    def discard(self, element: Any, *, event: Optional[EventT[Any]] = None) -> None:
        """Remove ``element`` from the set of every window of the timestamp."""
        self._apply_set_operation("discard", element, event)

    def _apply_set_operation(
        self, op: str, element: Any, event: Optional[EventT[Any]]
    ) -> None:
        table = cast(SetTable, self.table)
        timestamp = self.wrapper.get_timestamp(event or self.event)
        self.wrapper.on_set_key(self.key, element)
        for window_range in table._write_ranges(timestamp, self.key):
            wkey = (self.key, window_range)
            getattr(table[wkey], op)(element)
            table._on_window_write(wkey, timestamp)


class SetWindowWrapper(WindowWrapper):
    """Windowed view of a set table."""

    ValueType: ClassVar[type[WindowSet]] = SetWindowSet


class SetTable(Table):
    """A table of sets (``app.SetTable``).

    Arguments:
        start_manager: start the manager agent (see :class:`SetTableManager`).
        manager_topic_name: topic of the manager (default ``{name}-setmanager``).
        manager_topic_suffix: suffix of the default manager topic name.
    """

    WindowWrapper = SetWindowWrapper
    #: the class of :attr:`manager`
    Manager: ClassVar[type[SetTableManager]] = SetTableManager
    changelog_is_state: ClassVar[bool] = False
    _changelog_compacting = False
    manager_topic_suffix = "-setmanager"

    def __init__(
        self,
        app: AppT,
        *,
        start_manager: bool = False,
        manager_topic_name: Optional[str] = None,
        manager_topic_suffix: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        # members may be models, numbers, strings: decode them generically
        kwargs["value_type"] = None
        super().__init__(app, **kwargs)
        self.start_manager = start_manager
        if manager_topic_suffix is not None:
            self.manager_topic_suffix = manager_topic_suffix
        self.manager_topic_name = (
            manager_topic_name or self.name + self.manager_topic_suffix
        )
        self.manager = self.Manager(self)

    def __getitem__(self, key: Any) -> ChangeloggedSet:
        self.on_key_get(key)
        return ChangeloggedSet(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, ChangeloggedSet) and value.key == key:
            return  # the result of an in-place operator: already applied
        members = set(value)
        current = self._load(key)
        ChangeloggedSet(self, key)._update(members - current, current - members)

    def _load(self, key: Any) -> set[Any]:
        return _to_set(self.data.get(key))

    def _change(
        self, key: Any, op: int, value: Any, added: set[Any], removed: set[Any]
    ) -> int:
        partition = self._write_partition(current_event())
        if partition is None:
            partition = self.partition_for_key(key)
        fut = self.send_changelog(partition, (op, key), value)
        members = (self._load(key) | added) - removed
        if members:
            self.data.put(key, members, cast(int, partition), fut)
        else:
            self.data.remove(key, cast(int, partition), fut)
        self.on_key_set(key, members)
        return cast(int, partition)

    def _on_window_write(self, wkey: Any, timestamp: float) -> None:
        expiry = self._expiry
        if expiry is not None:
            event = current_event()
            partition = event.message.partition if event is not None else None
            if partition is not None and partition >= 0:
                expiry.observe(partition, timestamp)
                expiry.track(partition, wkey)

    def apply_changelog_batch(self, batch: Iterable[EventT[Any]]) -> None:
        """Apply set operations read from the changelog."""
        data = self.data
        offsets: dict[Any, int] = {}
        for event in batch:
            message = event.message
            offsets[message.tp] = message.offset
            if event.key is None:
                continue
            op, raw_key = event.key
            key = self._to_key(raw_key)
            members = self._load(key)
            if op == OPERATION_ADD:
                members = members | {self._to_key(event.value)}
            elif op == OPERATION_DISCARD:
                members = members - {self._to_key(event.value)}
            elif op == OPERATION_UPDATE:
                added, removed = event.value
                members = (members | _to_set(added)) - _to_set(removed)
            else:
                self.log.error("Unknown set operation %r for key %r", op, key)
                continue
            if members:
                data.put(key, members, message.partition, None)
            else:
                data.remove(key, message.partition, None)
        for tp, offset in offsets.items():
            data.set_persisted_offset(tp, offset)


class SetGlobalTable(SetTable, GlobalTableT):
    """A set table every worker holds in full (truly global, unlike Faust's)."""

    force_global: ClassVar[bool] = True
    default_standby_buffer_size: ClassVar[Optional[int]] = 1
