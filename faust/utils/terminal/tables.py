"""Render rows of text as a boxed table for the terminal (or a log file).

The CLI (``faust agents``, the worker banner, …) builds its listings with
:func:`table`.  A terminal gets Unicode box-drawing lines, anything else
(a pipe, a log file) gets plain ASCII, so output stays readable when it is
captured.  ANSI colour codes inside cells do not count towards the width of
a column, and cells may span several lines.
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import IO, Any, NamedTuple

__all__ = [
    "Table",
    "TableDataT",
    "dict_as_ansitable",
    "isatty",
    "logtable",
    "table",
    "text_width",
]

#: Rows of cells; every cell is converted with :func:`str`.
TableDataT = Sequence[Sequence[Any]]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _Box(NamedTuple):
    horizontal: str
    vertical: str
    top: tuple[str, str, str]  # left, middle, right
    middle: tuple[str, str, str]
    bottom: tuple[str, str, str]


UNICODE_BOX = _Box("─", "│", ("┌", "┬", "┐"), ("├", "┼", "┤"), ("└", "┴", "┘"))
ASCII_BOX = _Box("-", "|", ("+", "+", "+"), ("+", "+", "+"), ("+", "+", "+"))


def isatty(fh: IO[str] | None) -> bool:
    """Return True if ``fh`` is an interactive terminal (never raises)."""
    try:
        return bool(fh is not None and fh.isatty())
    except (AttributeError, ValueError):  # closed, or not a real file
        return False


def text_width(text: str) -> int:
    """Return how many terminal columns ``text`` occupies.

    ANSI escape sequences take no room; East Asian wide characters take two.
    """
    plain = _ANSI.sub("", text)
    if plain.isascii():
        return len(plain)
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in plain
        if not unicodedata.combining(ch)
    )


def _pad(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))


class Table:
    """A table of text cells, rendered by the :attr:`table` property.

    Arguments:
        data: the rows; the first row is the heading when
            ``inner_heading_row_border`` is set.
        title: text embedded in the top border.
        tty: use Unicode box drawing (True) or ASCII (False).
        inner_heading_row_border: draw a line below the first row.
        inner_row_border: draw a line between every row.
        inner_column_border: draw a line between columns.
        outer_border: draw the frame around the table.
        padding: spaces on each side of a cell.
    """

    def __init__(
        self,
        data: TableDataT,
        *,
        title: str = "",
        tty: bool = True,
        inner_heading_row_border: bool = True,
        inner_row_border: bool = False,
        inner_column_border: bool = True,
        outer_border: bool = True,
        padding: int = 1,
    ) -> None:
        self.rows: list[list[str]] = [[str(cell) for cell in row] for row in data]
        self.title = title
        self.box = UNICODE_BOX if tty else ASCII_BOX
        self.inner_heading_row_border = inner_heading_row_border
        self.inner_row_border = inner_row_border
        self.inner_column_border = inner_column_border
        self.outer_border = outer_border
        self.padding = padding

    @property
    def column_count(self) -> int:
        """Number of columns (the longest row decides)."""
        return max((len(row) for row in self.rows), default=0)

    def column_widths(self) -> list[int]:
        """Return the width of every column's widest line."""
        widths = [0] * self.column_count
        for row in self.rows:
            for i, cell in enumerate(row):
                for line in cell.splitlines() or [""]:
                    widths[i] = max(widths[i], text_width(line))
        return widths

    def column_max_width(self, column: int) -> int:
        """Return the room left for ``column`` in the terminal's width.

        Used to wrap a long last column so that the table fits the screen.
        """
        widths = self.column_widths()
        cols = len(widths)
        separators = (cols - 1 if self.inner_column_border else 0) + (
            2 if self.outer_border else 0
        )
        used = sum(w for i, w in enumerate(widths) if i != column)
        used += separators + 2 * self.padding * cols
        terminal_width = shutil.get_terminal_size().columns
        return max(terminal_width - used, 0)

    @property
    def table(self) -> str:
        """The rendered table as text (one string, lines joined by newlines)."""
        widths = self._fit_title(self.column_widths())
        lines: list[str] = []
        if self.outer_border:
            lines.append(self._border(self.box.top, widths, self.title))
        elif self.title:
            lines.append(self.title)
        for index, row in enumerate(self.rows):
            if index and (
                self.inner_row_border or (index == 1 and self.inner_heading_row_border)
            ):
                lines.append(self._border(self.box.middle, widths))
            lines.extend(self._row_lines(row, widths))
        if self.outer_border:
            lines.append(self._border(self.box.bottom, widths))
        return "\n".join(lines)

    def _fit_title(self, widths: list[int]) -> list[int]:
        # Widen the last column when the title would not fit in the border.
        if not self.title:
            return widths
        if not widths:
            widths = [0]
        inner = sum(w + 2 * self.padding for w in widths) + (
            len(widths) - 1 if self.inner_column_border else 0
        )
        missing = text_width(self.title) + 4 - inner
        if missing > 0:
            widths[-1] += missing
        return widths

    def _border(
        self, corners: tuple[str, str, str], widths: list[int], title: str = ""
    ) -> str:
        left, middle, right = corners
        h = self.box.horizontal
        join = middle if self.inner_column_border else h
        segments = [h * (w + 2 * self.padding) for w in widths]
        line = join.join(segments)
        if title:
            # The title replaces the start of the line; _fit_title made
            # the line long enough to hold it.
            label = f" {title} "
            rest = len(line) - text_width(label) - 1
            line = h + label + line[len(line) - rest :]
        if not self.outer_border:
            return line
        return f"{left}{line}{right}"

    def _row_lines(self, row: list[str], widths: list[int]) -> list[str]:
        cells = [*row, *[""] * (len(widths) - len(row))]
        split = [cell.splitlines() or [""] for cell in cells]
        height = max(len(lines) for lines in split)
        v = self.box.vertical
        sep = v if self.inner_column_border else " "
        pad = " " * self.padding
        out = []
        for n in range(height):
            parts = [
                pad + _pad(lines[n] if n < len(lines) else "", width) + pad
                for lines, width in zip(split, widths, strict=True)
            ]
            body = sep.join(parts)
            out.append(f"{v}{body}{v}" if self.outer_border else body.rstrip())
        return out


def table(
    data: TableDataT,
    *,
    title: str = "",
    target: IO[str] | None = None,
    tty: bool | None = None,
    **kwargs: Any,
) -> Table:
    """Create a :class:`Table` suited to the stream it will be written to.

    Arguments:
        data: rows of cells.
        title: text embedded in the top border.
        target: the stream the table is for (default :data:`sys.stdout`);
            decides between Unicode and ASCII lines unless ``tty`` is given.
        tty: force Unicode (True) or ASCII (False) lines.
        **kwargs: more :class:`Table` options.
    """
    if tty is None:
        tty = isatty(sys.stdout if target is None else target)
    return Table(data, title=title, tty=tty, **kwargs)


def logtable(
    data: TableDataT,
    *,
    title: str,
    target: IO[str] | None = None,
    tty: bool | None = None,
    headers: Sequence[str] | None = None,
    **kwargs: Any,
) -> str:
    """Render a table for a log message (ASCII unless ``target`` is a tty).

    Arguments:
        data: rows of cells.
        title: text embedded in the top border.
        target: the stream the log goes to (default :data:`sys.stderr`).
        tty: force Unicode (True) or ASCII (False) lines.
        headers: a heading row put before ``data``.
        **kwargs: more :class:`Table` options.
    """
    if tty is None:
        tty = isatty(sys.stderr if target is None else target)
    rows: list[Sequence[Any]] = [headers, *data] if headers else list(data)
    return Table(rows, title=title, tty=tty, **kwargs).table


def dict_as_ansitable(
    d: Mapping[Any, Any],
    *,
    key: str = "Key",
    value: str = "Value",
    sort: bool = False,
    sortkey: Callable[[Any], Any] = itemgetter(0),
    target: IO[str] | None = None,
    title: str | None = None,
) -> str:
    """Render a mapping as a two-column table (heading ``key``/``value``).

    Arguments:
        d: the mapping to show.
        key: heading of the first column.
        value: heading of the second column.
        sort: sort the items with ``sortkey``.
        sortkey: sort key for an ``(key, value)`` item.
        target: the stream the table is for (default :data:`sys.stdout`).
        title: text embedded in the top border.
    """
    items = sorted(d.items(), key=sortkey) if sort else list(d.items())
    return table([(key, value), *items], title=title or "", target=target).table
