"""The ``memory://`` store: a table kept in a dict.

Nothing is persisted, so a worker rebuilds the table from the whole changelog
at every start (fine for development, tests and small tables). The store
remembers the changelog partition of every key, so keys of partitions the
worker no longer holds are dropped once recovery completes, and the offset of
the last changelog record it holds of each partition (applied by recovery, or
written by this worker and stored by the broker), so a partition it kept (a
standby promoted to active, its own partition assigned again) is recovered
from there rather than from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Optional

from .._context import current_event
from ..types import TP, EventT, FutureMessage
from . import base

__all__ = ["Store"]


class Store(base.Store):
    """Table storage in memory.

    Owner: the table. Children: none. Tasks: none.
    """

    def __post_init__(self) -> None:
        self.data: dict[Any, Any] = {}
        self._partition_of: dict[Any, int] = {}
        self._offsets: dict[int, int] = {}
        #: partitions only this worker writes (see on_changelog_sent)
        self._owned: frozenset[int] = frozenset()

    # -- mapping ---------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.put(key, value, self._partition_for(key), None)

    def __delitem__(self, key: Any) -> None:
        del self.data[key]
        self._partition_of.pop(key, None)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def get(self, key: Any, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        return self.data.get(key, default)

    def keys(self) -> Any:
        """A view of the keys."""
        return self.data.keys()

    def values(self) -> Any:
        """A view of the values."""
        return self.data.values()

    def items(self) -> Any:
        """A view of the ``(key, value)`` pairs."""
        return self.data.items()

    def clear(self) -> None:
        """Delete every key."""
        self.data.clear()
        self._partition_of.clear()
        self._offsets.clear()

    def _partition_for(self, key: Any) -> int:
        event = current_event()
        if event is not None and event.message.partition >= 0:
            return event.message.partition
        return -1  # unknown: kept until the store is reset

    # -- table protocol --------------------------------------------------------

    def put(
        self, key: Any, value: Any, partition: int, fut: Optional[FutureMessage]
    ) -> None:
        """Store ``value`` for ``key`` of changelog ``partition``."""
        self.data[key] = value
        self._partition_of[key] = partition

    def remove(self, key: Any, partition: int, fut: Optional[FutureMessage]) -> None:
        """Delete ``key`` (missing keys are ignored)."""
        self.data.pop(key, None)
        self._partition_of.pop(key, None)

    def on_changelog_sent(self, fut: FutureMessage) -> None:
        """A write of this worker is stored: the store holds its partition up to it.

        Only for partitions this worker owns (recovered, and written by no
        one else): a standby, or a partition of a table other workers write
        too (``use_partitioner``, global), may still miss older records.
        """
        metadata = fut.result()
        partition = metadata.partition
        if partition in self._owned:
            self._offsets[partition] = metadata.offset

    def keys_by_partition(self, partitions: set[int]) -> Iterator[tuple[int, Any]]:
        """``(partition, key)`` for the keys of changelog ``partitions``."""
        return iter([(p, k) for k, p in self._partition_of.items() if p in partitions])

    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        """Apply changelog events in order (a ``None`` value deletes the key)."""
        data = self.data
        partition_of = self._partition_of
        offsets = self._offsets
        for event in batch:
            message = event.message
            offsets[message.partition] = message.offset
            if message.key is None:
                continue  # compacted changelogs have keys: skip garbage
            key = to_key(event.key)
            if message.value is None:
                data.pop(key, None)
                partition_of.pop(key, None)
            else:
                data[key] = to_value(event.value)
                partition_of[key] = message.partition

    def persisted_offset(self, tp: TP) -> Optional[int]:
        """Offset of the last changelog record of ``tp`` held (this process)."""
        return self._offsets.get(tp.partition)

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Record that the store holds ``tp`` up to ``offset`` (set tables)."""
        self._offsets[tp.partition] = offset

    def reset_state(self) -> None:
        """Forget everything."""
        self.clear()

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """Recovery starts: until it completes, no partition is owned."""
        self._owned = frozenset()

    async def on_recovery_completed(
        self, active_tps: set[TP], standby_tps: set[TP]
    ) -> None:
        """Drop the keys of changelog partitions this worker no longer holds."""
        topic = self.table.changelog_topic.get_topic_name()
        table = self.table
        if not (table.use_partitioner or table.is_global or self._transactional()):
            self._owned = frozenset(
                tp.partition for tp in active_tps if tp.topic == topic
            )
        held = {tp.partition for tp in active_tps | standby_tps if tp.topic == topic}
        held.add(-1)
        gone = [k for k, p in self._partition_of.items() if p not in held]
        for key in gone:
            self.data.pop(key, None)
            del self._partition_of[key]
        for partition in [p for p in self._offsets if p not in held]:
            del self._offsets[partition]

    def _transactional(self) -> bool:
        # acked writes of an open transaction may still be aborted
        guarantee = getattr(self.app.conf.processing_guarantee, "value", "")
        return bool(guarantee == "exactly_once")

    def _repr_info(self) -> str:
        return f"table_name={self.table_name} keys={len(self.data)}"
