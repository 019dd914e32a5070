"""faust.utils.terminal.tables: boxed tables for terminals and logs."""

from __future__ import annotations

import io
import os
from unittest.mock import patch

from faust.utils.terminal import dict_as_ansitable, isatty, logtable, table
from faust.utils.terminal.tables import Table, text_width


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ascii_table() -> None:
    text = table([("name", "n"), ("foo", 10)], tty=False).table
    assert text.splitlines() == [
        "+------+----+",
        "| name | n  |",
        "+------+----+",
        "| foo  | 10 |",
        "+------+----+",
    ]


def test_unicode_table_on_a_tty() -> None:
    text = table([("a", "b"), ("c", "d")], target=_TTY()).table
    assert text.splitlines() == [
        "┌───┬───┐",
        "│ a │ b │",
        "├───┼───┤",
        "│ c │ d │",
        "└───┴───┘",
    ]


def test_title_in_border_widens_table() -> None:
    text = table([("a", "b")], title="A long title", tty=False).table
    lines = text.splitlines()
    assert lines[0] == "+- A long title -+"
    assert {len(line) for line in lines} == {len(lines[0])}


def test_multiline_cells_and_short_rows() -> None:
    text = table([("k", "v"), ("x", "one\ntwo"), ("y",)], tty=False).table
    assert text.splitlines()[3:6] == ["| x | one |", "|   | two |", "| y |     |"]


def test_ansi_codes_and_wide_characters_do_not_count() -> None:
    assert text_width("\x1b[1mbold\x1b[0m") == 4
    assert text_width("日本") == 4
    text = table([("\x1b[1mid\x1b[0m", "日本")], tty=False).table
    widths = {text_width(line) for line in text.splitlines()}
    assert len(widths) == 1


def test_borders_can_be_turned_off() -> None:
    data = [("a", "b"), ("c", "d")]
    text = Table(
        data,
        tty=False,
        outer_border=False,
        inner_column_border=False,
        inner_heading_row_border=False,
    ).table
    assert text.splitlines() == [" a   b", " c   d"]


def test_row_borders() -> None:
    text = Table([("a",), ("b",), ("c",)], tty=False, inner_row_border=True).table
    assert text.count("+---+") == 4


def test_empty_table() -> None:
    assert table([], tty=False).table == "++\n++"


def test_column_max_width_uses_terminal_size() -> None:
    t = Table([("name", "help")], tty=False)
    with patch("shutil.get_terminal_size", return_value=os.terminal_size((80, 24))):
        # 80 - "name" (4) - paddings (4) - separators (3)
        assert t.column_max_width(1) == 69


def test_logtable_with_headers() -> None:
    text = logtable([("tp", 1)], title="Assigned", headers=["topic", "n"], tty=False)
    assert text.splitlines()[1].startswith("| topic | n ")
    assert text.startswith("+- Assigned")


def test_dict_as_ansitable_sorted() -> None:
    text = dict_as_ansitable({"b": 2, "a": 1}, sort=True, target=io.StringIO())
    lines = text.splitlines()
    assert lines[1] == "| Key | Value |"
    assert lines[3:5] == ["| a   | 1     |", "| b   | 2     |"]


def test_isatty() -> None:
    closed = io.StringIO()
    closed.close()
    assert isatty(_TTY()) is True
    assert isatty(io.StringIO()) is False
    assert isatty(closed) is False
    assert isatty(None) is False
