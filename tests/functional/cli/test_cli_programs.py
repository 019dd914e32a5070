"""Every ``faust`` subcommand as a real program: output, JSON, exit status, errors.

Each test runs ``python -m faust`` (or a script) as a subprocess on the
``memory://`` broker; independent runs of one test are started together.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

APP = '''
import os
import time

import faust

app = faust.App(
    "progs",
    broker="memory://",
    store=os.environ.get("PROGS_STORE", "memory://"),
    topic_partitions=2,
)


class Order(faust.Record):
    """An order."""

    id: str
    qty: int = 1


orders = app.topic("orders", value_type=Order)
totals = app.Table("totals", default=int, help="Quantity per order id.")


@app.agent(orders)
async def process(stream):
    """Process orders."""
    async for order in stream:
        totals[order.id] += order.qty


if os.environ.get("PROGS_BLOCK"):
    @app.timer(0.1)
    async def block_the_loop():
        time.sleep(float(os.environ["PROGS_BLOCK"]))  # blocks the event loop
'''


def gather(*coros: Any) -> Any:
    return asyncio.gather(*coros)


async def test_send_to_a_memory_app_says_it_cannot_reach_the_worker(
    run_program: Any, write_module: Any
) -> None:
    # The program's memory:// broker is its own: a worker elsewhere never
    # sees the message, so no offset is printed (in-process sends:
    # test_cli_commands.py).
    write_module("progs", APP)
    code, out, err = await run_program(
        "-A", "progs", "send", "-V", "Order", "orders", '{"id": "a", "qty": 2}'
    )
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("Error: faust send cannot reach a worker on memory://")
    )
    assert "kafka://" in err


async def test_model_and_models(run_program: Any, write_module: Any) -> None:
    write_module("progs", APP)
    (table, tout, terr), (bad, _, berr), (js, jout, jerr) = await gather(
        run_program("-A", "progs", "model", "Order"),
        run_program("-A", "progs", "model", "Ordr"),
        run_program("-A", "progs", "--json", "models", "--builtins"),
    )
    assert table == 0, terr
    assert tout.splitlines() == [
        "+- Order ------+---------+",
        "| field | type | default |",
        "+-------+------+---------+",
        "| id    | str  | *       |",
        "| qty   | int  | 1       |",
        "+-------+------+---------+",
    ]
    assert bad == 2
    assert "Error: No model 'Ordr'. Did you mean progs.Order?" in berr
    assert js == 0, jerr
    rows = json.loads(jout)
    assert {"name": "Order", "help": "An order."} in rows
    assert "@ReqRepRequest" in [row["name"] for row in rows]


async def test_reset(run_program: Any, write_module: Any, tmp_path: Path) -> None:
    pytest.importorskip("rocksdict")
    write_module("progs", APP)
    env = {"PROGS_STORE": "rocksdb://"}
    tables = tmp_path / "progs-data" / "v1" / "tables"
    for partition in (0, 1):
        (tables / f"totals-{partition}.db").mkdir(parents=True)
    code, out, err = await run_program("-A", "progs", "reset", "--topics", **env)
    # deleting topics asks; no terminal to answer: nothing is deleted
    assert code == 1
    assert "Reset of app 'progs' deletes:" in err
    assert "local data of table 'totals' (progs-data/v1/tables)" in err
    assert "topic 'progs-totals-changelog'" in err
    assert "Error: reset aborted: nothing was deleted" in err
    assert out == ""
    assert len(list(tables.glob("*.db"))) == 2
    # as Faust's reset: local table data only, nothing asked
    code, out, err = await run_program("-A", "progs", "--json", "reset", **env)
    assert code == 0, err
    assert {"what": "table data", "name": "totals", "result": "deleted"} in json.loads(
        out
    )
    assert "topic" not in out
    assert not list(tables.glob("*.db"))


async def test_clean_versions(
    run_program: Any, write_module: Any, tmp_path: Path
) -> None:
    write_module("progs", APP)
    for version in ("v0", "v1"):
        (tmp_path / "data" / version).mkdir(parents=True)
    code, out, err = await run_program("-A", "progs", "-D", "data", "clean-versions")
    assert code == 0, err
    assert out == "Removing old version directory data/v0...\n"
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["v1"]


async def test_completion(run_program: Any, write_module: Any) -> None:
    """click's shell completion completes commands, app commands included."""
    write_module("progs", APP)
    code, out, err = await run_program(
        _FAUST_COMPLETE="bash_complete", COMP_WORDS="faust -A progs mod", COMP_CWORD="3"
    )
    assert code == 0, err
    assert out.split() == ["plain,model", "plain,models"]


async def test_livecheck(run_program: Any, spawn: Any, write_module: Any) -> None:
    write_module("progs", APP)
    code, _, err = await run_program("-A", "progs", "livecheck")
    assert code == 2
    assert "Error: App 'progs' is not associated with LiveCheck" in err
    program = await spawn(
        str(ROOT / "examples" / "livecheck.py"),
        "livecheck",
        "--without-web",
        "-l",
        "info",
        module=False,
    )
    await program.wait_for("Partitions assigned:")
    await program.wait_for("| livecheck-bus ")  # the LiveCheck app's topics
    program.send(signal.SIGTERM)
    code, out, err = await program.finish()
    assert code == 0, err
    assert "| id        | livecheck-orders" in out  # the LiveCheck app's worker


async def test_livecheck_example_detects_a_bug(run_program: Any) -> None:
    script = str(ROOT / "examples" / "livecheck.py")
    code, out, err = await run_program(
        script, "--json", "demo", "--orders", "2", "--bug", module=False
    )
    assert code == 1
    assert json.loads(out)[:2] == [
        {"state": "PASS", "tests": 0},
        {"state": "FAIL", "tests": 2},
    ]
    assert "Error: 2 test(s) failed" in err
    assert "side changed from" in err


async def test_worker_pidfile_blocking_and_assignment(
    spawn: Any, run_program: Any, write_module: Any, tmp_path: Path
) -> None:
    write_module("progs", APP)
    pidfile = tmp_path / "w.pid"
    program = await spawn(
        "-A",
        "progs",
        "worker",
        "--without-web",
        "-l",
        "info",
        "--pidfile",
        str(pidfile),
        "--blocking-timeout",
        "0.2",
        PROGS_BLOCK="0.5",
    )
    await program.wait_for("Ready")
    await program.wait_for("Event loop blocked for more than 0.2 second(s)")
    where = await program.wait_for("progs.py")  # the stack of the blocking code
    assert "block_the_loop" in where
    assert "time.sleep(float" in await program.wait_for("time.sleep(")
    assert pidfile.read_text() == f"{program.proc.pid}\n"
    program.send(signal.SIGUSR1)  # dumps the stack of every task
    await program.wait_for("TASKS")
    assert "TASK " in await program.wait_for("TASK ")
    # a second worker with the same PID file refuses to start
    code, _, err = await run_program(
        "-A", "progs", "worker", "--without-web", "--pidfile", str(pidfile)
    )
    assert code == 1
    assert f"already running with pid {program.proc.pid}" in err
    program.send(signal.SIGTERM)
    code, _, err = await program.finish()
    assert code == 0, err
    assert not pidfile.exists()
    log = "".join(program.stderr_lines)
    assert re.search(r"Partitions assigned:\n.*\| topic +\| partitions", log, re.S)
    assert re.search(r"\| progs-totals-changelog +\| 0-1 +\|", log)


async def test_umbrella_options(run_program: Any, tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "progs.py").write_text(APP)
    (tmp_path / "other-data" / "v0").mkdir(parents=True)
    log = tmp_path / "cmd.log"
    (code, out, err), (quiet, qout, qerr) = await gather(
        # -W: the app is imported from that directory; -D: its data directory
        run_program(
            "-W",
            "proj",
            "-A",
            "progs",
            "-D",
            str(tmp_path / "other-data"),
            "--json",
            "clean-versions",
        ),
        # -q prints nothing; -f logs to a file; --debug without aiomonitor warns
        run_program(
            "-W",
            "proj",
            "-A",
            "progs",
            "-q",
            "--debug",
            "--console-port",
            "50777",
            "-L",
            "aio",
            "models",
            "-f",
            str(log),
            "-l",
            "info",
        ),
    )
    assert code == 0, err
    assert json.loads(out) == [str(tmp_path / "other-data" / "v0")]
    assert (quiet, qout, qerr) == (0, "", "")
    assert "aiomonitor is not installed" in log.read_text()


async def test_app_main(run_program: Any, write_module: Any) -> None:
    write_module("progs", APP + "\nif __name__ == '__main__':\n    app.main()\n")
    code, out, err = await run_program("progs.py", "--json", "tables", module=False)
    assert code == 0, err
    assert json.loads(out) == [{"name": "totals", "help": "Quantity per order id."}]


async def test_autodiscovered_command(run_program: Any, tmp_path: Path) -> None:
    package = tmp_path / "shop"
    (package / "commands").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import faust\n"
        "app = faust.App('shop', broker='memory://', origin='shop',\n"
        "                autodiscover=True)\n"
    )
    (package / "commands" / "__init__.py").write_text("")
    (package / "commands" / "greet.py").write_text(
        "from faust.cli import argument\n"
        "from shop import app\n\n"
        "@app.command(argument('name'))\n"
        "async def greet(self, name):\n"
        '    """Greet somebody."""\n'
        "    self.say(f'hello {name}')\n"
    )
    (package / "commands" / "test_greet.py").write_text("raise RuntimeError('no')\n")
    code, out, err = await run_program("-A", "shop", "greet", "ada")
    assert (code, out) == (0, "hello ada\n"), err


async def test_send_with_the_broker_down_fails_quickly_in_one_line(
    run_program: Any, write_module: Any
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write_module(
        "downapp",
        f"""
        import faust
        app = faust.App("downapp", broker="kafka://127.0.0.1:{port}")
        orders = app.topic("orders", value_type=str)
        """,
    )
    started = time.monotonic()
    code, out, err = await run_program("-A", "downapp", "send", "orders", "hello")
    elapsed = time.monotonic() - started
    assert code == 1
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert f"127.0.0.1:{port}" in lines[0]
    assert "Traceback" not in err
    assert elapsed < 20, f"took {elapsed:.1f}s"
