"""Store interface: where a table keeps its data."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, Optional, Union

from mode import ServiceT
from yarl import URL

from .codecs import CodecArg
from .events import EventT
from .tuples import TP

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
