"""GlobalTable: a table every worker holds in full.

Every worker reads every partition of the changelog, all the time, so any
worker can read any key (e.g. reference data used by every agent). Writes
pick the changelog partition from the key (like ``use_partitioner=True``).
Keep global tables small: each worker stores all of them.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from ..types.tables import GlobalTableT
from .table import Table

__all__ = ["GlobalTable"]


class GlobalTable(Table, GlobalTableT):
    """A table every worker holds in full (``app.GlobalTable``).

    Takes :class:`~faust.tables.base.Collection`'s arguments; ``is_global``
    is always true, and ``standby_buffer_size`` defaults to 1 (changes made
    elsewhere are applied as soon as they are read).
    ``synchronize_all_active_partitions`` (faust-streaming) is accepted: a
    global table reads every partition anyway.
    """

    force_global: ClassVar[bool] = True
    default_standby_buffer_size: ClassVar[Optional[int]] = 1
