"""The ``faust`` program and the worker as a real process.

These run a stand-in app (a mode Service registered as an ``AppT``), so they
check the program, logging, signals and exit statuses on their own;
``test_cli_app.py`` does the same with a real ``faust.App``.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import faust

FAKE_APP = """
import asyncio
import os
from pathlib import Path
from types import SimpleNamespace

from mode import Service
from yarl import URL

from faust.types import AppT
from faust.worker import Worker

MODE = os.environ.get("FAKE_APP_MODE", "ok")


class Conf(SimpleNamespace):
    def is_set(self, name):
        return False


class FakeApp(Service):
    in_worker = False
    on_startup_finished = None

    def __init__(self):
        super().__init__()
        self.conf = Conf(
            id="fakeapp", origin=None, autodiscover=False,
            key_serializer="raw", value_serializer="json",
            broker=[URL("memory://")], store=URL("memory://"),
            web_enabled=True, web_port=6066, web_bind="0.0.0.0",
            web_host="localhost", web_transport=URL("tcp://"),
            canonical_url=URL("http://localhost:6066"),
            datadir=Path("fakeapp-data"), appdir=Path("fakeapp-data/v1"),
            blocking_timeout=None, logging_config=None, loghandlers=[],
            worker_redirect_stdouts=True, worker_redirect_stdouts_level="WARN",
        )
        self.transport = SimpleNamespace(driver_version="fake=1")
        self.web = SimpleNamespace(driver_version="fakeweb=1")
        self.sensors = set()

    def finalize(self):
        pass

    def worker_init(self):
        pass

    def discover(self):
        pass

    def worker_init_post_autodiscover(self):
        pass

    def Worker(self, **kwargs):
        return Worker(self, **kwargs)

    async def on_start(self):
        if MODE == "broker":
            from faust.exceptions import BrokerUnavailable
            raise BrokerUnavailable("Cannot connect to the Kafka broker(s) x:1")
        if MODE == "extra":
            from faust.exceptions import ImproperlyConfigured
            raise ImproperlyConfigured("needs statsd: pip install 'faust-ng[statsd]'")

    async def on_started(self):
        if MODE == "crash":
            self.add_future(self._explode())
        print("printed by the app")
        await self.on_startup_finished()

    async def _explode(self):
        raise RuntimeError("app exploded")

    async def on_stop(self):
        if MODE == "hang":
            await asyncio.Event().wait()


AppT.register(FakeApp)
app = FakeApp()
"""


async def test_version(spawn: Any) -> None:
    program = await spawn("--version")
    code, out, err = await program.finish()
    assert (code, out) == (0, f"faust, version Faust {faust.__version__}\n"), err


async def test_console_script_version(spawn: Any) -> None:
    script = Path(sys.executable).parent / "faust"
    program = await spawn(str(script), "--version", module=False)
    code, out, _ = await program.finish()
    assert (code, out) == (0, f"faust, version Faust {faust.__version__}\n")


async def test_bad_app_one_line_exit_2(spawn: Any) -> None:
    program = await spawn("-A", "examples.nope", "worker")
    code, out, err = await program.finish()
    assert code == 2
    assert out == ""
    assert err == "Error: -A examples.nope: no module named 'examples'\n"
    assert "Traceback" not in err


async def test_worker_starts_and_stops_on_sigterm(
    spawn: Any, write_module: Any
) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", "-l", "info", "--without-web")
    await program.wait_for("Ready")
    program.send(signal.SIGTERM)
    code, out, err = await program.finish()
    assert code == 0, err
    assert "| id        | fakeapp" in out  # the banner
    assert "| web       | disabled" in out
    assert "(info)" in out
    assert "printed by the app" in err  # print() went to the log
    assert "printed by the app" not in out
    assert "Traceback" not in err


async def test_sigint_stops_gracefully(spawn: Any, write_module: Any) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", "-l", "info")
    await program.wait_for("Ready")
    program.send(signal.SIGINT)
    code, _, err = await program.finish()
    assert code == 0, err
    assert "-INT-" in err


async def test_sigusr1_dumps_tasks(spawn: Any, write_module: Any) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", "-l", "info")
    await program.wait_for("Ready")
    program.send(signal.SIGUSR1)
    await program.wait_for("TASKS")
    program.send(signal.SIGTERM)
    code, _, err = await program.finish()
    assert code == 0, err


async def test_second_signal_forces_exit(spawn: Any, write_module: Any) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", "-l", "info", FAKE_APP_MODE="hang")
    await program.wait_for("Ready")
    program.send(signal.SIGTERM)
    await program.wait_for("Signal received: SIGTERM")
    program.send(signal.SIGINT)
    code, _, err = await program.finish()
    assert code == 128 + signal.SIGINT, err
    assert "SIGINT received while stopping: exiting now" in err


async def test_app_crash_exits_nonzero_with_error_logged(
    spawn: Any, write_module: Any
) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", FAKE_APP_MODE="crash")
    code, _, err = await program.finish()
    assert code == 1
    assert "RuntimeError: app exploded" in err


async def test_known_error_at_startup_is_one_line(
    spawn: Any, write_module: Any
) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", FAKE_APP_MODE="broker")
    code, _, err = await program.finish()
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "BrokerUnavailable" in line]
    assert len(lines) == 1, err
    assert (
        lines[0]
        .rstrip()
        .endswith(
            "[ERROR] BrokerUnavailable: Cannot connect to the Kafka broker(s) x:1"
        )
    )


async def test_missing_optional_package_is_one_line(
    spawn: Any, write_module: Any
) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn("-A", "fakeapp", "worker", FAKE_APP_MODE="extra")
    code, _, err = await program.finish()
    assert code == 1
    assert "Traceback" not in err
    assert "ImproperlyConfigured: needs statsd: pip install 'faust-ng[statsd]'" in err


async def test_known_error_traceback_at_debug_level(
    spawn: Any, write_module: Any
) -> None:
    write_module("fakeapp", FAKE_APP)
    program = await spawn(
        "-A", "fakeapp", "worker", "-l", "debug", FAKE_APP_MODE="broker"
    )
    code, _, err = await program.finish()
    assert code == 1
    assert "Traceback" in err
    assert "BrokerUnavailable: Cannot connect to the Kafka broker(s) x:1" in err
