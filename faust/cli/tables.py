"""``faust tables``: list the tables of the app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from .base import AppCommand

__all__ = ["tables"]


class tables(AppCommand):
    """List the tables of the app."""

    title: ClassVar[str] = "Tables"
    headers: ClassVar[Sequence[str]] = ["name", "help"]

    async def run(self) -> None:
        """Print the table of tables."""
        found = sorted(self.app.tables.values(), key=lambda table: table.name)
        rows = [[table.name, table.help or "<N/A>"] for table in found]
        self.say(self.tabulate(rows, headers=self.headers, title=self.title))
