"""The TableManager (``app.tables``): the registry of tables.

Owner: the app, started last (after the conductor) so tables know their
partitions. Children: the tables. Tasks: none yet.

Tables, changelogs and recovery are built on this registry; until an app
defines tables, the manager only reports recovery as complete at once so the
app's tasks and timers can start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from typing import Any, Optional

from mode import Service

from ..types import TP, AppT, CollectionT, StoreT, TableManagerT

__all__ = ["TableManager"]


class TableManager(Service, TableManagerT):
    """A mapping of table name to table.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self.data: dict[str, CollectionT] = {}
        self.actives_ready = False
        self.standbys_ready = False
        self._recovery_completed: Optional[asyncio.Event] = None
        Service.__init__(self, **kwargs)

    def __getitem__(self, name: str) -> CollectionT:
        return self.data[name]

    def __setitem__(self, name: str, table: CollectionT) -> None:
        self.data[name] = table

    def __delitem__(self, name: str) -> None:
        del self.data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def changelog_topics(self) -> set[str]:
        """Names of the changelog topics of every table."""
        return {
            name
            for table in self.data.values()
            for name in table.changelog_topic.topics
        }

    def add(self, table: CollectionT) -> CollectionT:
        """Register a table (names must be unique)."""
        if table.name in self.data:
            raise ValueError(f"Table with name {table.name!r} already exists")
        self.data[table.name] = table
        return table

    def _completed(self) -> asyncio.Event:
        if self._recovery_completed is None:
            self._recovery_completed = asyncio.Event()
        return self._recovery_completed

    async def on_start(self) -> None:
        """Nothing to recover until partitions are assigned."""
        if not self.data:
            self._completed().set()

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """Tell each table about the new assignment."""
        for table in self.data.values():
            await table.on_rebalance(assigned, revoked, newly_assigned, generation_id)
        self.actives_ready = self.standbys_ready = True
        self._completed().set()

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Partitions are moving away."""

    def on_rebalance_start(self) -> None:
        """A rebalance started: recovery is needed again."""
        self.actives_ready = self.standbys_ready = False

    async def wait_until_tables_registered(self) -> None:
        """Tables register at definition time: nothing to wait for."""

    async def wait_until_recovery_completed(self) -> bool:
        """Wait until tables recovered; returns True if the app stopped first."""
        if self.should_stop:
            return True
        await self.wait_for_stopped(self._completed().wait())
        return self.should_stop

    def persist_offset_on_commit(self, store: StoreT, tp: TP, offset: int) -> None:
        """Remember to persist ``offset`` in ``store`` when offsets are committed."""

    def on_commit(self, offsets: MutableMapping[TP, int]) -> None:
        """Offsets were committed."""
