"""``faust worker``: run the app as a worker process until it is stopped.

The web options are applied to ``app.conf`` before the app's web server is
set up; the worker itself is ``app.Worker(...)`` (the ``Worker`` setting,
:class:`faust.worker.Worker` by default), which prints the banner, sets up
logging and signal handling, starts the app and waits for a signal.
"""

from __future__ import annotations

import platform as _platform
from typing import Any, ClassVar

from mode import ServiceT, Worker

from faust.types import AppT

from ._options import OptionSequence
from .base import AppCommand, option
from .params import TCPPort, URLParam, WritableFilePath

__all__ = ["worker"]


class worker(AppCommand):
    """Start a worker for the app (stop it with Ctrl-C or SIGTERM)."""

    daemon: ClassVar[bool] = True

    worker_options: ClassVar[OptionSequence] = [
        option(
            "--with-web/--without-web",
            default=None,
            show_default="web_enabled setting (on)",
            help="Enable/disable the web server and its API.",
        ),
        option(
            "--web-port",
            "-p",
            default=None,
            type=TCPPort(),
            show_default="web_port setting (6066)",
            help="Port the web server listens on.",
        ),
        option(
            "--web-bind",
            "-b",
            default=None,
            show_default="web_bind setting (0.0.0.0)",
            help="Network interface the web server binds to.",
        ),
        option(
            "--web-host",
            "-h",
            default=None,
            show_default="web_host setting (this host's name)",
            help="Host name other workers use to reach this one.",
        ),
        option(
            "--web-transport",
            default=None,
            type=URLParam(),
            show_default="web_transport setting (tcp://)",
            help="Web server transport: tcp:// or unix:///path/to.sock.",
        ),
        option(
            "--pidfile",
            default=None,
            type=WritableFilePath,
            show_default="no PID file",
            help="Write the process id to this file (refuse to start if a "
            "running worker holds it).",
        ),
    ]
    options = worker_options

    def configure_app(self, app: AppT) -> None:
        """Apply ``--with-web/--without-web`` and the ``--web-*`` options.

        ``canonical_url`` follows ``web_host``/``web_port`` unless it was
        configured explicitly (the setting is derived when read).
        """
        kwargs = self.kwargs
        conf = app.conf
        with_web = kwargs.get("with_web")
        if with_web is not None:
            conf.web_enabled = with_web
        if kwargs.get("web_port") is not None:
            conf.web_port = kwargs["web_port"]
        if kwargs.get("web_bind"):
            conf.web_bind = kwargs["web_bind"]
        if kwargs.get("web_host"):
            conf.web_host = kwargs["web_host"]
        if kwargs.get("web_transport") is not None:
            conf.web_transport = kwargs["web_transport"]

    def as_service(self, loop: Any, *args: Any, **kwargs: Any) -> ServiceT:
        """The worker runs the app itself."""
        return self.app

    def worker_for_service(self, service: ServiceT, loop: Any = None) -> Worker:
        """Create the worker with ``app.Worker()`` (the ``Worker`` setting).

        ``pidfile`` and ``log_color`` are passed only when given, so that a
        custom ``Worker`` class need not accept them.
        """
        extra: dict[str, Any] = {}
        if self.kwargs.get("pidfile"):
            extra["pidfile"] = self.kwargs["pidfile"]
        if self.state.color is not None:
            extra["log_color"] = self.state.color
        instance: Worker = self.app.Worker(
            debug=self.debug,
            quiet=self.quiet,
            stdout=self.output.stdout,
            stderr=self.output.stderr,
            loglevel=self.loglevel,
            logfile=self.logfile,
            blocking_timeout=self.blocking_timeout,
            console_port=self.console_port,
            redirect_stdouts=self.redirect_stdouts,
            redirect_stdouts_level=self.redirect_stdouts_level,
            loop=loop,
            **extra,
        )
        return instance

    def banner(self, worker: Worker) -> str:
        """The text banner ``worker`` prints before it starts."""
        text: str = getattr(worker, "banner", lambda: "")()
        return text

    def faust_ident(self) -> str:
        """``faust v<version>``."""
        from faust import __version__

        return f"faust v{__version__}"

    def platform(self) -> str:
        """``CPython 3.11.7 (Linux x86_64)``: the interpreter and the machine."""
        return (
            f"{_platform.python_implementation()} {_platform.python_version()} "
            f"({_platform.system()} {_platform.machine()})"
        )
