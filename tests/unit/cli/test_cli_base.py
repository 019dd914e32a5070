"""faust.cli.base: root options, app lookup, command classes, call_command."""

from __future__ import annotations

import os
import re
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import click
import pytest
from mode import Service

import faust
from faust.cli import AppCommand, Command, argument, call_command, option
from faust.cli._app import (
    AppNotFound,
    find_app,
    origin_from_argv,
    prepare_app,
    set_origin,
)
from faust.cli._options import peek_option
from faust.cli.base import cli


def run(*argv: str, **kwargs: Any) -> tuple[int, str, str]:
    code, out, err = call_command(argv[0], list(argv[1:]), **kwargs)
    return code, out.getvalue(), err.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Write importable modules with unique names; forget them afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created: list[str] = []

    def write(source: str, name: str | None = None, package: bool = False) -> str:
        name = name or f"m_{uuid.uuid4().hex[:10]}"
        path = tmp_path / name.replace(".", "/")
        if package:
            path.mkdir(parents=True)
            target = path / "__init__.py"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            target = path.with_suffix(".py")
        target.write_text(textwrap.dedent(source))
        created.append(name.partition(".")[0])
        return name

    yield write
    for name in list(sys.modules):
        if name.partition(".")[0] in created:
            del sys.modules[name]


APP_MODULE = """
from unittest.mock import Mock
from faust.types import AppT
app = Mock(name="app", spec=AppT)
app.conf.is_set.return_value = False
app.conf.autodiscover = False
other = Mock(name="other", spec=AppT)
number = 42
"""


class TestFindApp:
    def test_module_uses_its_app_attribute(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        assert find_app(name) is sys.modules[name].app

    def test_finalizes_and_sets_origin(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        app = find_app(f"{name}:app")
        app.finalize.assert_called_once_with()
        assert app.conf.origin == f"{name}:app"

    def test_module_colon_attribute(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        assert find_app(f"{name}:other") is sys.modules[name].other

    def test_module_dot_attribute(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        assert find_app(f"{name}.other") is sys.modules[name].other

    def test_package_submodule(self, modules: Any) -> None:
        pkg = modules("", package=True)
        modules(APP_MODULE, name=f"{pkg}.proj")
        assert find_app(f"{pkg}.proj") is sys.modules[f"{pkg}.proj"].app

    def test_missing_module(self) -> None:
        with pytest.raises(AppNotFound) as excinfo:
            find_app("nonexistent_mod_xyz")
        assert excinfo.value.exit_code == 2
        assert excinfo.value.format_message() == (
            "-A nonexistent_mod_xyz: no module named 'nonexistent_mod_xyz'"
        )

    def test_missing_submodule_of_existing_module(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        with pytest.raises(AppNotFound, match=rf"no module named '{name}\.nope'"):
            find_app(f"{name}.nope")

    def test_missing_parent_package_is_named(self) -> None:
        with pytest.raises(AppNotFound, match=r"no module named 'nopkg_xyz'$"):
            find_app("nopkg_xyz.sub.app")

    def test_module_without_app_attribute(self, modules: Any) -> None:
        name = modules("x = 1\n")
        with pytest.raises(AppNotFound, match="has no attribute 'app'"):
            find_app(name)

    def test_missing_attribute_after_colon(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        with pytest.raises(AppNotFound, match="has no attribute 'nope'"):
            find_app(f"{name}:nope")

    def test_missing_module_before_colon(self) -> None:
        with pytest.raises(AppNotFound, match="no module named 'nomod_xyz'"):
            find_app("nomod_xyz:app")

    def test_not_an_app(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        with pytest.raises(AppNotFound, match="expected a faust.App, found int"):
            find_app(f"{name}:number")

    def test_module_attribute_that_is_a_module(self, modules: Any) -> None:
        name = modules("import os as app\n")
        with pytest.raises(AppNotFound, match="is a module, not an app"):
            find_app(name)

    def test_error_inside_module_propagates(self, modules: Any) -> None:
        name = modules("raise RuntimeError('boom in user code')\n")
        with pytest.raises(RuntimeError, match="boom in user code"):
            find_app(name)

    def test_missing_dependency_of_module_propagates(self, modules: Any) -> None:
        name = modules("import some_missing_dependency_xyz\n")
        with pytest.raises(ModuleNotFoundError) as excinfo:
            find_app(name)
        assert excinfo.value.name == "some_missing_dependency_xyz"

    def test_imports_from_current_directory_temporarily(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        name = f"cwd_{uuid.uuid4().hex[:10]}"
        (tmp_path / f"{name}.py").write_text(APP_MODULE)
        monkeypatch.chdir(tmp_path)
        path_before = list(sys.path)
        try:
            assert find_app(name) is sys.modules[name].app
        finally:
            sys.modules.pop(name, None)
        assert sys.path == path_before


class TestPrepareApp:
    def test_runs_once_and_sets_origin(self, app: Mock) -> None:
        prepare_app(app, "proj.app")
        prepare_app(app, "other")
        app.finalize.assert_called_once_with()
        app.worker_init.assert_called_once_with()
        app.discover.assert_not_called()
        assert app.conf.origin == "proj.app"

    def test_keeps_configured_origin(self, app_factory: Any) -> None:
        app = app_factory(origin="configured")
        prepare_app(app, "proj.app")
        assert app.conf.origin == "configured"

    def test_autodiscover(self, app_factory: Any) -> None:
        app = app_factory(autodiscover=True)
        prepare_app(app, "proj")
        app.discover.assert_called_once_with()


def test_set_origin_after_it_was_read_does_not_warn() -> None:
    app = faust.App("origin-test", broker="memory://")
    app.finalize()
    assert app.conf.origin is None  # read, e.g. by discovery
    set_origin(app, "proj.app")  # filterwarnings=error would raise
    assert app.conf.origin == "proj.app"
    set_origin(app, "other")
    assert app.conf.origin == "proj.app"


class TestOriginFromArgv:
    def test_script_in_package(self, tmp_path: Path) -> None:
        pkg = tmp_path / "proj"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        assert origin_from_argv([str(pkg / "app.py")]) == "proj.app"
        assert origin_from_argv([str(pkg / "__main__.py")]) == "proj"

    def test_script_outside_package(self, tmp_path: Path) -> None:
        assert origin_from_argv([str(tmp_path / "myapp.py")]) == "myapp"

    def test_not_a_script(self) -> None:
        assert origin_from_argv(["/usr/bin/faust"]) is None
        assert origin_from_argv([]) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-A", "proj", "worker"], "proj"),
        (["-Aproj", "worker"], "proj"),
        (["--app=proj", "worker"], "proj"),
        (["-q", "--app", "proj"], "proj"),
        (["worker"], None),
        (["-A"], None),
        (["--", "-A", "proj"], None),
    ],
)
def test_peek_option(args: list[str], expected: str | None) -> None:
    assert peek_option(args, "-A", "--app") == expected


class TestProgram:
    def test_version(self) -> None:
        code, out, _ = run("--version")
        assert code == 0
        assert out == f"faust, version Faust {faust.__version__}\n"

    def test_help_lists_builtin_commands(self) -> None:
        code, out, _ = run("--help")
        assert code == 0
        assert "worker" in out

    def test_bad_app_is_one_line_exit_2(self) -> None:
        code, out, err = run("-A", "nonexistent_mod_xyz", "worker")
        assert code == 2
        assert out == ""
        assert err == (
            "Error: -A nonexistent_mod_xyz: no module named 'nonexistent_mod_xyz'\n"
        )

    def test_app_required(self) -> None:
        code, _, err = run("worker")
        assert code == 2
        assert "Need to specify app using -A parameter" in err

    def test_unknown_command(self) -> None:
        code, _, err = run("no-such-command")
        assert code == 2
        assert "No such command" in err

    def test_app_commands_appear_in_help(self, modules: Any) -> None:
        name = modules(
            APP_MODULE
            + textwrap.dedent(
                """
                from faust.cli import AppCommand

                @AppCommand.from_handler()
                async def hello_there(self):
                    '''Say hello from the app.'''
                """
            )
        )
        code, out, _ = run("-A", name, "--help")
        assert code == 0
        assert re.search(r"hello-there +Say hello from the app\.", out)
        app = sys.modules[name].app
        app.finalize.assert_called_with()
        app.worker_init.assert_called_once_with()
        assert app.conf.origin == name

    def test_app_given_as_keyword_is_not_prepared_again(self, app: Mock) -> None:
        # app.main() finalizes, discovers and initializes before calling us
        code, _, _ = run("worker", app=app)
        assert code == 0
        app.Worker.assert_called_once()
        app.finalize.assert_not_called()
        app.worker_init.assert_not_called()
        app.worker_init_post_autodiscover.assert_not_called()

    def test_app_main_origin_from_script(
        self, app: Mock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(sys, "argv", ["/srv/myapp.py", "worker"])
        run("worker", app=app)
        assert app.conf.origin == "myapp"

    def test_app_given_in_obj_mapping(self, app: Mock) -> None:
        with pytest.raises(SystemExit) as excinfo:
            cli.main(args=["worker"], obj={"app": app}, prog_name="faust")
        assert excinfo.value.code == 0
        app.Worker.assert_called_once()


def _probe(seen: dict[str, Any]) -> type[Command]:
    class probe(Command):
        """Record what the command sees."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            seen["command"] = self
            seen["kwargs"] = self.kwargs
            self.say("said")
            self.carp("carped")
            self.say(self.tabulate([("a", 1)], headers=["name", "n"]))

    return probe


class TestSharedOptions:
    @pytest.mark.parametrize(
        ("argv", "level"),
        [
            (["probe"], "WARNING"),
            (["-l", "info", "probe"], "INFO"),
            (["-l", "INFO", "probe"], "INFO"),
            (["probe", "-l", "Debug"], "DEBUG"),
            (["-l", "info", "probe", "--loglevel", "crit"], "CRITICAL"),
            (["--loglevel=warn", "probe"], "WARNING"),
            (["probe", "-l", "error"], "ERROR"),
        ],
    )
    def test_loglevel_before_or_after_command(
        self, argv: list[str], level: str
    ) -> None:
        seen: dict[str, Any] = {}
        _probe(seen)
        code, _, err = run(*argv)
        assert code == 0, err
        assert seen["command"].loglevel == level

    def test_bad_loglevel(self) -> None:
        _probe({})
        code, _, err = run("probe", "-l", "verbose")
        assert code == 2
        assert "Invalid value for '--loglevel'" in err

    def test_other_shared_options(self) -> None:
        seen: dict[str, Any] = {}
        _probe(seen)
        code, _, err = run(
            "--blocking-timeout",
            "3.5",
            "probe",
            "--console-port",
            "5000",
            "-f",
            "x.log",
        )
        assert code == 0, err
        command = seen["command"]
        assert command.blocking_timeout == 3.5
        assert command.console_port == 5000
        assert command.logfile == "x.log"
        assert seen["kwargs"] == {}

    def test_defaults(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("FAUST_BLOCKING_TIMEOUT", "F_BLOCKING_TIMEOUT"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("FAUST_CONSOLE_PORT", "6000")
        seen: dict[str, Any] = {}
        _probe(seen)
        run("probe")
        command = seen["command"]
        assert command.blocking_timeout is None
        assert command.console_port == 6000
        assert command.logfile is None

    def test_output_options(self) -> None:
        seen: dict[str, Any] = {}
        _probe(seen)
        code, out, err = run("--json", "probe")
        assert code == 0
        assert out == 'said\n[{"name":"a","n":1}]\n'
        assert err == "carped\n"

    def test_quiet(self) -> None:
        _probe({})
        code, out, err = run("-q", "probe")
        assert code == 0
        assert (out, err) == ("", "")


class TestSideEffects:
    def test_workdir_datadir_loop(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(Path.cwd())  # restored after the test
        monkeypatch.setattr(sys, "path", list(sys.path))
        # set, then delete: monkeypatch restores the variable's absence
        monkeypatch.setenv("FAUST_DATADIR", "")
        monkeypatch.delenv("FAUST_DATADIR")
        use = Mock(name="mode.loop.use")
        monkeypatch.setattr("mode.loop.use", use)
        _probe({})
        code, _, err = run(
            "-W",
            str(tmp_path),
            "-D",
            "/data/x",
            "-L",
            "uvloop",
            "probe",
            side_effects=True,
        )
        assert code == 0, err
        assert Path.cwd() == tmp_path
        assert str(tmp_path) in sys.path
        assert os.environ["FAUST_DATADIR"] == "/data/x"
        use.assert_called_once_with("uvloop")

    @pytest.mark.parametrize(
        ("loop", "hint"),
        [
            ("uvloop", "pip install 'faust-ng[uvloop]'"),
            ("eventlet", "pip install eventlet"),
        ],
    )
    def test_loop_package_missing_is_one_line(
        self, loop: str, hint: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def use(name: str) -> None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        monkeypatch.setattr("mode.loop.use", use)
        _probe({})
        code, _, err = run("-L", loop, "probe", side_effects=True)
        assert code == 2
        assert "Traceback" not in err
        assert f"The {loop} event loop (-L {loop}) needs the {loop} package" in err
        assert hint in err

    def test_bad_workdir(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(Path.cwd())
        _probe({})
        code, _, err = run("-W", str(tmp_path / "missing"), "probe", side_effects=True)
        assert code == 2
        assert "Invalid value for '-W' / '--workdir'" in err

    def test_no_side_effects_by_default(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("FAUST_DATADIR", raising=False)
        cwd = Path.cwd()
        _probe({})
        code, _, _ = run("-W", str(tmp_path), "-D", "/data/x", "probe")
        assert code == 0
        assert Path.cwd() == cwd
        assert "FAUST_DATADIR" not in os.environ


class TestCommandClasses:
    def test_name_uses_dashes(self) -> None:
        class send_value(Command):
            """Send a value."""

        assert cli.commands["send-value"] is send_value._click
        assert cli.commands["send-value"].help == "Send a value."

    def test_abstract_class_is_not_a_command(self) -> None:
        class mybase(Command):
            abstract = True

        class concrete(mybase):
            pass

        assert "mybase" not in cli.commands
        assert "concrete" in cli.commands

    def test_direct_command_subclass_is_registered(self) -> None:
        class standalone(Command):
            pass

        assert "standalone" in cli.commands

    def test_from_handler(self) -> None:
        async def greet(self: Any, name: str, times: int) -> None:
            """Greet somebody."""

        cls = AppCommand.from_handler(
            argument("name"), option("--times", default=1, type=int), daemon=True
        )(greet)
        assert issubclass(cls, AppCommand)
        assert cls.__name__ == "greet"
        assert cls.__doc__ == "Greet somebody."
        assert cls.daemon is True
        assert cls.run is greet
        params = [p.name for p in cli.commands["greet"].params]
        assert params == [
            "loglevel",
            "logfile",
            "blocking_timeout",
            "console_port",
            "name",
            "times",
        ]

    def test_from_handler_without_self(self) -> None:
        async def noargs() -> None:
            pass

        cls = AppCommand.from_handler()(noargs)
        assert cls.__dict__["run"].__func__ is noargs

    def test_arguments_parsed_in_order(self, app: Mock) -> None:
        seen: dict[str, Any] = {}

        class pair(AppCommand):
            options = [argument("first"), argument("second"), option("--n", type=int)]

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                seen.update(self.kwargs)

        code, _, err = run("pair", "a", "b", "--n", "3", app=app)
        assert code == 0, err
        assert seen == {"first": "a", "second": "b", "n": 3}


class TestCommandExecution:
    def _command(self, cls: type[Command], app: Mock | None = None) -> Any:
        from faust.cli._options import State

        state = State(app=app)
        ctx = click.Context(cli, obj=state)
        return cls(ctx)

    async def test_execute_keeps_usage_error(self) -> None:
        class failing(Command):
            async def run(self) -> None:
                raise self.UsageError("bad input")

            async def on_stop(self) -> None:
                stopped.append(True)

        stopped: list[bool] = []
        command = self._command(failing)
        assert await command.execute() is None
        assert isinstance(command._error, click.UsageError)
        assert stopped == [True]

    async def test_execute_propagates_other_errors(self) -> None:
        class crashing(Command):
            async def run(self) -> None:
                raise KeyError("x")

        command = self._command(crashing)
        with pytest.raises(KeyError):
            await command.execute()

    def test_run_using_worker_reraises_usage_error(self, monkeypatch: Any) -> None:
        class usage(Command):
            pass

        command = self._command(usage)
        worker = Mock(name="worker")

        def fake_execute() -> None:
            command._error = click.UsageError("wrong")
            raise SystemExit(0)

        worker.execute_from_commandline.side_effect = fake_execute
        monkeypatch.setattr(command, "worker_for_service", Mock(return_value=worker))
        monkeypatch.setattr(command, "as_service", Mock(name="as_service"))
        with pytest.raises(click.UsageError, match="wrong"):
            command.run_using_worker()

    def test_worker_for_service_options(self) -> None:
        class plain(Command):
            daemon = True

        command = self._command(plain)
        service = Service()
        worker = command.worker_for_service(service)
        assert worker.services == (service,)
        assert worker.daemon is True
        assert worker.loglevel == "WARNING"
        assert worker.redirect_stdouts is False

    async def test_app_command_on_stop_stops_started_app(self, app: Mock) -> None:
        class appcmd(AppCommand):
            pass

        command = self._command(appcmd, app)
        app.started = True
        await command.on_stop()
        app.stop.assert_awaited_once_with()

    def test_app_command_serializers_default_to_conf(self, app: Mock) -> None:
        class serial(AppCommand):
            pass

        command = self._command(serial, app)
        assert (command.key_serializer, command.value_serializer) == ("raw", "json")

    def test_to_topic(self, app: Mock) -> None:
        class topical(AppCommand):
            pass

        command = self._command(topical, app)
        assert command.to_topic("orders") is app.topic.return_value
        app.topic.assert_called_once_with("orders")
        with pytest.raises(click.UsageError):
            command.to_topic("")

    def test_import_relative_to_app(self, app: Mock, modules: Any) -> None:
        pkg = modules("", package=True)
        modules("class Order:\n    pass\n", name=f"{pkg}.models")

        class importer(AppCommand):
            pass

        command = self._command(importer, app)
        app.conf.origin = f"{pkg}:app"
        assert command.import_relative_to_app("Order").__name__ == "Order"
        assert command.import_relative_to_app("models.Order").__name__ == "Order"
        with pytest.raises(ImportError):
            command.import_relative_to_app("Missing")

    def test_to_model_without_type_gives_bytes(self, app: Mock) -> None:
        class modeler(AppCommand):
            pass

        command = self._command(modeler, app)
        assert command.to_value(None, '{"a": 1}') == b'{"a": 1}'


class TestFaustCompatibleSignatures:
    def test_find_app_takes_attr_name(self, modules: Any) -> None:
        name = modules(APP_MODULE)
        assert find_app(name, attr_name="other") is sys.modules[name].other

    def test_command_parse_reads_the_commands_own_options(self) -> None:
        from faust.cli.send import send

        parsed = send.parse(["--key", "k1", "--repeat", "3", "orders", "v"])
        assert (parsed["key"], parsed["repeat"], parsed["entity"]) == (
            "k1",
            3,
            "orders",
        )
        assert parsed["value"] == "v"
