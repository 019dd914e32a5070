"""The worker: runs an app as a process (``faust worker``, ``app.Worker()``).

A :class:`Worker` is what turns an app into a well-behaved process:

* it configures logging (``-l``/``-f``, ``logging_config``, ``loghandlers``)
  and can redirect ``print()`` output into the log
  (``worker_redirect_stdouts``);
* it prints the startup banner and logs ``Ready`` once the app tells it
  (``app.on_startup_finished``) that startup and table recovery are done;
* it handles signals: SIGINT/SIGTERM stop the app gracefully (exit status
  0), a second SIGINT/SIGTERM while stopping exits at once (status 128 +
  signal number), SIGUSR1 dumps the stack of every thread and task;
* a crash of the app (an exception escaping one of its services) stops the
  process with exit status 1 after the error is logged;
* with a blocking timeout (``--blocking-timeout``, the ``blocking_timeout``
  setting, or ``--debug``) it logs the stack of the code that keeps the
  event loop busy for longer than that (:class:`BlockingDetector`);
* with ``--debug`` it starts an :pypi:`aiomonitor` console on
  ``console_port`` when aiomonitor is installed;
* after each rebalance it logs a table of the partitions assigned;
* with ``pidfile`` it writes its process id to that file while it runs and
  refuses to start when another live process holds the file (:class:`PIDFile`).

An app started with ``await app.start()`` has none of this: signal handling
and logging belong to whoever owns the process.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import platform
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

import mode
from mode import ServiceT
from mode.debug import BlockingDetector as _ModeBlockingDetector
from mode.utils.futures import maybe_cancel
from mode.utils.logging import FileLogProxy, redirect_logger
from mode.utils.times import Seconds
from yarl import URL

from faust.exceptions import (
    ConsistencyError,
    ImproperlyConfigured,
    PartitionsMismatch,
    RecoveryTimeout,
    TransportError,
)
from faust.types import AppT, SensorT, _env
from faust.utils import collector
from faust.utils.extras import install_hint
from faust.utils.pidfile import PIDFile, PIDFileInUse
from faust.utils.progress import ProgressDisplay
from faust.utils.terminal import isatty, logtable
from faust.utils.terminal import table as terminal_table

__all__ = ["BlockingDetector", "PIDFile", "Worker"]

#: Process title prefix (when :pypi:`setproctitle` is installed).
PSIDENT = "[Faust:Worker]"

#: ``-l`` short names → :mod:`logging` level names.
_LEVEL_ALIASES = {"CRIT": "CRITICAL", "WARN": "WARNING", "FATAL": "CRITICAL"}


def _level_name(loglevel: str | int | None) -> str | int:
    if loglevel is None:
        return "WARNING"
    if isinstance(loglevel, str):
        upper = loglevel.upper()
        return _LEVEL_ALIASES.get(upper, upper)
    return loglevel


def _faust_version() -> str:
    # Read through sys.modules: the package root is always imported before
    # this module, and importing it here would make this module depend (for
    # import-linter) on everything the root names under TYPE_CHECKING.
    return str(sys.modules["faust"].__version__)


def _display_url(url: Any) -> str:
    # yarl shows URL("memory://") as "memory:"; show what users write.
    text = str(url)
    if isinstance(url, URL) and url.scheme and not url.raw_authority:
        return f"{url.scheme}://{text[len(url.scheme) + 1 :]}"
    return text


def _load_setproctitle() -> Callable[[str], None]:
    try:
        module = importlib.import_module("setproctitle")
    except ImportError:
        return lambda title: None
    fun: Callable[[str], None] = module.setproctitle
    return fun


class _RedirectStdouts:
    """Send ``sys.stdout``/``sys.stderr`` to a logger; restore them on exit.

    (mode's helper restores ``sys.__stdout__``, losing any replacement made
    before the worker started, such as a test runner's capture.)
    """

    def __init__(self, logger: logging.Logger, severity: str | int) -> None:
        self.proxy = FileLogProxy(logger, severity=severity)
        self.saved: tuple[Any, Any] = (None, None)

    def __enter__(self) -> FileLogProxy:
        self.saved = (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = self.proxy
        return self.proxy

    def __exit__(self, *exc_info: Any) -> None:
        sys.stdout, sys.stderr = self.saved


class BlockingDetector(_ModeBlockingDetector):
    """Logs the stack of code that blocks the event loop for too long.

    mode's detector raises an exception inside the blocking code (so an
    agent blocked in ``time.sleep()`` would crash); this one only logs where
    the loop is stuck, again after each further ``timeout`` it stays stuck.
    """

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        stack = "".join(traceback.format_stack(frame))
        self.log.warning(
            "Event loop blocked for more than %.3g second(s); "
            "the code running now:\n%s",
            self.timeout,
            stack,
        )
        self._reset_signal()


#: Errors whose message says what went wrong and what to do: a worker stopped
#: by one logs that message as one line, with the traceback only at DEBUG.
ONE_LINE_ERRORS: tuple[type[BaseException], ...] = (
    ImproperlyConfigured,
    TransportError,
    PartitionsMismatch,
    ConsistencyError,
    RecoveryTimeout,
)


class _OneLineErrors(logging.Filter):
    """Turn mode's "Error: %r" and traceback into one line for known errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ONE_LINE_ERRORS) and not logging.getLogger(
            record.name
        ).isEnabledFor(logging.DEBUG):
            record.msg, record.args = "%s: %s", (type(exc).__name__, exc)
            record.exc_info = record.exc_text = None
        return True


def _partition_ranges(partitions: Iterable[int]) -> str:
    """``[0, 1, 2, 5]`` → ``"0-2, 5"``."""
    ranges: list[list[int]] = []
    for number in sorted(partitions):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)


def assignment_table(assigned: Iterable[Any], *, title: str = "Assigned") -> str:
    """A log table of ``topic | partitions`` for a set of topic partitions."""
    by_topic: dict[str, set[int]] = {}
    for tp in assigned:
        by_topic.setdefault(tp.topic, set()).add(tp.partition)
    rows = [
        (topic, _partition_ranges(parts)) for topic, parts in sorted(by_topic.items())
    ]
    return logtable(rows, title=title, headers=("topic", "partitions"))


class Worker(mode.Worker):
    """Runs an app, and optionally more services, in this process.

    Owner: the ``faust worker`` command, or user code (``app.Worker()``).
    Children: the extra ``services`` first, then the app; the blocking
    detector once the app is ready (when a blocking timeout is set).
    ``on_first_start`` changes to ``workdir``, runs autodiscovery, sets up
    logging, prints the banner and installs the signal handlers.

    Arguments:
        app: the app to run.
        *services: more services started before the app (e.g. other apps).
        sensors: sensors added to the app.
        debug: start the aiomonitor console (and the blocking detector).
        quiet: do not print the banner or status.
        loglevel: ``crit|error|warn|info|debug`` or a :mod:`logging` level.
        logfile: path or stream for the log (default: stderr).
        stdout: stream for the banner (default: :data:`sys.stdout`).
        stderr: stream for errors (default: :data:`sys.stderr`).
        blocking_timeout: log a traceback when the event loop is blocked
            this many seconds (default: the ``blocking_timeout`` setting;
            10 seconds with ``debug``).
        workdir: directory to change to when starting.
        console_port: port of the aiomonitor console (with ``debug``).
        loop: the event loop.
        redirect_stdouts: send ``print()`` output to the log (default: the
            ``worker_redirect_stdouts`` setting).
        redirect_stdouts_level: level of that output (default: the
            ``worker_redirect_stdouts_level`` setting).
        logging_config: :func:`logging.config.dictConfig` mapping (default:
            the ``logging_config`` setting).
        pidfile: write the process id to this file while running.
        log_color: colours in log lines written to a stream (default: when
            that stream is a terminal; ``NO_COLOR``/``FORCE_COLOR`` apply).
        **kwargs: passed to :class:`mode.Worker`.
    """

    #: The blocking detector class (see :class:`BlockingDetector`).
    BLOCK_DETECTOR = "faust.worker:BlockingDetector"

    app: AppT
    sensors: set[SensorT]
    workdir: Path | None

    _startup_finished: bool = False
    _recovery_display: ProgressDisplay | None = None
    _stopping_on_signal: bool = False

    def __init__(
        self,
        app: AppT,
        *services: ServiceT,
        sensors: Iterable[SensorT] | None = None,
        debug: bool = False,
        quiet: bool = False,
        loglevel: str | int | None = None,
        logfile: str | IO[str] | None = None,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        blocking_timeout: Seconds | None = None,
        workdir: str | Path | None = None,
        console_port: int = 50101,
        loop: asyncio.AbstractEventLoop | None = None,
        redirect_stdouts: bool | None = None,
        redirect_stdouts_level: str | int | None = None,
        logging_config: dict[str, Any] | None = None,
        pidfile: str | Path | None = None,
        log_color: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.sensors = set(sensors or ())
        self.pidfile = PIDFile(pidfile) if pidfile else None
        self.log_color = log_color
        self.workdir = Path(workdir) if workdir else None
        conf = app.conf
        if redirect_stdouts is None:
            redirect_stdouts = conf.worker_redirect_stdouts
        if redirect_stdouts_level is None:
            redirect_stdouts_level = conf.worker_redirect_stdouts_level
        if logging_config is None and conf.logging_config:
            # copied: mode pops the "merge" key from it
            logging_config = dict(conf.logging_config)
        if blocking_timeout is None:
            blocking_timeout = conf.blocking_timeout
        self.blocking_detection = blocking_timeout is not None or debug
        super().__init__(
            *services,
            debug=debug,
            quiet=quiet,
            loglevel=_level_name(loglevel),
            logfile=logfile,
            loghandlers=list(conf.loghandlers or ()),
            stdout=stdout,
            stderr=stderr,
            blocking_timeout=(
                _env.blocking_timeout()
                if blocking_timeout is None
                else blocking_timeout
            ),
            console_port=console_port,
            loop=loop,
            redirect_stdouts=bool(redirect_stdouts),
            redirect_stdouts_level=redirect_stdouts_level,
            logging_config=logging_config,
            **kwargs,
        )
        app.beacon.reattach(self.beacon)
        self._setproctitle_fun = _load_setproctitle()

    # -- startup ------------------------------------------------------------

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """Mark the app as run by a worker; start it after ``services``."""
        app = self.app
        app.in_worker = True
        app.on_startup_finished = self.on_startup_finished
        for sensor in self.sensors:
            app.sensors.add(sensor)
        return [*self.services, app]

    def execute_from_commandline(self) -> NoReturn:
        """Run until stopped, then exit; exit 1 at once if the PID file is taken."""
        try:
            self.acquire_pidfile()
        except (PIDFileInUse, OSError) as exc:
            self.carp(f"{PSIDENT} cannot start: {exc}")
            raise SystemExit(1) from None
        one_line = _OneLineErrors()
        self.log.logger.addFilter(one_line)
        try:
            super().execute_from_commandline()
        finally:
            self.log.logger.removeFilter(one_line)

    def acquire_pidfile(self) -> None:
        """Write the PID file (when one is configured and not yet written)."""
        if self.pidfile is not None and not self.pidfile.acquired:
            self.pidfile.acquire()

    def stop_and_shutdown(self) -> None:
        """Stop, close the loop, then remove the PID file."""
        try:
            super().stop_and_shutdown()
        finally:
            if self.pidfile is not None:
                self.pidfile.release()

    async def on_first_start(self) -> None:
        """Change directory, autodiscover, then logging/banner/signals."""
        self.acquire_pidfile()
        self.change_workdir(self.workdir)
        self.autodiscover()
        await self.default_on_first_start()
        assigned = getattr(self.app, "on_partitions_assigned", None)
        if assigned is not None:
            assigned.connect(self.on_partitions_assigned, weak=True)

    async def on_partitions_assigned(
        self, sender: Any = None, assigned: Iterable[Any] = (), **kwargs: Any
    ) -> None:
        """Log a table of the partitions assigned by the last rebalance."""
        partitions = list(assigned)
        if partitions:
            self.log.info("Partitions assigned:\n%s", assignment_table(partitions))
        else:
            self.log.info("Partitions assigned: none")

    def change_workdir(self, path: Path | None) -> None:
        """Change the current directory to ``path`` (if given)."""
        if path is not None and path.absolute() != Path.cwd().absolute():
            os.chdir(path.absolute())

    def autodiscover(self) -> None:
        """Import the app's modules when the ``autodiscover`` setting is on."""
        if self.app.conf.autodiscover:
            self.app.discover()

    async def on_execute(self) -> None:
        """Print the banner (unless quiet) once logging is set up."""
        self._setproctitle("init")
        self.say(self.banner())
        if self._show_status():
            self._say("starting... ", end="", flush=True)
        self._show_recovery()

    def _show_recovery(self) -> None:
        # Table recovery is long work: a bar on the status line, or a log
        # line every few seconds when the log level hides Recovery's own.
        recovery = getattr(getattr(self.app, "tables", None), "recovery", None)
        if recovery is None:
            return
        if self._show_status():
            display = ProgressDisplay(
                stream=self.stdout, prefix="starting... ", done_end=", "
            )
        elif not logging.getLogger("faust.tables.recovery").isEnabledFor(logging.INFO):
            display = ProgressDisplay(log=logging.getLogger("faust.tables").warning)
        else:
            return
        recovery.on_progress = self._recovery_display = display

    async def on_startup_finished(self) -> None:
        """Called (awaited) by the app when it has started and recovered its tables.

        A coroutine, as in Faust; later calls do nothing.
        """
        if self._startup_finished:
            return
        self._startup_finished = True
        await self._on_startup_finished()

    async def _on_startup_finished(self) -> None:
        if self._recovery_display is not None:  # later recoveries: own lines
            self._recovery_display.prefix, self._recovery_display.done_end = "", "\n"
        if self._show_status():
            self._say("ready", flush=True)
        self.log.info("Ready")
        collector.tune_for_running()
        self._setproctitle("running")
        await self.maybe_start_blockdetection()

    async def maybe_start_blockdetection(self) -> None:
        """Start the blocking detector (``blocking_timeout`` or ``debug``)."""
        if self.blocking_detection and hasattr(signal, "SIGALRM"):
            await self.add_runtime_dependency(self.blocking_detector)

    def _show_status(self) -> bool:
        # The one-line status only makes sense on a terminal that is not
        # also receiving info/debug log lines.
        level = logging.getLevelName(_level_name(self.loglevel))
        quiet_log = not isinstance(level, int) or level >= logging.WARNING
        return not self.quiet and isatty(self.stdout) and quiet_log

    # -- logging ------------------------------------------------------------

    def _setup_logging(self) -> None:
        super()._setup_logging()
        self._setup_log_colors(logging.root.handlers)

    def _setup_log_colors(self, handlers: Iterable[logging.Handler]) -> None:
        # mode's colour formatter decides on colour by looking at sys.stdout
        # (as it was when mode was imported); decide by the stream each
        # handler really writes to (stderr by default), or by --no-color.
        for handler in handlers:
            formatter = handler.formatter
            if not isinstance(handler, logging.StreamHandler) or not hasattr(
                formatter, "no_color"
            ):
                continue
            formatter.stream = handler.stream  # type: ignore[union-attr]  # colorlog formatter
            if self.log_color is not None:
                formatter.no_color = not self.log_color  # type: ignore[union-attr]  # colorlog formatter
                formatter.force_color = self.log_color  # type: ignore[union-attr]  # colorlog formatter

    async def _add_monitor(self) -> Any:
        try:
            aiomonitor: Any = importlib.import_module("aiomonitor")
        except ImportError:
            self.log.warning(
                "Cannot start the console on port %s: aiomonitor is not installed: %s",
                self.console_port,
                install_hint("debug"),
            )
            return None
        monitor = aiomonitor.start_monitor(loop=self.loop, port=self.console_port)
        self.add_context(monitor)
        self.log.info("Console (aiomonitor) listening on port %s", self.console_port)
        return monitor

    def _redirect_stdouts(self) -> None:
        self.add_context(_RedirectStdouts(redirect_logger, self.redirect_stdouts_level))

    # -- signals ------------------------------------------------------------

    def _schedule_shutdown(self, signum: signal.Signals) -> None:
        if self._stopping_on_signal:
            self._force_exit(signum)
        self._stopping_on_signal = True
        super()._schedule_shutdown(signum)

    async def _stop_on_signal(self, signum: signal.Signals) -> None:
        self.log.info("Signal received: %s (%s)", signum.name, int(signum))
        await self.stop()
        maybe_cancel(self._starting_fut)

    def _force_exit(self, signum: signal.Signals) -> None:
        # A second signal while stopping: the user does not want to wait
        # for a graceful shutdown (which may be stuck).
        self.carp(f"{PSIDENT} {signum.name} received while stopping: exiting now")
        self.log.critical("Forced exit on second %s", signum.name)
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed or broken pipe: nothing to do
                pass
        logging.shutdown()
        os._exit(128 + int(signum))

    async def _sentinel_task(self) -> None:
        # mode sleeps a fixed second here before closing the loop; one loop
        # turn is enough for pending callbacks, and shutdown stays fast
        await asyncio.sleep(0)

    def on_worker_shutdown(self) -> None:
        """Called when the worker is about to stop."""
        self._setproctitle("stopping")
        collector.untune()

    # -- banner -------------------------------------------------------------

    def banner(self) -> str:
        """Return the startup banner: a table describing this worker."""
        return terminal_table(
            self._banner_data(),
            title=f"faust v{_faust_version()}",
            target=self.stdout,
            inner_heading_row_border=False,
        ).table

    def _banner_data(self) -> list[tuple[str, str]]:
        conf = self.app.conf
        return [
            ("id", str(conf.id)),
            ("transport", self._transport_info()),
            ("store", _display_url(conf.store)),
            ("web", self._web_info()),
            ("log", self._log_info()),
            ("pid", str(os.getpid())),
            ("hostname", socket.gethostname()),
            ("platform", self._platform_info()),
            ("drivers", self._driver_info()),
            ("datadir", str(Path(conf.datadir).absolute())),
            ("appdir", str(Path(conf.appdir).absolute())),
        ]

    def _transport_info(self) -> str:
        brokers = " ".join(_display_url(url) for url in self.app.conf.broker)
        loop_module = type(self.loop).__module__
        if loop_module.startswith("uvloop"):
            brokers += " +uvloop"
        return brokers

    def _web_info(self) -> str:
        conf = self.app.conf
        if not conf.web_enabled:
            return "disabled"
        transport = _display_url(conf.web_transport)
        if transport.startswith("unix:"):
            return transport
        return _display_url(conf.canonical_url)

    def _log_info(self) -> str:
        logfile = self.logfile if isinstance(self.logfile, str) else "-stderr-"
        level = _level_name(self.loglevel)
        name = level if isinstance(level, str) else logging.getLevelName(level)
        return f"{logfile} ({str(name).lower()})"

    def _platform_info(self) -> str:
        return (
            f"{platform.python_implementation()} {platform.python_version()} "
            f"({platform.system()} {platform.machine()})"
        )

    def _driver_info(self) -> str:
        app = self.app
        drivers = [self._driver_version(lambda: app.transport)]
        if app.conf.web_enabled:
            drivers.append(self._driver_version(lambda: app.web))
        return " ".join(drivers)

    def _driver_version(self, get: Callable[[], Any]) -> str:
        try:
            return str(get().driver_version)
        except Exception as exc:  # the banner must not stop the worker
            self.log.debug("Cannot get driver version: %r", exc)
            return "?"

    def _setproctitle(self, info: str) -> None:
        conf = self.app.conf
        port = f" -p {conf.web_port}" if conf.web_enabled else ""
        self._setproctitle_fun(f"{PSIDENT} -{info}- {conf.id}{port} {conf.datadir}")

    def _repr_info(self) -> str:
        return repr(self.app)
