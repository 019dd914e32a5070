"""``/router/``: which worker serves which table partitions and keys.

``/router/`` lists ``{worker_url: {changelog_topic: [partitions]}}`` for
every table, ``/router/topics`` the same for the other topics,
``/router/{table}/`` for one table, and ``/router/{table}/{key}/`` the URL
of the worker owning ``key`` (503 while no worker is known to own it, e.g.
during a rebalance).
"""

from __future__ import annotations

from typing import Any

from ..blueprints import Blueprint
from ..exceptions import NotFound, ServiceUnavailable
from ..views import View

__all__ = ["blueprint"]

blueprint = Blueprint("router")


class _RouterView(View):
    overridable = True

    def _check_table(self, name: str) -> None:
        if name not in self.app.tables:
            raise NotFound("unknown table", name=name)


@blueprint.route("/", name="list")
class TableList(_RouterView):
    """Where every table's partitions are served."""

    async def get(self, request: Any) -> Any:
        """``router.tables_metadata()``."""
        return self.json(self.app.router.tables_metadata())


@blueprint.route("/topics", name="topics")
class TopicList(_RouterView):
    """Where the partitions of non-table topics are processed."""

    async def get(self, request: Any) -> Any:
        """``router.external_topics_metadata()``."""
        return self.json(self.app.router.external_topics_metadata())


@blueprint.route("/{name}/", name="detail")
class TableDetail(_RouterView):
    """Where one table's partitions are served."""

    async def get(self, request: Any, name: str) -> Any:
        """``router.table_metadata(name)``; 404 for an unknown table."""
        self._check_table(name)
        return self.json(self.app.router.table_metadata(name))


@blueprint.route("/{name}/{key}/", name="key")
class TableKeyDetail(_RouterView):
    """The URL of the worker owning a key."""

    async def get(self, request: Any, name: str, key: str) -> Any:
        """The owner's URL as a JSON string; 503 if no owner is known."""
        self._check_table(name)
        try:
            url = self.app.router.key_store(name, key)
        except KeyError as exc:
            raise ServiceUnavailable(
                "No worker is known to own this key yet (rebalancing?)",
                table=name,
                key=key,
            ) from exc
        return self.json(str(url))


#: The former name of :class:`TableKeyDetail`.
TableKey = TableKeyDetail
