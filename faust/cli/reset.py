"""``faust reset``: delete the app's local table data (and, on request, topics).

As in Faust, ``faust reset`` removes the local data of every table
(``table.reset_state()``: RocksDB files; nothing for ``memory://`` stores),
so tables are rebuilt from their changelogs at the next start.  Nothing on
the broker is touched and nothing is asked.

``--topics`` also deletes, after confirmation (``--yes`` skips it), the
internal topics of the app that can be named without running it: table
changelogs (the tables then start empty), the leader-election topic, the
topics of agents that have no channel of their own, and the reply topic when
``reply_to`` is configured.  Repartition topics (made by ``group_by`` while
streams run) are not known here.  Stop every worker of the app first.

Topics are deleted with the transport's ``delete_topics(names)`` coroutine.
A transport without it cannot delete topics: the command says so, lists the
topics to delete by other means, and exits with status 1.  With
``memory://`` topics live only inside the worker's process: there is nothing
to delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Optional

import click

from faust.types import AppT

from .base import AppCommand, option

__all__ = ["internal_topics", "reset"]

R_DELETED = "deleted"
R_IN_PROCESS = "nothing to delete: memory:// topics live in the worker's process"


class ResetIncomplete(click.ClickException):
    """Some of the data could not be deleted (exit status 1)."""

    exit_code = 1


def internal_topics(app: AppT) -> list[str]:
    """Internal topics of ``app`` that can be named without running it."""
    conf = app.conf
    names: list[str] = [
        table.changelog_topic.get_topic_name() for table in app.tables.values()
    ]
    for agent in app.agents.values():
        channel: Any = agent.channel
        if getattr(channel, "internal", False):
            names.extend(getattr(channel, "topics", ()) or ())
    if not conf.topic_disable_leader:
        names.append(app.leader_assignor.leader_topic_name())
    if conf.is_set("reply_to"):
        names.append(conf.reply_to)
    return list(dict.fromkeys(names))


def _store(table: Any) -> str:
    url = table.data.url
    if url.scheme == "memory":
        return "memory://: nothing on disk"
    path = getattr(table.data, "path", None)
    return str(path) if path is not None else str(url)


class reset(AppCommand):
    """Delete local table state (and with ``--topics`` the internal topics).

    Warning:
        This deletes the local databases backing tables.  With ``--topics``
        it also deletes, after confirmation, the changelog, leader and agent
        topics of the app.  Stop every worker of the app first.
    """

    headers: ClassVar[Sequence[str]] = ["what", "name", "result"]

    options = [
        option(
            "--yes", "-y", is_flag=True, default=False, help="Do not ask (--topics)."
        ),
        option(
            "--topics/--no-topics",
            default=False,
            help=(
                "Also delete the app's changelog, leader and agent topics, "
                "after confirmation (default: local table data only, as Faust)."
            ),
        ),
    ]

    async def run(self, yes: bool = False, topics: bool = False) -> None:
        """Show what will be deleted, confirm topic deletion, delete, report."""
        tables = sorted(self.app.tables.values(), key=lambda t: t.name)
        names = internal_topics(self.app) if topics else []
        self.show_plan(tables, names)
        if names and not yes and not self.confirm():
            raise ResetIncomplete("reset aborted: nothing was deleted")
        rows: list[list[str]] = []
        missing = await self.delete_topics(names, rows)
        rows.extend(await self.reset_tables())
        self.say(self.tabulate(rows, headers=self.headers, title="Reset"))
        if missing:
            raise ResetIncomplete(missing)

    async def reset_tables(self) -> list[list[str]]:
        """Delete the local data of every table of the app.

        Returns:
            One result row (``what``, ``name``, ``result``) per table.
        """
        rows: list[list[str]] = []
        for table in sorted(self.app.tables.values(), key=lambda t: t.name):
            self.carp(f"Removing database for table {table.name}...")
            table.reset_state()
            rows.append(["table data", table.name, R_DELETED])
        return rows

    def confirm(self) -> bool:
        """Ask on the terminal; False when declined or stdin has no answer."""
        try:
            return click.confirm("Delete all of this?", err=True)
        except click.Abort:  # end of input (e.g. stdin is not a terminal)
            self.carp("")
            return False

    def show_plan(self, tables: Sequence[Any], topics: Sequence[str]) -> None:
        """Write what will be deleted to stderr."""
        self.carp(f"Reset of app {self.app.conf.id!r} deletes:")
        for table in tables:
            self.carp(f"  local data of table {table.name!r} ({_store(table)})")
        for name in topics:
            self.carp(f"  topic {name!r}")
        if not tables and not topics:
            self.carp("  nothing (the app has no tables or internal topics)")

    async def delete_topics(
        self, names: list[str], rows: list[list[str]]
    ) -> Optional[str]:
        """Delete ``names``; add result rows; the reason if they were not deleted."""
        if not names:
            return None
        if self.on_memory_broker():
            rows.extend(["topic", name, R_IN_PROCESS] for name in names)
            return None
        transport = self.app.transport
        delete = getattr(transport, "delete_topics", None)
        if delete is None:
            driver = type(transport).__module__
            reason = (
                f"the transport ({driver}) cannot delete topics (it has no "
                f"delete_topics()); delete them with your Kafka tools, e.g. "
                f"kafka-topics.sh --delete --topic NAME: {', '.join(names)}"
            )
            rows.extend(["topic", name, "not deleted"] for name in names)
            return reason
        self.carp(f"Deleting topics {', '.join(names)}...")
        await delete(names)
        rows.extend(["topic", name, R_DELETED] for name in names)
        return None
