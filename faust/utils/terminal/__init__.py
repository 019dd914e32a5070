"""Terminal helpers for the command-line tools (tables, tty detection)."""

from __future__ import annotations

from .tables import Table, TableDataT, dict_as_ansitable, isatty, logtable, table

__all__ = ["Table", "TableDataT", "dict_as_ansitable", "isatty", "logtable", "table"]
