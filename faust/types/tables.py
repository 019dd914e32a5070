"""Table interfaces: partitioned state kept in changelog topics."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, ClassVar, Optional, TypeVar, Union

from mode import Seconds, ServiceT

from .events import EventT
from .models import FieldDescriptorT
from .stores import StoreT
from .topics import TopicT
from .tuples import TP
from .windows import WindowT

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = [
    "CollectionT",
    "CollectionTps",
    "TableT",
    "GlobalTableT",
    "TableManagerT",
    "WindowSetT",
    "WindowWrapperT",
    "RecoverCallback",
    "ChangelogEventCallback",
    "WindowCloseCallback",
    "RelativeHandler",
    "RelativeArg",
    "KT",
    "VT",
]

KT = TypeVar("KT")
VT = TypeVar("VT")

#: ``async def on_recover()``: called after a table recovered.
RecoverCallback = Callable[[], Awaitable[None]]
#: ``async def on_changelog_event(event)``: a changelog record was applied.
ChangelogEventCallback = Callable[[EventT[Any]], Awaitable[None]]
#: ``on_window_close(key, value)`` (sync or async): a window expired.
WindowCloseCallback = Callable[[Any, Any], Union[None, Awaitable[None]]]
#: Gives the timestamp windows are relative to, from the current event.
RelativeHandler = Callable[[Optional[EventT[Any]]], Union[float, datetime]]
#: Partitions by table: ``{table: {TP, ...}}``.
CollectionTps = MutableMapping["CollectionT", set[TP]]
#: What ``relative_to(...)`` accepts.
RelativeArg = Optional[Union[FieldDescriptorT[Any], RelativeHandler, datetime, float]]


class CollectionT(ServiceT, abc.ABC):
    """A changelogged collection (the base of every table)."""

    app: AppT
    name: str
    help: str
    default: Any
    key_type: Any
    value_type: Any
    window: Optional[WindowT] = None
    is_global: bool = False
    use_partitioner: bool = False
    partitions: Optional[int]
    recovery_buffer_size: int
    standby_buffer_size: int
    #: True: changelog records hold the full value of a key (not operations).
    changelog_is_state: ClassVar[bool] = True

    @abc.abstractmethod
    async def on_changelog_event(self, event: EventT[Any]) -> None:
        """A changelog record was applied (recovery, standbys)."""

    @property
    @abc.abstractmethod
    def wants_changelog_events(self) -> bool:
        """True if :meth:`on_changelog_event` does something."""

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
    def partition_for_key(self, key: Any) -> Optional[int]: ...

    @abc.abstractmethod
    def on_recover(self, fun: RecoverCallback) -> RecoverCallback: ...

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

    @abc.abstractmethod
    def clone(self, **kwargs: Any) -> Any: ...


class TableT(CollectionT, MutableMapping[Any, Any]):
    """A table: a dict partitioned like the stream that writes it."""

    @abc.abstractmethod
    def using_window(
        self, window: WindowT, *, key_index: bool = False
    ) -> WindowWrapperT: ...

    @abc.abstractmethod
    def hopping(
        self,
        size: Seconds,
        step: Seconds,
        expires: Optional[Seconds] = None,
        key_index: bool = False,
    ) -> WindowWrapperT: ...

    @abc.abstractmethod
    def tumbling(
        self,
        size: Seconds,
        expires: Optional[Seconds] = None,
        key_index: bool = False,
    ) -> WindowWrapperT: ...

    @abc.abstractmethod
    def as_ansitable(
        self,
        *,
        title: str = "{table.name}",
        key: str = "Key",
        value: str = "Value",
        sort: bool = False,
        sortkey: Callable[[Any], Any] = ...,
        target: Optional[IO[str]] = None,
    ) -> str: ...


class GlobalTableT(TableT):
    """A table every worker holds in full."""


class WindowSetT(abc.ABC):
    """The values of one key of a windowed table, one per window."""

    key: Any
    table: TableT
    event: Optional[EventT[Any]]

    @abc.abstractmethod
    def apply(
        self,
        op: Callable[[Any, Any], Any],
        value: Any,
        event: Optional[EventT[Any]] = None,
    ) -> WindowSetT: ...

    @abc.abstractmethod
    def value(self, event: Optional[EventT[Any]] = None) -> Any: ...

    @abc.abstractmethod
    def current(self, event: Optional[EventT[Any]] = None) -> Any: ...

    @abc.abstractmethod
    def now(self) -> Any: ...

    @abc.abstractmethod
    def delta(self, d: Seconds, event: Optional[EventT[Any]] = None) -> Any: ...


class WindowWrapperT(abc.ABC):
    """A windowed view of a table (``table.tumbling(...)``)."""

    table: TableT
    key_index: bool
    key_index_table: Optional[TableT]

    @property
    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    def clone(self, relative_to: RelativeArg) -> WindowWrapperT: ...

    @abc.abstractmethod
    def relative_to(self, ts: RelativeArg) -> WindowWrapperT: ...

    @abc.abstractmethod
    def relative_to_now(self) -> WindowWrapperT: ...

    @abc.abstractmethod
    def relative_to_field(self, field: FieldDescriptorT[Any]) -> WindowWrapperT: ...

    @abc.abstractmethod
    def relative_to_stream(self) -> WindowWrapperT: ...

    @abc.abstractmethod
    def get_timestamp(self, event: Optional[EventT[Any]] = None) -> float: ...

    @abc.abstractmethod
    def __getitem__(self, key: Any) -> WindowSetT: ...

    @abc.abstractmethod
    def __setitem__(self, key: Any, value: Any) -> None: ...

    @abc.abstractmethod
    def __delitem__(self, key: Any) -> None: ...


class TableManagerT(ServiceT, MutableMapping[str, CollectionT]):
    """The registry of tables (``app.tables``): recovery and rebalancing."""

    app: AppT
    actives_ready: bool

    @property
    @abc.abstractmethod
    def in_recovery(self) -> bool:
        """True while changelogs are being replayed into the tables."""

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
