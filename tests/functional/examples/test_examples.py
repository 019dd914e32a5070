"""Every example runs as its docstring says and prints what it promises.

Each example is run as a user would (``python examples/<name>.py`` from the
project root, on the embedded broker) and its output is checked against the
lines its docstring shows.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"

RunExample = Callable[[str], subprocess.CompletedProcess[str]]

#: Examples whose output is checked elsewhere (file that tests them).
TESTED_ELSEWHERE = {
    "word_count.py": "tests/functional/tables/test_tables_word_count_example.py",
    "joins.py": "tests/functional/test_example_joins.py",
    "livecheck.py": "tests/functional/livecheck/test_livecheck_end_to_end.py",
}


def output(run_example: RunExample, name: str) -> list[str]:
    result = run_example(name)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout.splitlines()


def test_hello_world(run_example: RunExample) -> None:
    lines = output(run_example, "hello_world.py")
    for name in ("Ada", "Grace", "Alan", "Edsger", "Barbara"):
        assert f"Hello {name}!" in lines
    assert lines[-1] == "Greeted 5 people."


def test_withdrawals(run_example: RunExample) -> None:
    assert output(run_example, "withdrawals.py") == [
        "user totals: alice=150.00 bob=75.00 carol=300.00",
        "per country and minute:",
        "  DE 12:00 -> 100.00",
        "  SE 12:00 -> 125.00",
        "  SE 12:01 -> 300.00",
    ]


def test_windows(run_example: RunExample) -> None:
    lines = output(run_example, "windows.py")
    assert sorted(lines[:3]) == [
        "closed: /about 12:00-12:01 -> 1 view(s)",
        "closed: /home 12:00-12:01 -> 3 view(s)",
        "closed: /home 12:01-12:02 -> 2 view(s)",
    ]
    assert lines[3:] == [
        "/home: 6 view(s) in the hopping window 12:00-12:05",
        "/home: 1 view(s) in the sliding window 12:00:40-12:01:40",
        "Closed 3 windows.",
    ]


def test_set_table(run_example: RunExample) -> None:
    assert output(run_example, "set_table.py") == [
        "#general: ['ada', 'grace']",
        "#python: ['alan', 'grace']",
        "grace is in 2 rooms",
    ]


def test_task_queue(run_example: RunExample) -> None:
    lines = output(run_example, "task_queue.py")
    assert sorted(lines[:3]) == [
        "add(1, 1) -> 2",
        "resize('cat.png', 64) -> 'cat.png@64px'",
        "resize('dog.png', 128) -> 'dog.png@128px'",
    ]
    assert lines[3:] == [
        "results table: ['job-1', 'job-2', 'job-3']",
        "add(2, 3) -> 5",
        "add(2, 3) = 5",
    ]


def test_leader_election(run_example: RunExample) -> None:
    assert output(run_example, "leader_election.py") == [
        "2 workers, 1 leader",
        "only the leader ran the timer: yes",
        "after the leader stopped, the other worker leads: yes",
    ]


def test_rpc(run_example: RunExample) -> None:
    assert output(run_example, "rpc.py") == [
        "ask: 7 squared is 49",
        "map: [1, 4, 9]",
        "join: [100, 400, 900]",
        "cast: 1 value(s) processed without a reply",
    ]


def test_concurrency(run_example: RunExample) -> None:
    assert output(run_example, "concurrency.py") == [
        "12 lookups done by 4 instances",
        "at most 4 at once",
        "faster than one instance: yes",
    ]


def test_timers(run_example: RunExample) -> None:
    lines = output(run_example, "timers.py")
    assert lines[0] == "task: started"
    assert lines.count("task: started") == 1
    ticks = [line for line in lines if line.startswith("timer: tick ")]
    assert ticks == [f"timer: tick {n}" for n in range(1, len(ticks) + 1)]
    assert len(ticks) >= 3
    assert "cron: second 1" in lines
    assert lines[-1].startswith(f"ran the task 1 time(s), the timer {len(ticks)} ")


def test_custom_service(run_example: RunExample) -> None:
    lines = output(run_example, "custom_service.py")
    assert lines[:3] == [
        "rates service: started",
        "10.00 EUR = 11.00 USD",
        "25.00 EUR = 27.50 USD",
    ]
    assert lines[3].startswith("rates service: stopped (")
    assert int(lines[3].split("(")[1].split()[0]) >= 2


def test_table_routing(run_example: RunExample) -> None:
    assert output(run_example, "table_routing.py") == [
        "fox: 2, asked worker 1, answered by its owner: yes",
        "fox: 2, asked worker 2, answered by its owner: yes",
        "dog: 3, asked worker 1, answered by its owner: yes",
        "dog: 3, asked worker 2, answered by its owner: yes",
        "Both workers answered for keys they do not own.",
    ]


def test_web_views(run_example: RunExample) -> None:
    lines = output(run_example, "web_views.py")
    assert lines[0] == "POST /orders/ 202 {'accepted': 'o1'}"
    assert lines[2] == (
        "GET /orders/nope/ 404 {'error': 'no such order', 'order_id': 'nope'}"
    )
    assert "GET /stats/total/ 200 {'total': 3}" in lines
    assert lines[-1].startswith("POST /orders/ (bad JSON) 400 ")


def test_asgi_app(run_example: RunExample) -> None:
    assert output(run_example, "asgi_app.py") == [
        "POST /orders/ 202 {'accepted': 'tea'}",
        "POST /orders/ 202 {'accepted': 'cake'}",
        "POST /orders/ (bad JSON) 400",
        "GET /ordered/tea/ 200 {'item': 'tea', 'qty': 2}",
        "GET /ordered/cake/ 200 {'item': 'cake', 'qty': 1}",
        "Served 5 requests.",
    ]


def test_django_project(run_example: RunExample) -> None:
    assert output(run_example, "django/demo.py") == ["ada: 150.00", "alan: 25.00"]


def _example_files() -> list[Path]:
    return [
        *sorted(p for p in EXAMPLES.glob("*.py") if p.name != "__init__.py"),
        EXAMPLES / "django" / "demo.py",
    ]


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: p.name)
def test_every_example_says_how_to_run_it_and_is_tested(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    relative = path.relative_to(EXAMPLES).as_posix()
    assert f"python examples/{relative}" in doc, "no command to run it"
    assert "prints" in doc or "print" in doc, "does not say what it prints"
    tested_here = f'"{relative}"' in Path(__file__).read_text()
    assert tested_here or path.name in TESTED_ELSEWHERE
    if path.name in TESTED_ELSEWHERE:
        assert (ROOT / TESTED_ELSEWHERE[path.name]).exists()
