"""Store interface: where a table keeps its data."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Union

from mode import ServiceT
from yarl import URL

from .codecs import CodecArg
from .events import EventT
from .tuples import TP, FutureMessage

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .models import ModelArg
    from .tables import CollectionT

__all__ = ["StoreT"]


class StoreT(ServiceT, MutableMapping[Any, Any]):
    """Storage of a table: a mutable mapping plus changelog bookkeeping."""

    url: URL
    app: AppT
    table: CollectionT
    table_name: str
    key_type: Optional[ModelArg]
    value_type: Optional[ModelArg]
    key_serializer: CodecArg
    value_serializer: CodecArg
    options: Optional[dict[str, Any]]
    #: True: the table reports durable changelog writes to on_changelog_sent.
    track_changelog_acks: ClassVar[bool] = True

    @abc.abstractmethod
    def __init__(
        self,
        url: Union[str, URL],
        app: AppT,
        table: CollectionT,
        *,
        table_name: str = "",
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        key_serializer: CodecArg = "",
        value_serializer: CodecArg = "",
        options: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None: ...

    @abc.abstractmethod
    def put(
        self, key: Any, value: Any, partition: int, fut: Optional[FutureMessage]
    ) -> None: ...

    @abc.abstractmethod
    def remove(
        self, key: Any, partition: int, fut: Optional[FutureMessage]
    ) -> None: ...

    @abc.abstractmethod
    def on_changelog_sent(self, fut: FutureMessage) -> None: ...

    @abc.abstractmethod
    def keys_by_partition(self, partitions: set[int]) -> Iterator[tuple[int, Any]]: ...

    @abc.abstractmethod
    def flush(self) -> None: ...

    @abc.abstractmethod
    def persisted_offset(self, tp: TP) -> Optional[int]: ...

    @abc.abstractmethod
    def set_persisted_offset(self, tp: TP, offset: int) -> None: ...

    @abc.abstractmethod
    async def need_active_standby_for(self, tp: TP) -> bool: ...

    @abc.abstractmethod
    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None: ...

    @abc.abstractmethod
    def reset_state(self) -> None: ...

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
