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
  process with exit status 1 after the error is logged.

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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import mode
from mode import ServiceT
from mode.utils.futures import maybe_cancel
from mode.utils.logging import FileLogProxy, redirect_logger
from mode.utils.times import Seconds
from yarl import URL

from faust.types import AppT, SensorT, _env
from faust.utils.terminal import isatty
from faust.utils.terminal import table as terminal_table

__all__ = ["Worker"]

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
        **kwargs: passed to :class:`mode.Worker`.
    """

    app: AppT
    sensors: set[SensorT]
    workdir: Path | None

    _startup_finished: bool = False
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
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.sensors = set(sensors or ())
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

    async def on_first_start(self) -> None:
        """Change directory, autodiscover, then logging/banner/signals."""
        self.change_workdir(self.workdir)
        self.autodiscover()
        await self.default_on_first_start()

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

    def on_startup_finished(self) -> None:
        """Called by the app when it has started and recovered its tables."""
        if self._startup_finished:
            return
        self._startup_finished = True
        self.add_future(self._on_startup_finished())

    async def _on_startup_finished(self) -> None:
        if self._show_status():
            self._say("ready", flush=True)
        self.log.info("Ready")
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
