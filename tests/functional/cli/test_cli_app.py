"""``faust -A app worker`` and ``python app.py ...`` with a real faust.App."""

from __future__ import annotations

import json
import re
import signal
from typing import Any

APP = '''
import faust

app = faust.App("cli-functional", broker="memory://", store="memory://")


@app.agent(app.topic("orders"))
async def process(stream):
    """Process orders."""
    async for order in stream:
        pass


@app.command()
async def hello(self):
    """Say hello from the app."""
    self.say("hello from the app")


if __name__ == "__main__":
    app.main()
'''


async def test_worker_ready_then_sigterm_exits_0(spawn: Any, write_module: Any) -> None:
    write_module("cliapp", APP)
    program = await spawn("-A", "cliapp", "worker", "-l", "info", "--without-web")
    await program.wait_for("Ready")
    program.send(signal.SIGTERM)
    code, out, err = await program.finish()
    assert code == 0, err
    assert "| id        | cli-functional" in out
    assert "| transport | memory://" in out
    assert "| web       | disabled" in out
    assert "Traceback" not in err


async def test_app_main_runs_worker(spawn: Any, write_module: Any) -> None:
    write_module("cliapp", APP)
    program = await spawn(
        "cliapp.py", "worker", "-l", "info", "--without-web", module=False
    )
    await program.wait_for("Ready")
    program.send(signal.SIGINT)
    code, out, err = await program.finish()
    assert code == 0, err
    assert "cli-functional" in out


async def test_app_command(spawn: Any, write_module: Any) -> None:
    write_module("cliapp", APP)
    program = await spawn("-A", "cliapp", "hello")
    code, out, err = await program.finish()
    assert code == 0, err
    assert out == "hello from the app\n"


async def test_app_command_listed_in_help(spawn: Any, write_module: Any) -> None:
    write_module("cliapp", APP)
    program = await spawn("cliapp.py", "--help", module=False)
    code, out, err = await program.finish()
    assert code == 0, err
    assert re.search(r"\n  hello +Say hello from the app\.\n", out)
    assert re.search(r"\n  agents +List the agents of the app\.\n", out)
    assert re.search(r"\n  worker +Start a worker", out)


CRASHING_APP = """
import faust

app = faust.App("cli-crash", broker="memory://", store="memory://")


@app.task
async def explode(app):
    await app.crash(RuntimeError("app exploded"))
"""


async def test_app_crash_exits_1(spawn: Any, write_module: Any) -> None:
    write_module("crashapp", CRASHING_APP)
    program = await spawn("-A", "crashapp", "worker", "--without-web")
    code, _, err = await program.finish()
    assert code == 1
    assert "RuntimeError('app exploded')" in err


async def test_agents_json(spawn: Any, write_module: Any) -> None:
    write_module("cliapp", APP)
    program = await spawn("-A", "cliapp", "--json", "agents")
    code, out, err = await program.finish()
    assert code == 0, err
    assert json.loads(out) == [
        {"name": "@process", "topic": "orders", "help": "Process orders."}
    ]
