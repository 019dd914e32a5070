"""The TableManager (``app.tables``): the registry of tables.

Tables register when they are defined (``app.Table(...)``). Before the
conductor subscribes the consumer for the first time it calls
:meth:`TableManager.wait_until_tables_registered`, which gives it every
changelog topic: the consumer then subscribes to them with the source
topics, so the partition assignor co-partitions each changelog with the
topics that write it. Tables cannot be added after that.

Owner: the app, started last (after the conductor). Children: the tables
(each with its store), then :class:`~faust.tables.recovery.Recovery`.
Tasks: none. ``on_stop`` makes the stores durable (``flush``).

Rebalances reach the manager from :mod:`faust.app.rebalance`; recovery
runs in Recovery. Until an app defines tables, recovery completes at once so
the app's tasks and timers can start.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any, Optional

from mode import Service, ServiceT

from ..types import TP, AppT, CollectionT, StoreT, TableManagerT
from ..utils.collections import DictMethods
from .recovery import Recovery

__all__ = ["TableManager"]


class TableManager(Service, DictMethods, TableManagerT):
    """A mapping of table name to table.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self.data: dict[str, CollectionT] = {}
        self.actives_ready = False
        self.standbys_ready = False
        self._registered = False
        self._by_changelog: Optional[dict[str, CollectionT]] = None
        self._persist_on_commit: dict[tuple[int, TP], tuple[StoreT, int]] = {}
        Service.__init__(self, **kwargs)
        self.recovery = Recovery(app, self, beacon=self.beacon)

    def __getitem__(self, name: str) -> CollectionT:
        return self.data[name]

    def __setitem__(self, name: str, table: CollectionT) -> None:
        if table.name != name:
            raise ValueError(f"Table {table.name!r} cannot be stored as {name!r}")
        self.add(table)

    def __delitem__(self, name: str) -> None:
        del self.data[name]
        self._by_changelog = None

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def changelog_topics(self) -> set[str]:
        """Names of the changelog topics of every table."""
        return set(self._tables_by_changelog())

    def _tables_by_changelog(self) -> dict[str, CollectionT]:
        index = self._by_changelog
        if index is None:
            index = self._by_changelog = {
                table.changelog_topic.get_topic_name(): table
                for table in self.data.values()
            }
        return index

    def add(self, table: CollectionT) -> CollectionT:
        """Register a table (names must be unique).

        Raises:
            ValueError: a table with this name exists.
            RuntimeError: the app subscribed to its topics already.
        """
        if self._registered:
            raise RuntimeError(
                f"Too late to add table {table.name!r}: define tables before the "
                "app starts (at module level, like agents)"
            )
        if table.name in self.data:
            raise ValueError(f"Table with name {table.name!r} already exists")
        self.data[table.name] = table
        self._by_changelog = None
        return table

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The tables, then recovery."""
        return [*self.data.values(), self.recovery]

    async def wait_until_tables_registered(self) -> None:
        """Give the changelog topics to the conductor (before it subscribes)."""
        if self._registered or self.app.client_only or self.app.producer_only:
            return
        self._registered = True
        topics = self.app.topics
        for table in self.data.values():
            topics.add(table.changelog_topic)

    @property
    def in_recovery(self) -> bool:
        """True while changelogs are being replayed into the tables."""
        return self.recovery.in_recovery

    # -- rebalancing -------------------------------------------------------------

    def on_rebalance_start(self) -> None:
        """A rebalance started: tables are not ready until recovered again."""
        self.actives_ready = self.standbys_ready = False

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Partitions are moving away: stop recovery, make stores durable."""
        self.on_rebalance_start()
        await self.recovery.on_partitions_revoked(revoked)
        for table in self.data.values():
            table.data.flush()

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """Recover the tables' changelog partitions of the new assignment."""
        self.on_rebalance_start()
        await self.recovery.on_rebalance(
            assigned, revoked, newly_assigned, generation_id
        )

    async def wait_until_recovery_completed(self) -> bool:
        """Wait until tables recovered; returns True if the app stopped first."""
        if self.should_stop:
            return True
        if not self.started:
            return False  # not part of this app's services: nothing to recover
        if not len(self.app.topics) and not self.recovery.completed.is_set():
            # subscribed to nothing: no assignment will ever come
            self.recovery.completed.set()
        # even without tables, "recovered" means the first assignment came:
        # the worker is not ready before it joined the group
        await self.wait_for_stopped(self.recovery.completed.wait())
        return self.should_stop or self.crashed

    async def on_start(self) -> None:
        """Without tables nothing needs recovering: ready at the assignment."""
        if not self.data:
            self.actives_ready = self.standbys_ready = True

    async def on_stop(self) -> None:
        """Make every store durable before the tables stop."""
        for table in self.data.values():
            table.data.flush()

    # -- commits -----------------------------------------------------------------

    def persist_offset_on_commit(self, store: StoreT, tp: TP, offset: int) -> None:
        """Remember to persist ``offset`` in ``store`` when offsets are committed."""
        key = (id(store), tp)
        existing = self._persist_on_commit.get(key)
        if existing is None or offset > existing[1]:
            self._persist_on_commit[key] = (store, offset)

    def on_commit(self, offsets: MutableMapping[TP, int]) -> None:
        """Offsets were committed: stores may persist what they deferred."""
        pending, self._persist_on_commit = self._persist_on_commit, {}
        for (_, tp), (store, offset) in pending.items():
            store.set_persisted_offset(tp, offset)
        for table in self.data.values():
            table.data.flush()

    def _repr_info(self) -> str:
        return f"tables={sorted(self.data)}"
