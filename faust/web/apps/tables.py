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

__all__ = ["TableDetail", "TableKeyDetail", "TableList", "TableView", "blueprint"]

blueprint = Blueprint("table")


class TableView(View):
    """Base of the table views: look tables and values up, or answer 404.

    Subclass it for your own table pages::

        @app.page("/count/{word}/")
        class WordCount(TableView):
            async def get(self, request, word):
                table = self.get_table_or_404("word_counts")
                return self.json(self.get_table_value_or_404(table, word))
    """

    overridable = True

    def get_table_or_404(self, name: str) -> CollectionT:
        """The table called ``name``.

        Raises:
            NotFound: no such table (answered as a 404).
        """
        try:
            return self.app.tables[name]
        except KeyError:
            raise NotFound("unknown table", name=name) from None

    def get_table_value_or_404(self, table: CollectionT, key: Any) -> Any:
        """The value of ``key`` in ``table`` on this worker.

        Raises:
            NotFound: the key is not in the table (answered as a 404).
        """
        try:
            return table[key]  # type: ignore[index]  # tables are mappings
        except KeyError:
            raise NotFound("key not found", key=key, table=table.name) from None

    def table_json(self, table: CollectionT, **kwargs: Any) -> Any:
        """A JSON response describing ``table`` (its name and help text).

        Arguments:
            table: the table.
            **kwargs: passed to :meth:`~faust.web.View.json` (``status``,
                ``headers``, ...).
        """
        return self.json(self._info(table), **kwargs)

    @staticmethod
    def _info(table: CollectionT) -> dict[str, Any]:
        return {"name": table.name, "help": table.help}


@blueprint.route("/", name="list")
class TableList(TableView):
    """Every table's name and help text."""

    async def get(self, request: Any) -> Any:
        """``[{"name": ..., "help": ...}, ...]``."""
        return self.json([self._info(table) for table in self.app.tables.values()])


@blueprint.route("/{name}/", name="detail")
class TableDetail(TableView):
    """One table's name and help text."""

    async def get(self, request: Any, name: str) -> Any:
        """``{"name": ..., "help": ...}``; 404 for an unknown table."""
        return self.table_json(self.get_table_or_404(name))


@blueprint.route("/{name}/{key}/", name="key")
class TableKeyDetail(TableView):
    """The value of a key, from whichever worker owns it."""

    async def get(self, request: Any, name: str, key: str) -> Any:
        """The value as JSON; 404 for an unknown table or key."""
        table = self.get_table_or_404(name)
        try:
            return await self.app.router.route_req(name, key, self.web, request)
        except SameNode:
            pass
        return self.json(self.get_table_value_or_404(table, key))


#: The former name of :class:`TableKeyDetail`.
TableKey = TableKeyDetail
