"""``/table/``: read table contents over HTTP (``web_tables_enabled``).

``/table/`` lists the tables, ``/table/{name}/`` describes one, and
``/table/{name}/{key}/`` answers the value of ``key``. A key owned by
another worker is fetched from it (through ``canonical_url``, see
:class:`faust.app.router.Router`), so any worker answers for any key.
URL keys are strings: tables keyed by other types are not reachable here.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import SameNode
from ...types import CollectionT
from ..blueprints import Blueprint
from ..exceptions import NotFound
from ..views import View

__all__ = ["blueprint"]

blueprint = Blueprint("table")


class _TableView(View):
    overridable = True

    def _table(self, name: str) -> CollectionT:
        try:
            return self.app.tables[name]
        except KeyError:
            raise NotFound("unknown table", name=name) from None

    @staticmethod
    def _info(table: CollectionT) -> dict[str, Any]:
        return {"name": table.name, "help": table.help}


@blueprint.route("/", name="list")
class TableList(_TableView):
    """Every table's name and help text."""

    async def get(self, request: Any) -> Any:
        """``[{"name": ..., "help": ...}, ...]``."""
        return self.json([self._info(table) for table in self.app.tables.values()])


@blueprint.route("/{name}/", name="detail")
class TableDetail(_TableView):
    """One table's name and help text."""

    async def get(self, request: Any, name: str) -> Any:
        """``{"name": ..., "help": ...}``; 404 for an unknown table."""
        return self.json(self._info(self._table(name)))


@blueprint.route("/{name}/{key}/", name="key")
class TableKey(_TableView):
    """The value of a key, from whichever worker owns it."""

    async def get(self, request: Any, name: str, key: str) -> Any:
        """The value as JSON; 404 for an unknown table or key."""
        table = self._table(name)
        try:
            return await self.app.router.route_req(name, key, self.web, request)
        except SameNode:
            pass
        try:
            value = table[key]  # type: ignore[index]  # tables are mappings
        except KeyError:
            raise NotFound("key not found", key=key, table=name) from None
        return self.json(value)
