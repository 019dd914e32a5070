"""Tables: partitioned state backed by changelog topics."""

from __future__ import annotations

from ..types.tables import CollectionT, GlobalTableT, TableManagerT, TableT
from .base import Collection
from .globaltable import GlobalTable
from .manager import TableManager
from .sets import SetGlobalTable, SetTable
from .table import Table

__all__ = [
    "Collection",
    "CollectionT",
    "GlobalTable",
    "GlobalTableT",
    "SetGlobalTable",
    "SetTable",
    "Table",
    "TableManager",
    "TableManagerT",
    "TableT",
]
