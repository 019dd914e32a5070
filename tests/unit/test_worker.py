"""faust.worker.Worker with an app double (no broker, no real signals)."""

from __future__ import annotations

import gc
import inspect
import io
import logging
import os
import platform
import signal
import socket
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock, patch

import pytest
from mode import Service
from yarl import URL

import faust
from faust.types import AppT
from faust.worker import Worker


class FakeApp(Service):
    """A Service standing in for faust.App (registered as an AppT)."""

    in_worker = False
    on_startup_finished = None

    def __init__(self, **conf: Any) -> None:
        defaults: dict[str, Any] = {
            "id": "fake-app",
            "broker": [URL("memory://")],
            "store": URL("memory://"),
            "web_enabled": True,
            "web_port": 6066,
            "web_transport": URL("tcp://"),
            "canonical_url": URL("http://worker1:6066"),
            "datadir": Path("fake-app-data"),
            "appdir": Path("fake-app-data/v1"),
            "autodiscover": False,
            "blocking_timeout": None,
            "logging_config": None,
            "loghandlers": [],
            "worker_redirect_stdouts": True,
            "worker_redirect_stdouts_level": "WARN",
        }
        self.conf = SimpleNamespace(**{**defaults, **conf})
        self.transport = SimpleNamespace(driver_version="memory=1.0")
        self.web = SimpleNamespace(driver_version="aiohttp=3.9")
        self.sensors = Mock(name="sensors")
        self.discover = Mock(name="discover")
        super().__init__()


AppT.register(FakeApp)


def make_worker(app: FakeApp | None = None, *services: Any, **kwargs: Any) -> Worker:
    kwargs.setdefault("stdout", io.StringIO())
    kwargs.setdefault("stderr", io.StringIO())
    return Worker(app or FakeApp(), *services, **kwargs)


class TestInit:
    def test_app_and_services(self) -> None:
        app, other = FakeApp(), Service()
        worker = make_worker(app, other)  # type: ignore[arg-type]
        assert worker.app is app
        assert worker.services == (other,)
        assert app.beacon.root is worker.beacon
        assert other.beacon.root is worker.beacon

    def test_defaults_come_from_settings(self) -> None:
        handler = logging.NullHandler()
        config = {"version": 1, "merge": True}
        app = FakeApp(
            worker_redirect_stdouts=False,
            worker_redirect_stdouts_level="ERROR",
            logging_config=config,
            loghandlers=[handler],
            blocking_timeout=3.0,
        )
        worker = make_worker(app)
        assert worker.redirect_stdouts is False
        assert worker.redirect_stdouts_level == logging.ERROR
        assert worker.logging_config == config
        assert worker.logging_config is not config  # mode pops "merge"
        assert worker.loghandlers == [handler]
        assert worker.blocking_timeout == 3.0
        assert worker.blocking_detection is True

    def test_arguments_win_over_settings(self) -> None:
        worker = make_worker(
            redirect_stdouts=False,
            redirect_stdouts_level="INFO",
            logging_config={"version": 1},
            blocking_timeout=5.0,
            debug=True,
            quiet=True,
            console_port=6000,
        )
        assert worker.redirect_stdouts is False
        assert worker.redirect_stdouts_level == logging.INFO
        assert worker.logging_config == {"version": 1}
        assert worker.blocking_timeout == 5.0
        assert (worker.debug, worker.quiet, worker.console_port) == (True, True, 6000)

    def test_no_blocking_detection_by_default(self) -> None:
        worker = make_worker()
        assert worker.blocking_detection is False

    def test_debug_enables_blocking_detection_with_default_timeout(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("FAUST_BLOCKING_TIMEOUT", raising=False)
        monkeypatch.delenv("F_BLOCKING_TIMEOUT", raising=False)
        worker = make_worker(debug=True)
        assert worker.blocking_detection is True
        assert worker.blocking_timeout == 10.0

    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            (None, "WARNING"),
            ("crit", "CRITICAL"),
            ("warn", "WARNING"),
            ("info", "INFO"),
            ("DEBUG", "DEBUG"),
            (logging.ERROR, logging.ERROR),
        ],
    )
    def test_loglevel(self, given: Any, expected: Any) -> None:
        assert make_worker(loglevel=given).loglevel == expected

    def test_app_worker_style_keywords(self) -> None:
        # app.Worker(**kwargs) calls conf.Worker(app, **kwargs)
        worker = Worker(FakeApp(), loglevel="info", workdir="/tmp", sensors=[Mock()])
        assert worker.workdir == Path("/tmp")
        assert len(worker.sensors) == 1


class TestDependencies:
    def test_marks_app_and_orders_children(self) -> None:
        app, other = FakeApp(), Service()
        sensor = Mock(name="sensor")
        worker = make_worker(app, other, sensors=[sensor])  # type: ignore[arg-type]
        assert list(worker.on_init_dependencies()) == [other, app]
        assert app.in_worker is True
        assert app.on_startup_finished == worker.on_startup_finished
        app.sensors.add.assert_called_once_with(sensor)


class TestBanner:
    def test_content(self) -> None:
        worker = make_worker(loglevel="info")
        banner = worker.banner()
        assert f"faust v{faust.__version__}" in banner
        rows = dict(
            (cells[0], cells[1])
            for cells in (
                [c.strip() for c in line.strip("|").split("|")]
                for line in banner.splitlines()
                if line.startswith("|")
            )
        )
        assert rows["id"] == "fake-app"
        assert rows["transport"] == "memory://"
        assert rows["store"] == "memory://"
        assert rows["web"] == "http://worker1:6066"
        assert rows["log"] == "-stderr- (info)"
        assert rows["pid"] == str(os.getpid())
        assert rows["hostname"] == socket.gethostname()
        assert platform.python_version() in rows["platform"]
        assert rows["drivers"] == "memory=1.0 aiohttp=3.9"
        assert rows["datadir"] == str(Path("fake-app-data").absolute())
        assert rows["appdir"] == str(Path("fake-app-data/v1").absolute())

    def test_web_disabled_and_logfile(self) -> None:
        app = FakeApp(web_enabled=False)
        banner = make_worker(app, logfile="/var/log/w.log").banner()
        assert "| web       | disabled" in banner
        assert "/var/log/w.log (warning)" in banner
        assert "aiohttp" not in banner

    def test_broker_list(self) -> None:
        app = FakeApp(broker=[URL("kafka://k1:9092"), URL("kafka://k2:9092")])
        assert "kafka://k1:9092 kafka://k2:9092" in make_worker(app).banner()

    def test_unix_socket_web(self) -> None:
        app = FakeApp(web_transport=URL("unix:///tmp/w.sock"))
        assert "unix:///tmp/w.sock" in make_worker(app).banner()

    def test_driver_failure_does_not_break_banner(self) -> None:
        app = FakeApp()
        del app.transport
        assert "| drivers   | ? aiohttp=3.9" in make_worker(app).banner()

    async def test_printed_on_execute_unless_quiet(self) -> None:
        worker = make_worker()
        await worker.on_execute()
        assert "fake-app" in worker.stdout.getvalue()  # type: ignore[attr-defined]
        quiet = make_worker(quiet=True)
        await quiet.on_execute()
        assert quiet.stdout.getvalue() == ""  # type: ignore[attr-defined]


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestStatusLine:
    async def test_on_a_terminal(self) -> None:
        worker = make_worker(stdout=_TTY())
        await worker.on_execute()
        with patch.object(worker, "add_runtime_dependency"):
            await worker._on_startup_finished()
        assert worker.stdout.getvalue().endswith("starting... ready\n")  # type: ignore[attr-defined]

    @pytest.mark.parametrize("options", [{"loglevel": "info"}, {"quiet": True}])
    async def test_not_with_info_logs_or_quiet(self, options: Any) -> None:
        worker = make_worker(stdout=_TTY(), **options)
        await worker.on_execute()
        await worker._on_startup_finished()
        assert "starting..." not in worker.stdout.getvalue()  # type: ignore[attr-defined]

    async def test_not_when_piped(self) -> None:
        worker = make_worker()
        await worker.on_execute()
        assert "starting..." not in worker.stdout.getvalue()  # type: ignore[attr-defined]


class TestRecoveryProgress:
    @staticmethod
    def app_with_tables() -> FakeApp:
        app = FakeApp()
        app.tables = SimpleNamespace(recovery=SimpleNamespace(on_progress=None))  # type: ignore[attr-defined]
        return app

    async def test_bar_on_the_status_line(self) -> None:
        from faust.utils.progress import Progress

        app = self.app_with_tables()
        worker = make_worker(app, stdout=_TTY())
        await worker.on_execute()
        show = app.tables.recovery.on_progress  # type: ignore[attr-defined]
        show(Progress(4, 2, 10, 10, 1.0))
        show(Progress(4, 0, 20, 0, 2.0, done=True))
        with patch.object(worker, "add_runtime_dependency"):
            await worker._on_startup_finished()
        out = worker.stdout.getvalue()  # type: ignore[attr-defined]
        assert "starting... recovering tables [" in out
        assert "2/4 partitions, 10/20 records, 10 records/s, ETA 1s" in out
        assert out.endswith(
            "starting... tables recovered: 4/4 partitions, 20/20 records, "
            "10 records/s in 2s, ready\n"
        )
        show(Progress(4, 0, 5, 0, 1.0, done=True))  # a later rebalance
        assert worker.stdout.getvalue().endswith("in 1s\n")  # type: ignore[attr-defined]

    async def test_log_lines_when_not_a_terminal(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = self.app_with_tables()
        worker = make_worker(app)
        with caplog.at_level(logging.WARNING):
            await worker.on_execute()
            show = app.tables.recovery.on_progress  # type: ignore[attr-defined]
            assert show.stream is None
            show.interval = 0.0
            from faust.utils.progress import Progress

            show(Progress(4, 2, 10, 10, 1.0))
        assert "Recovering tables: 50% (2/4 partitions" in caplog.text
        assert "starting..." not in worker.stdout.getvalue()  # type: ignore[attr-defined]

    async def test_info_logs_show_recoverys_own_lines(self) -> None:
        app = self.app_with_tables()
        logger = logging.getLogger("faust.tables.recovery")
        level = logger.level
        logger.setLevel(logging.INFO)
        try:
            await make_worker(app, loglevel="info").on_execute()
        finally:
            logger.setLevel(level)
        assert app.tables.recovery.on_progress is None  # type: ignore[attr-defined]


class TestLogging:
    def test_setup_logging_arguments(self) -> None:
        handler = logging.NullHandler()
        app = FakeApp(loghandlers=[handler], worker_redirect_stdouts=False)
        worker = make_worker(app, loglevel="debug", logfile="/tmp/x.log")
        with patch("mode.worker.logging.setup_logging", return_value=10) as setup:
            worker._setup_logging()
        setup.assert_called_once_with(
            loglevel="DEBUG",
            logfile="/tmp/x.log",
            logging_config=None,
            loghandlers=[handler],
        )

    def test_redirect_stdouts_restores_streams(self) -> None:
        worker = make_worker(redirect_stdouts=True, redirect_stdouts_level="ERROR")
        before = (sys.stdout, sys.stderr)
        with patch("mode.worker.logging.setup_logging", return_value=30):
            worker._setup_logging()
        try:
            assert sys.stdout is sys.stderr
            assert sys.stdout is not before[0]
            assert sys.stdout.severity == logging.ERROR  # type: ignore[attr-defined]
        finally:
            worker.exit_stack.close()
        assert (sys.stdout, sys.stderr) == before

    def test_no_redirect(self) -> None:
        worker = make_worker(redirect_stdouts=False)
        before = sys.stdout
        with patch("mode.worker.logging.setup_logging", return_value=30):
            worker._setup_logging()
        assert sys.stdout is before


@pytest.fixture
def gc_state():
    """The collector as the worker leaves it is restored after the test."""
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


class TestGarbageCollector:
    async def test_young_garbage_is_collected_less_often_while_running(
        self, gc_state
    ) -> None:
        gc.set_threshold(700, 10, 10)  # Python's defaults
        worker = make_worker()
        await worker._on_startup_finished()
        assert gc.get_threshold() == (100_000, 10, 10)
        assert gc.get_freeze_count() > 0  # the startup objects are left out
        worker.on_worker_shutdown()
        assert gc.get_threshold() == (700, 10, 10)
        assert gc.get_freeze_count() == 0

    async def test_thresholds_the_user_chose_are_kept(self, gc_state) -> None:
        gc.set_threshold(5_000, 20, 20)
        worker = make_worker()
        await worker._on_startup_finished()
        assert gc.get_threshold() == (5_000, 20, 20)
        worker.on_worker_shutdown()
        assert gc.get_threshold() == (5_000, 20, 20)


class TestStartupFinished:
    def test_is_a_coroutine_function_as_in_faust(self) -> None:
        assert inspect.iscoroutinefunction(Worker.on_startup_finished)

    async def test_logs_ready_once(self, caplog: pytest.LogCaptureFixture) -> None:
        worker = make_worker()
        with caplog.at_level(logging.INFO, logger="faust.worker"):
            await worker.on_startup_finished()
            await worker.on_startup_finished()
        assert [r.getMessage() for r in caplog.records].count("[^Worker]: Ready") == 1

    async def test_starts_blocking_detector(self) -> None:
        worker = make_worker(blocking_timeout=2.0)
        with patch.object(worker, "add_runtime_dependency") as add:
            await worker._on_startup_finished()
        add.assert_awaited_once_with(worker.blocking_detector)
        assert worker.blocking_detector.timeout == 2.0

    async def test_no_blocking_detector_without_timeout(self) -> None:
        worker = make_worker()
        with patch.object(worker, "add_runtime_dependency") as add:
            await worker._on_startup_finished()
        add.assert_not_called()


class _Exited(Exception):
    pass


class TestSignals:
    async def test_first_signal_stops_second_forces_exit(self) -> None:
        worker = make_worker()
        with (
            patch.object(worker, "_stop_on_signal") as stop,
            patch("faust.worker.os._exit", side_effect=_Exited) as exit_,
        ):
            worker._schedule_shutdown(signal.SIGTERM)
            await worker._signal_stop_future  # type: ignore[misc]
            stop.assert_called_once_with(signal.SIGTERM)
            exit_.assert_not_called()
            with pytest.raises(_Exited):
                worker._schedule_shutdown(signal.SIGINT)
        exit_.assert_called_once_with(128 + signal.SIGINT)
        assert "SIGINT received while stopping" in worker.stderr.getvalue()  # type: ignore[attr-defined]

    def test_sigusr1_dumps_stacks(self) -> None:
        worker = make_worker()
        with patch.object(worker, "add_future") as add_future:
            worker._on_sigusr1()
        (coro,), _ = add_future.call_args
        assert coro.__qualname__ == "Worker._cry"
        coro.close()


class TestFirstStart:
    async def test_workdir_and_autodiscover(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(Path.cwd())
        app = FakeApp(autodiscover=True)
        worker = make_worker(app, workdir=tmp_path)
        with patch.object(worker, "default_on_first_start") as default:
            await worker.on_first_start()
        assert Path.cwd() == tmp_path
        app.discover.assert_called_once_with()
        default.assert_awaited_once_with()


class TestPIDFile:
    def test_written_and_removed(self, tmp_path: Path) -> None:
        from faust.worker import PIDFile

        pidfile = PIDFile(tmp_path / "w.pid")
        pidfile.acquire()
        assert (tmp_path / "w.pid").read_text() == f"{os.getpid()}\n"
        pidfile.release()
        assert not (tmp_path / "w.pid").exists()
        pidfile.release()  # twice: nothing to do

    def test_live_process_holds_it(self, tmp_path: Path) -> None:
        from faust.worker import PIDFile, PIDFileInUse

        path = tmp_path / "w.pid"
        path.write_text(f"{os.getppid()}\n")  # our parent: alive
        with pytest.raises(
            PIDFileInUse, match=f"already running with pid {os.getppid()}"
        ):
            PIDFile(path).acquire()
        assert path.read_text() == f"{os.getppid()}\n"

    @pytest.mark.parametrize("content", ["999999999\n", "garbage"])
    def test_stale_file_is_replaced(self, tmp_path: Path, content: str) -> None:
        from faust.worker import PIDFile

        path = tmp_path / "w.pid"
        path.write_text(content)
        PIDFile(path).acquire()
        assert path.read_text() == f"{os.getpid()}\n"

    def test_not_removed_when_rewritten_by_another_process(
        self, tmp_path: Path
    ) -> None:
        from faust.worker import PIDFile

        pidfile = PIDFile(tmp_path / "w.pid")
        pidfile.acquire()
        (tmp_path / "w.pid").write_text("1\n")
        pidfile.release()
        assert (tmp_path / "w.pid").exists()

    def test_worker_refuses_to_start(self, tmp_path: Path) -> None:
        path = tmp_path / "w.pid"
        path.write_text(f"{os.getppid()}\n")
        worker = make_worker(pidfile=path)
        with pytest.raises(SystemExit) as exc:
            worker.execute_from_commandline()
        assert exc.value.code == 1
        assert "cannot start" in worker.stderr.getvalue()  # type: ignore[attr-defined]

    async def test_acquired_on_first_start(self, tmp_path: Path) -> None:
        worker = make_worker(pidfile=tmp_path / "w.pid")
        with patch.object(worker, "default_on_first_start"):
            await worker.on_first_start()
        assert (tmp_path / "w.pid").exists()
        worker.pidfile.release()  # type: ignore[union-attr]


class TestBlockingDetector:
    def test_logs_the_blocking_stack_without_raising(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        from faust.worker import BlockingDetector

        detector = BlockingDetector(0.5)
        with (
            patch.object(detector, "_reset_signal") as rearm,
            caplog.at_level(logging.WARNING),
        ):
            detector._on_alarm(signal.SIGALRM, sys._getframe())
        rearm.assert_called_once_with()
        (record,) = caplog.records
        assert "Event loop blocked for more than 0.5 second(s)" in record.getMessage()
        assert "test_logs_the_blocking_stack_without_raising" in record.getMessage()

    def test_worker_uses_it(self) -> None:
        from faust.worker import BlockingDetector

        worker = make_worker(blocking_timeout=1.0)
        assert isinstance(worker.blocking_detector, BlockingDetector)


class TestLogColors:
    def _handler(self, tty: bool) -> logging.Handler:
        import colorlog

        stream = Mock(name="stream")
        stream.isatty.return_value = tty
        handler = logging.StreamHandler(stream)
        handler.setFormatter(
            colorlog.ColoredFormatter("%(message)s", stream=sys.stdout)
        )
        return handler

    @pytest.mark.parametrize(
        ("tty", "log_color", "colorize"),
        [
            (True, None, True),
            (False, None, False),
            (True, False, False),
            (False, True, True),
        ],
    )
    def test_follow_the_log_stream(
        self,
        tty: bool,
        log_color: bool | None,
        colorize: bool,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.delenv("FORCE_COLOR", raising=False)
        handler = self._handler(tty)
        worker = make_worker(log_color=log_color)
        worker._setup_log_colors([handler, logging.NullHandler()])
        assert handler.formatter._colorize() is colorize  # type: ignore[union-attr]

    def test_setup_logging_adjusts_root_handlers(self) -> None:
        worker = make_worker(redirect_stdouts=False)
        with (
            patch("mode.worker.logging.setup_logging", return_value=30),
            patch.object(worker, "_setup_log_colors") as colors,
        ):
            worker._setup_logging()
        colors.assert_called_once_with(logging.root.handlers)


class TestConsole:
    async def test_without_aiomonitor(self, caplog: pytest.LogCaptureFixture) -> None:
        worker = make_worker(console_port=50555)
        with (
            patch.dict(sys.modules, {"aiomonitor": None}),
            caplog.at_level(logging.WARNING),
        ):
            assert await worker._add_monitor() is None
        hint = "pip install 'faust-ng[debug]'"
        assert f"aiomonitor is not installed: {hint}" in caplog.text
        assert "50555" in caplog.text

    async def test_with_aiomonitor(self) -> None:
        fake = Mock(name="aiomonitor")
        worker = make_worker(console_port=50556)
        with (
            patch.dict(sys.modules, {"aiomonitor": fake}),
            patch.object(worker, "add_context") as add_context,
        ):
            monitor = await worker._add_monitor()
        fake.start_monitor.assert_called_once_with(loop=worker.loop, port=50556)
        add_context.assert_called_once_with(monitor)


class TestAssignmentSummary:
    def test_table(self) -> None:
        from faust.types import TP
        from faust.worker import assignment_table

        text = assignment_table(
            {TP("orders", p) for p in (0, 1, 2, 5)} | {TP("clicks", 3)}
        )
        lines = text.splitlines()
        assert "Assigned" in lines[0]
        assert any("| clicks | 3" in line for line in lines)
        assert any("| orders | 0-2, 5" in line for line in lines)

    async def test_logged_after_rebalance(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        from faust.types import TP

        worker = make_worker()
        with caplog.at_level(logging.INFO, logger="faust.worker"):
            await worker.on_partitions_assigned(None, {TP("t", 0)})
            await worker.on_partitions_assigned(None, set())
        messages = [r.getMessage() for r in caplog.records]
        assert "Partitions assigned:" in messages[0] and "| t " in messages[0]
        assert messages[1].endswith("Partitions assigned: none")

    async def test_connected_to_the_app_signal(self) -> None:
        app = FakeApp()
        app.on_partitions_assigned = Mock(name="signal")  # type: ignore[attr-defined]
        worker = make_worker(app)
        with patch.object(worker, "default_on_first_start"):
            await worker.on_first_start()
        app.on_partitions_assigned.connect.assert_called_once_with(  # type: ignore[attr-defined]
            worker.on_partitions_assigned, weak=True
        )
