"""faust.cli.agents and faust.cli.tables: listings of the app's parts."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock

from faust.cli import call_command


def run(*argv: str, **kwargs: Any) -> tuple[int, str, str]:
    code, out, err = call_command(argv[0], list(argv[1:]), **kwargs)
    return code, out.getvalue(), err.getvalue()  # type: ignore[attr-defined]


def agent(name: str, help: str = "", **channel: Any) -> SimpleNamespace:
    return SimpleNamespace(name=name, help=help, channel=SimpleNamespace(**channel))


def _run_in_process(monkeypatch: Any) -> None:
    """Run commands without a worker process (the listing is synchronous)."""
    from faust.cli.base import Command

    def run_now(self: Any, *args: Any, **kwargs: Any) -> None:
        coro = self.execute(*self.args, **self.kwargs)
        try:
            coro.send(None)
        except StopIteration:
            pass

    monkeypatch.setattr(Command, "run_using_worker", run_now)


def rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if re.match(r"^\|", line)
    ]


def test_agents(app_factory: Any, monkeypatch: Any) -> None:
    _run_in_process(monkeypatch)
    app = app_factory(origin="proj")
    app.agents = Mock(name="agents")
    app.agents.values.return_value = [
        agent("proj.b", "Second.", topics=["orders"], pattern=None),
        agent("proj.a", topics=["t1", "t2"], pattern=None),
        agent("proj.local"),
        agent("other.p", pattern=re.compile("^events-.*")),
    ]
    code, out, err = run("agents", app=app)
    assert code == 0, err
    assert rows(out) == [
        ["name", "topic", "help"],
        ["@other.p", "^events-.*", "<N/A>"],
        ["@a", "t1, t2", "<N/A>"],
        ["@b", "orders", "Second."],
    ]


def test_agents_local_json(app_factory: Any, monkeypatch: Any) -> None:
    _run_in_process(monkeypatch)
    app = app_factory(origin="proj")
    app.agents = Mock(name="agents")
    app.agents.values.return_value = [agent("proj.local", "Local one.")]
    code, out, _ = run("--json", "agents", "--local", app=app)
    assert code == 0
    assert json.loads(out) == [
        {"name": "@local", "topic": "<LOCAL>", "help": "Local one."}
    ]


def test_tables(app: Mock, monkeypatch: Any) -> None:
    _run_in_process(monkeypatch)
    app.tables.values.return_value = [
        SimpleNamespace(name="totals", help="Totals by key."),
        SimpleNamespace(name="counts", help=""),
    ]
    code, out, err = run("tables", app=app)
    assert code == 0, err
    assert rows(out) == [
        ["name", "help"],
        ["counts", "<N/A>"],
        ["totals", "Totals by key."],
    ]
