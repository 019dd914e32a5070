"""GlobalTable: a table every worker holds in full.

Every worker reads every partition of the changelog, all the time, so any
worker can read any key (e.g. reference data used by every agent). Writes
pick the changelog partition from the key (like ``use_partitioner=True``).
Keep global tables small: each worker stores all of them.
"""

from __future__ import annotations

from typing import Any

from ..types import AppT
from ..types.tables import GlobalTableT
from .table import Table

__all__ = ["GlobalTable"]


class GlobalTable(Table, GlobalTableT):
    """A table every worker holds in full (``app.GlobalTable``)."""

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        kwargs["is_global"] = True
        # changes made elsewhere are applied as soon as they are read
        kwargs.setdefault("standby_buffer_size", 1)
        super().__init__(app, **kwargs)
