"""faust.cli.worker: ``faust worker`` options and how the worker is created."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any
from unittest.mock import Mock

import pytest
from yarl import URL

from faust.cli import call_command


def run(*argv: str, **kwargs: Any) -> tuple[int, str, str]:
    code, out, err = call_command(argv[0], list(argv[1:]), **kwargs)
    return code, out.getvalue(), err.getvalue()  # type: ignore[attr-defined]


def test_defaults_leave_configuration_alone(app: Mock) -> None:
    app.conf.web_enabled = False
    code, _, err = run("worker", app=app)
    assert code == 0, err
    assert app.conf.web_enabled is False
    assert app.conf.web_port == 6066
    assert app.conf.web_host == "localhost"
    app.Worker.assert_called_once_with(
        debug=False,
        quiet=False,
        stdout=app.Worker.call_args.kwargs["stdout"],
        stderr=app.Worker.call_args.kwargs["stderr"],
        loglevel="WARNING",
        logfile=None,
        blocking_timeout=None,
        console_port=50101,
        redirect_stdouts=None,
        redirect_stdouts_level=None,
        loop=app.Worker.call_args.kwargs["loop"],
    )
    app.Worker.return_value.execute_from_commandline.assert_called_once_with()


def test_web_options_are_applied(app: Mock, monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("web_opts_app_mod")
    module.app = app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "web_opts_app_mod", module)
    seen: list[Any] = []
    # the web server is set up (init_server) only after the options apply
    app.worker_init_post_autodiscover.side_effect = lambda: seen.append(
        (app.conf.web_port, app.conf.web_host)
    )
    code, _, err = run(
        "-A",
        "web_opts_app_mod",
        "worker",
        "--without-web",
        "-p",
        "8000",
        "-b",
        "127.0.0.1",
        "-h",
        "worker1.example.com",
        "--web-transport",
        "unix:///tmp/faust.sock",
    )
    assert code == 0, err
    conf = app.conf
    assert conf.web_enabled is False
    assert conf.web_port == 8000
    assert conf.web_bind == "127.0.0.1"
    assert conf.web_host == "worker1.example.com"
    assert conf.web_transport == URL("unix:///tmp/faust.sock")
    assert seen == [(8000, "worker1.example.com")]


def test_with_web_enables(app: Mock) -> None:
    app.conf.web_enabled = False
    code, _, _ = run("worker", "--with-web", app=app)
    assert code == 0
    assert app.conf.web_enabled is True


def test_shared_options_reach_the_worker(app: Mock) -> None:
    code, _, err = run(
        "-q",
        "--debug",
        "-l",
        "info",
        "worker",
        "-f",
        "/tmp/w.log",
        "--blocking-timeout",
        "2",
        "--console-port",
        "7000",
        app=app,
    )
    assert code == 0, err
    kwargs = app.Worker.call_args.kwargs
    assert kwargs["quiet"] is True
    assert kwargs["debug"] is True
    assert kwargs["loglevel"] == "INFO"
    assert kwargs["logfile"] == "/tmp/w.log"
    assert kwargs["blocking_timeout"] == 2.0
    assert kwargs["console_port"] == 7000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-p", "0"], "Invalid value for '--web-port' / '-p'"),
        (["-p", "http"], "Invalid value for '--web-port' / '-p'"),
        (["--web-port"], "Option '--web-port' requires an argument"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_options(app: Mock, argv: list[str], message: str) -> None:
    code, _, err = run("worker", *argv, app=app)
    assert code == 2
    assert message in err
    app.Worker.assert_not_called()


def test_exit_status_of_worker_is_kept(app: Mock) -> None:
    app.Worker.return_value.execute_from_commandline.side_effect = SystemExit(1)
    code, _, _ = run("worker", app=app)
    assert code == 1


def test_help_does_not_start(app: Mock) -> None:
    code, out, _ = run("worker", "--help", app=app)
    assert code == 0
    assert "-h, --web-host TEXT" in out
    assert "--with-web / --without-web" in out
    app.Worker.assert_not_called()


def test_worker_uses_the_app_from_a_module(
    monkeypatch: pytest.MonkeyPatch, app: Mock
) -> None:
    module = Mock(app=app, spec=["app"])
    monkeypatch.setitem(sys.modules, "fake_worker_app_mod", module)
    code, _, err = run("-A", "fake_worker_app_mod:app", "worker")
    assert code == 0, err
    app.Worker.assert_called_once()
    assert app.conf.origin == "fake_worker_app_mod:app"


def test_faust_helpers_of_the_worker_command() -> None:
    import platform

    import faust
    from faust.cli.worker import worker as worker_command

    command = object.__new__(worker_command)  # the helpers need no context
    assert command.faust_ident() == f"faust v{faust.__version__}"
    assert platform.python_version() in command.platform()
    fake_worker = Mock(banner=Mock(return_value="BANNER"))
    assert command.banner(fake_worker) == "BANNER"
