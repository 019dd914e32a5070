"""faust.cli._output: say/carp, colours, tables and JSON."""

from __future__ import annotations

import datetime
import io
import json
import os
from decimal import Decimal
from unittest.mock import patch

import pytest

from faust.cli._output import Output


def make(**kwargs: object) -> tuple[Output, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Output(stdout=out, stderr=err, **kwargs), out, err  # type: ignore[arg-type]


def test_say_and_carp() -> None:
    output, out, err = make()
    output.say("hello")
    output.carp("warning")
    assert out.getvalue() == "hello\n"
    assert err.getvalue() == "warning\n"


def test_quiet_writes_nothing() -> None:
    output, out, err = make(quiet=True)
    output.say("hello")
    output.carp("warning")
    assert (out.getvalue(), err.getvalue()) == ("", "")


def test_say_to_other_file() -> None:
    output, out, _ = make()
    other = io.StringIO()
    output.say("x", file=other, nl=False)
    assert (out.getvalue(), other.getvalue()) == ("", "x")


def test_tabulate_json_with_headers() -> None:
    output, _, _ = make(json=True)
    text = output.tabulate([("foo", 1), ("bar", 2)], headers=["name", "n"])
    assert json.loads(text) == [{"name": "foo", "n": 1}, {"name": "bar", "n": 2}]


def test_tabulate_json_without_headers() -> None:
    output, _, _ = make(json=True)
    assert json.loads(output.tabulate([("foo", 1)], title="ignored")) == [["foo", 1]]


def test_tabulate_json_empty() -> None:
    output, _, _ = make(json=True)
    assert output.tabulate([], headers=["a"]) == "[]"


def test_tabulate_terminal() -> None:
    output, _, _ = make()
    text = output.tabulate(
        [("@foo", "orders")], headers=["name", "topic"], title="Agents"
    )
    assert text.splitlines() == [
        "+- Agents ------+",
        "| name | topic  |",
        "+------+--------+",
        "| @foo | orders |",
        "+------+--------+",
    ]


def test_tabulate_wraps_last_column() -> None:
    output, _, _ = make()
    long_help = "word " * 40
    with patch(
        "shutil.get_terminal_size",
        return_value=os.terminal_size((40, 20)),
    ):
        text = output.tabulate([("@agent", long_help)], headers=["name", "help"])
    lines = text.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert "".join(lines).count("word") == 40


def test_no_colors_when_not_a_tty() -> None:
    output, _, _ = make()
    assert output.color("blue", "x") == "x"
    assert output.bold("x") == "x"
    assert output.dark("x") == "x"


@pytest.mark.parametrize(
    ("name", "code"), [("blue", "\x1b[34m"), ("hiblue", "\x1b[94m"), ("b", "\x1b[1m")]
)
def test_colors_when_forced(name: str, code: str) -> None:
    output, _, _ = make(color=True)
    assert output.color(name, "x") == f"{code}x\x1b[0m"


def test_json_disables_colors() -> None:
    output, _, _ = make(color=True, json=True)
    assert output.color("blue", "x") == "x"


def test_bold_tail() -> None:
    output, _, _ = make(color=True)
    assert output.bold_tail("a.b.Model") == "a.b.\x1b[1mModel\x1b[0m"
    assert output.bold_tail("Model") == "\x1b[1mModel\x1b[0m"


def test_dumps_handles_faust_types() -> None:
    output, _, _ = make()
    text = output.dumps({"at": datetime.date(2024, 1, 2), "amount": Decimal("1.5")})
    assert json.loads(text) == {"at": "2024-01-02", "amount": "1.5"}


def test_say_err_writes_to_stderr() -> None:
    output, out, err = make()
    output.say("problem", err=True)
    assert (out.getvalue(), err.getvalue()) == ("", "problem\n")


def test_carp_takes_s_by_keyword_as_in_faust() -> None:
    output, out, err = make()
    output.carp(s="note")
    assert (out.getvalue(), err.getvalue()) == ("", "note\n")
