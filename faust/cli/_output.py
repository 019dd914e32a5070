"""How commands write: plain text, colours, tables and JSON.

Every ``faust`` command writes through an :class:`Output` so that ``--quiet``,
``--json`` and ``--no-color`` are honoured in one place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from textwrap import wrap
from typing import IO, Any

import click

from faust.utils import json as _json
from faust.utils.terminal import Table, TableDataT, isatty
from faust.utils.terminal import table as _table

__all__ = ["Output", "OutputMixin"]

#: Faust (colorclass) colour names → :func:`click.style` arguments.
_STYLES: dict[str, dict[str, Any]] = {
    "b": {"bold": True},
    "autoblack": {"dim": True},
    "autoblue": {"fg": "blue"},
    "autored": {"fg": "red"},
    "autogreen": {"fg": "green"},
}


def _style_for(name: str) -> dict[str, Any]:
    style = _STYLES.get(name)
    if style is not None:
        return style
    if name.startswith("hi"):
        return {"fg": f"bright_{name[2:]}"}
    return {"fg": name}


def _wrap(text: str, width: int) -> str:
    return "\n".join(
        line
        for paragraph in text.splitlines()
        for line in wrap(paragraph, width) or [""]
    )


class Output:
    """Writes a command's output, obeying ``--quiet``/``--json``/``--no-color``.

    Arguments:
        quiet: write nothing (``-q``).
        json: tables are written as JSON (``--json``).
        color: use ANSI colours; None means "if stdout is a terminal".
        stdout: where :meth:`say` writes (default :data:`sys.stdout`).
        stderr: where :meth:`carp` writes (default :data:`sys.stderr`).
    """

    def __init__(
        self,
        *,
        quiet: bool = False,
        json: bool = False,
        color: bool | None = None,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        self.quiet = quiet
        self.json = json
        # Streams are bound now: a worker later redirects sys.stdout into
        # logging, but command output must still reach the terminal.
        self.stdout: IO[str] = sys.stdout if stdout is None else stdout
        self.stderr: IO[str] = sys.stderr if stderr is None else stderr
        if color is None:
            color = isatty(self.stdout)
        self.use_color = color and not json

    def say(
        self,
        message: Any,
        file: IO[str] | None = None,
        err: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Write ``message`` to stdout (stderr if ``err``, or ``file``) unless quiet."""
        if not self.quiet:
            if file is None:
                file = self.stderr if err else self.stdout
            click.echo(message, file=file, **kwargs)

    def carp(self, s: Any, **kwargs: Any) -> None:
        """Write ``s`` to stderr unless quiet."""
        if not self.quiet:
            click.echo(s, file=self.stderr, **kwargs)

    def dumps(self, obj: Any) -> str:
        """Serialize ``obj`` to JSON (models, dates, decimals included)."""
        return _json.dumps(obj)

    def tabulate(
        self,
        data: TableDataT,
        headers: Sequence[str] | None = None,
        wrap_last_row: bool = True,
        title: str = "",
        title_color: str = "blue",
        **kwargs: Any,
    ) -> str:
        """Render rows as a terminal table, or as JSON with ``--json``.

        Arguments:
            data: the rows.
            headers: column names: the heading row, and the JSON object keys.
            wrap_last_row: wrap the last column to fit the terminal width.
            title: table title.
            title_color: colour of the title.
            **kwargs: :class:`~faust.utils.terminal.Table` options.

        Returns:
            The text to print: a JSON list (of objects when ``headers`` are
            given) or the table.
        """
        if self.json:
            if headers:
                return self.dumps(
                    [dict(zip(headers, row, strict=False)) for row in data]
                )
            return self.dumps([list(row) for row in data])
        rows = [list(row) for row in data]
        if headers:
            rows.insert(0, list(headers))
        if title:
            title = self.bold(self.color(title_color, title))
        if wrap_last_row and rows:
            rows = self._wrap_last_column(rows, **kwargs)
        return self.table(rows, title=title, **kwargs).table

    def _wrap_last_column(
        self, rows: list[list[Any]], **kwargs: Any
    ) -> list[list[Any]]:
        # Long text in the last column (help texts) is wrapped so that the
        # table fits the terminal; never narrower than 10 columns.
        last = max(len(row) for row in rows) - 1
        width = max(self.table(rows, **kwargs).column_max_width(last), 10)
        return [
            [*row[:-1], _wrap(str(row[-1]), width)] if len(row) > last else row
            for row in rows
        ]

    def table(self, data: TableDataT, title: str = "", **kwargs: Any) -> Table:
        """Create a table (Unicode lines on a terminal, ASCII otherwise)."""
        return _table(data, title=title, target=self.stdout, **kwargs)

    def color(self, name: str, text: str) -> str:
        """Return ``text`` in colour ``name`` (``blue``, ``hiblue``, ``b`` …)."""
        if not self.use_color:
            return text
        return click.style(text, **_style_for(name))

    def dark(self, text: str) -> str:
        """Return ``text`` dimmed."""
        return self.color("autoblack", text)

    def bold(self, text: str) -> str:
        """Return ``text`` in bold."""
        return self.color("b", text)

    def bold_tail(self, text: str, *, sep: str = ".") -> str:
        """Put the last part of a dotted name (``a.b.C``) in bold."""
        head, fsep, tail = text.rpartition(sep)
        return fsep.join([head, self.bold(tail)])


class OutputMixin:
    """Output methods of a command, delegating to its :class:`Output`."""

    output: Output

    def say(
        self,
        message: Any,
        file: IO[str] | None = None,
        err: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Write to stdout (``err=True``: stderr; or ``file``) unless ``--quiet``."""
        self.output.say(message, file=file, err=err, **kwargs)

    def carp(self, s: Any, **kwargs: Any) -> None:
        """Write ``s`` to stderr unless ``--quiet``."""
        self.output.carp(s, **kwargs)

    def dumps(self, obj: Any) -> str:
        """Serialize ``obj`` as JSON."""
        return self.output.dumps(obj)

    def tabulate(
        self,
        data: TableDataT,
        headers: Sequence[str] | None = None,
        wrap_last_row: bool = True,
        title: str = "",
        title_color: str = "blue",
        **kwargs: Any,
    ) -> str:
        """Render rows as a table, or JSON with ``--json`` (see :class:`Output`)."""
        return self.output.tabulate(
            data,
            headers=headers,
            wrap_last_row=wrap_last_row,
            title=title,
            title_color=title_color,
            **kwargs,
        )

    def table(self, data: TableDataT, title: str = "", **kwargs: Any) -> Table:
        """Create a :class:`~faust.utils.terminal.Table` for stdout."""
        return self.output.table(data, title=title, **kwargs)

    def color(self, name: str, text: str) -> str:
        """Return ``text`` in colour ``name`` (unchanged without colours)."""
        return self.output.color(name, text)

    def dark(self, text: str) -> str:
        """Return ``text`` dimmed."""
        return self.output.dark(text)

    def bold(self, text: str) -> str:
        """Return ``text`` in bold."""
        return self.output.bold(text)

    def bold_tail(self, text: str, *, sep: str = ".") -> str:
        """Put the last part of a dotted name in bold."""
        return self.output.bold_tail(text, sep=sep)
