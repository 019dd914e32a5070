"""Options of the ``faust`` root command, and the :class:`State` they fill.

Root options (``-A``, ``-q``, ``--json``, …) come before the command name.
The :data:`common_options` (``-l``, ``-f``, ``--blocking-timeout``,
``--console-port``) are accepted before *and* after it; a value given after
the command name wins.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

import click

from faust.types import AppT, _env

from .params import LogLevel, TCPPort, WritableDirectory, WritableFilePath

__all__ = [
    "DEFAULT_LOGLEVEL",
    "LOOP_CHOICES",
    "OptionDecorator",
    "OptionSequence",
    "State",
    "apply_options",
    "argument",
    "common_options",
    "option",
    "peek_option",
    "root_options",
]

#: ``faust.cli.argument``: :func:`click.argument`.
argument = click.argument

OptionDecorator = Callable[[Any], Any]
OptionSequence = Sequence[OptionDecorator]

#: Event loop implementations accepted by ``-L``.
LOOP_CHOICES: Sequence[str] = ("aio", "eventlet", "uvloop")
#: Log level used when ``-l`` is not given.
DEFAULT_LOGLEVEL = "WARNING"


def option(
    *param_decls: str, show_default: bool | str = True, **kwargs: Any
) -> OptionDecorator:
    """:func:`click.option`, showing defaults in ``--help`` unless told not to."""
    return click.option(*param_decls, show_default=show_default, **kwargs)


class State:
    """What the root options decided, shared by every command as ``ctx.obj``.

    Arguments:
        app: the app, when given by ``app.main()``.
        stdout: where commands write output (default :data:`sys.stdout`).
        stderr: where commands write errors (default :data:`sys.stderr`).
        side_effects: allow changing the process (``chdir``, environment).
    """

    app_path: str | None = None
    quiet: bool = False
    debug: bool = False
    workdir: str | None = None
    datadir: str | None = None
    json: bool = False
    color: bool | None = None
    loop: str | None = None
    loglevel: str | None = None
    logfile: str | None = None
    blocking_timeout: float | None = None
    console_port: int | None = None

    def __init__(
        self,
        *,
        app: AppT | None = None,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        side_effects: bool = True,
    ) -> None:
        self.app = app
        self.stdout = stdout
        self.stderr = stderr
        self.side_effects = side_effects


def _store(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    # A value given after the command name overrides one given before it.
    def _callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            setattr(ctx.ensure_object(State), key, value)
        return value

    return _callback


def _shared_option(*decls: str, key: str, **kwargs: Any) -> OptionDecorator:
    return option(
        *decls,
        default=None,
        expose_value=False,
        callback=_store(key),
        show_default=False,
        **kwargs,
    )


#: Options accepted both before and after the command name.
common_options: OptionSequence = [
    _shared_option(
        "--loglevel",
        "-l",
        key="loglevel",
        type=LogLevel(),
        help="Logging level to use (crit|error|warn|info|debug) [default: warn].",
    ),
    _shared_option(
        "--logfile",
        "-f",
        key="logfile",
        type=WritableFilePath,
        help="Path to logfile [default: <stderr>].",
    ),
    _shared_option(
        "--blocking-timeout",
        key="blocking_timeout",
        type=float,
        help="Log a traceback when the event loop is blocked this many seconds.",
    ),
    _shared_option(
        "--console-port",
        key="console_port",
        type=TCPPort(),
        help="When --debug: port of the aiomonitor console [default: 50101].",
    ),
]

#: Options of the root group only.
root_options: OptionSequence = [
    click.version_option(
        # sys.modules: importing the package root would, for import-linter,
        # depend on everything it names under TYPE_CHECKING.
        version=f"Faust {sys.modules['faust'].__version__}",
        prog_name="faust",
    ),
    option(
        "--app", "-A", help="App to use: module, module:attribute or module.attribute."
    ),
    option("--quiet/--no-quiet", "-q", default=False, help="Silence stdout/stderr."),
    option(
        "--debug/--no-debug",
        default=_env.debug,
        show_default="FAUST_DEBUG",
        help="Start the aiomonitor console and the blocking detector.",
    ),
    option(
        "--no-color/--color",
        default=None,
        show_default="color if stdout is a terminal",
        help="Disable/enable colors in output.",
    ),
    option(
        "--workdir",
        "-W",
        default=_env.workdir,
        show_default="FAUST_WORKDIR or the current directory",
        type=WritableDirectory,
        help="Directory to change to before the app is imported.",
    ),
    option(
        "--datadir",
        "-D",
        default=None,
        show_default="FAUST_DATADIR or {app id}-data",
        type=WritableDirectory,
        help="Directory to keep application state in.",
    ),
    option("--json", is_flag=True, default=False, help="Write tables as JSON."),
    option(
        "--loop",
        "-L",
        default=None,
        show_default="FAUST_LOOP or aio",
        type=click.Choice(list(LOOP_CHOICES)),
        help="Event loop implementation to use.",
    ),
]


def apply_options(target: Any, options: OptionSequence) -> Any:
    """Apply option decorators so that the options keep their list order."""
    # On a click command each decorator appends to ``params``; on a plain
    # function they collect in reverse (the innermost decorator is first).
    ordered = options if isinstance(target, click.Command) else reversed(options)
    for opt in ordered:
        target = opt(target)
    return target


def peek_option(args: Sequence[str], short: str, long: str) -> str | None:
    """Find the value of a root option in raw ``args`` (before click parses)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg in (short, long):
            return args[i + 1] if i + 1 < len(args) else None
        if arg.startswith(long + "="):
            return arg.partition("=")[2]
        if len(arg) > 2 and arg.startswith(short) and not arg.startswith("--"):
            return arg[len(short) :]
    return None
