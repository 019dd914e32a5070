"""Table interfaces: partitioned state kept in changelog topics."""

from __future__ import annotations

import abc
from collections.abc import Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, Optional

from mode import ServiceT

from .events import EventT
from .stores import StoreT
from .topics import TopicT
from .tuples import TP

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = ["CollectionT", "TableT", "GlobalTableT", "TableManagerT"]


class CollectionT(ServiceT, abc.ABC):
    """A changelogged collection (the base of every table)."""

    app: AppT
    name: str
    help: str
    default: Any
    is_global: bool = False
    use_partitioner: bool = False
    partitions: Optional[int]
    recovery_buffer_size: int
    standby_buffer_size: int

    @property
    @abc.abstractmethod
    def changelog_topic(self) -> TopicT[Any]: ...

    @changelog_topic.setter
    def changelog_topic(self, topic: TopicT[Any]) -> None: ...

    @property
    @abc.abstractmethod
    def data(self) -> StoreT: ...

    @abc.abstractmethod
    def persisted_offset(self, tp: TP) -> Optional[int]: ...

    @abc.abstractmethod
    def apply_changelog_batch(self, batch: Iterable[EventT[Any]]) -> None: ...

    @abc.abstractmethod
    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None: ...

    @abc.abstractmethod
    async def on_recovery_completed(
        self, active_tps: set[TP], standby_tps: set[TP]
    ) -> None: ...

    @abc.abstractmethod
    async def call_recover_callbacks(self) -> None: ...

    @abc.abstractmethod
    def reset_state(self) -> None: ...

    @abc.abstractmethod
    def info(self) -> dict[str, Any]: ...


class TableT(CollectionT, MutableMapping[Any, Any]):
    """A table: a dict partitioned like the stream that writes it."""


class GlobalTableT(TableT):
    """A table every worker holds in full."""


class TableManagerT(ServiceT, MutableMapping[str, CollectionT]):
    """The registry of tables (``app.tables``): recovery and rebalancing."""

    app: AppT
    actives_ready: bool
    standbys_ready: bool

    @property
    @abc.abstractmethod
    def changelog_topics(self) -> set[str]: ...

    @abc.abstractmethod
    def add(self, table: CollectionT) -> CollectionT: ...

    @abc.abstractmethod
    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None: ...

    @abc.abstractmethod
    async def on_partitions_revoked(self, revoked: set[TP]) -> None: ...

    @abc.abstractmethod
    def on_rebalance_start(self) -> None: ...

    @abc.abstractmethod
    async def wait_until_tables_registered(self) -> None: ...

    @abc.abstractmethod
    async def wait_until_recovery_completed(self) -> bool: ...

    @abc.abstractmethod
    def persist_offset_on_commit(self, store: StoreT, tp: TP, offset: int) -> None: ...

    @abc.abstractmethod
    def on_commit(self, offsets: MutableMapping[TP, int]) -> None: ...
