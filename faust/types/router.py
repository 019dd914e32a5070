"""Router interface: which worker owns a table key."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from yarl import URL

from .assignor import HostToPartitionMap

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = ["RouterT", "HostToPartitionMap"]


class RouterT(abc.ABC):
    """Maps table keys to the URL of the worker that owns them."""

    app: AppT

    @abc.abstractmethod
    def key_store(self, table_name: str, key: Any) -> URL: ...

    @abc.abstractmethod
    def table_metadata(self, table_name: str) -> HostToPartitionMap: ...

    @abc.abstractmethod
    def tables_metadata(self) -> HostToPartitionMap: ...

    @abc.abstractmethod
    async def route_req(
        self, table_name: str, key: Any, web: Any, request: Any
    ) -> Any: ...

    @abc.abstractmethod
    def external_topic_key_store(self, topic: Any, key: Any) -> URL: ...

    @abc.abstractmethod
    def external_topics_metadata(self) -> HostToPartitionMap: ...

    @abc.abstractmethod
    async def route_topic_req(
        self, topic: Any, key: Any, web: Any, request: Any
    ) -> Any: ...
