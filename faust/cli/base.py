"""The ``faust`` program: the root command group and the command base classes.

``faust [OPTIONS] COMMAND [ARGS]`` is a :mod:`click` group (:data:`cli`).
Before click parses anything, :meth:`_Group.make_context` finds the app
(``-A module``, or the app passed by ``app.main()`` as ``cli(app=app)``),
imports it and runs its discovery, so that commands declared by the app with
``@app.command`` are known when click looks the command up.

Every subclass of :class:`Command` (or :class:`AppCommand`) that does not
set ``abstract = True`` in its own body becomes a subcommand when the class
is created.  Options shared by all commands (``-l``, ``-f``,
``--blocking-timeout``, ``--console-port``) are accepted before or after the
command name; the values end up in :class:`State` (``ctx.obj``).
"""

from __future__ import annotations

import asyncio
import inspect
import io
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import IO, Any, ClassVar, NoReturn

import click
from mode import Service, ServiceT, Worker
from mode.utils.loops import get_event_loop
from mode.utils.text import abbr_fqdn

from faust.types import AppT, CodecArg, _env
from faust.utils.extras import EXTRAS, install_hint

from ._app import (
    AppNotFound,
    adopt_app,
    ensure_cwd_in_path,
    find_app,
    init_app_for_command,
    origin_from_argv,
    prepare_app,
)
from ._options import (
    DEFAULT_LOGLEVEL,
    LOOP_CHOICES,
    OptionSequence,
    State,
    apply_options,
    argument,
    common_options,
    option,
    peek_option,
    root_options,
)
from ._output import Output, OutputMixin

__all__ = [
    "AppCommand",
    "AppNotFound",
    "Command",
    "State",
    "argument",
    "call_command",
    "cli",
    "find_app",
    "option",
]


class _Group(click.Group):
    """The root group: sets up the process and loads the app before parsing."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Create the root context; ``app``, ``stdout``, ``stderr``, ``side_effects``.

        These extra keywords are taken from ``cli(...)``/``cli.main(...)``
        (``app.main()`` calls ``cli(obj={"app": app})``; ``cli(app=app)``
        works too).
        """
        obj = extra.pop("obj", None)
        app = extra.pop("app", None)
        if app is None and isinstance(obj, Mapping):
            app = obj.get("app")
        state = obj if isinstance(obj, State) else State()
        state.app = app if app is not None else state.app
        state.stdout = extra.pop("stdout", state.stdout)
        state.stderr = extra.pop("stderr", state.stderr)
        state.side_effects = extra.pop("side_effects", state.side_effects)
        self._setup(state, args)
        return super().make_context(info_name, args, parent=parent, obj=state, **extra)

    def _setup(self, state: State, args: Sequence[str]) -> None:
        # Done before parsing: the app must be imported (from the right
        # directory, with the right data directory and event loop) for its
        # commands to exist when click resolves the command name.
        if state.side_effects:
            self._setup_process(args)
        if state.app is None:
            state.app_path = peek_option(args, "-A", "--app")
            if state.app_path:
                state.app = find_app(state.app_path)
                prepare_app(state.app, state.app_path)
        else:
            adopt_app(state.app, origin_from_argv())

    def _setup_process(self, args: Sequence[str]) -> None:
        workdir = peek_option(args, "-W", "--workdir") or _env.workdir()
        if workdir:
            try:
                os.chdir(Path(workdir).absolute())
            except OSError as exc:
                raise click.BadParameter(
                    f"{workdir}: {exc.strerror}", param_hint="'-W' / '--workdir'"
                ) from None
        datadir = peek_option(args, "-D", "--datadir")
        if datadir:
            # Read by the datadir setting's default: must be set before the
            # app's configuration is first read.
            os.environ["FAUST_DATADIR"] = datadir
        ensure_cwd_in_path()
        loop = peek_option(args, "-L", "--loop") or _env.loop()
        if loop and loop in LOOP_CHOICES:
            use_loop(loop)


def use_loop(name: str) -> None:
    """Install the event loop policy ``-L name``, or fail in one line.

    Raises:
        click.UsageError: the loop's package is not installed (names the
            extra that installs it).
    """
    import mode.loop

    try:
        mode.loop.use(name)
    except ImportError as exc:
        package = exc.name or name
        hint = install_hint(name) if name in EXTRAS else f"pip install {package}"
        raise click.UsageError(
            f"The {name} event loop (-L {name}) needs the {package} package, "
            f"which is not installed: "
            f"{hint} (or leave out -L to use asyncio's loop)"
        ) from None


@click.group(cls=_Group, help="Faust command-line interface.")
@click.pass_context
def _cli(ctx: click.Context, /, **kwargs: Any) -> None:
    state = ctx.ensure_object(State)
    state.quiet = kwargs["quiet"]
    state.debug = kwargs["debug"]
    state.workdir = kwargs["workdir"]
    state.datadir = kwargs["datadir"]
    state.json = kwargs["json"]
    no_color = kwargs["no_color"]
    state.color = None if no_color is None else not no_color
    state.loop = kwargs["loop"]


#: The ``faust`` root command (see :mod:`faust.cli.faust` for the program).
cli: click.Group = apply_options(_cli, [*root_options, *common_options])


class _CommandWorker(Worker):
    """The worker a command runs in (mode's, without the app banner)."""

    async def _sentinel_task(self) -> None:
        # mode waits a fixed second before closing the loop; one turn of the
        # loop is enough for pending callbacks, and commands return sooner
        await asyncio.sleep(0)


class Command(OutputMixin):
    """Base class of ``faust`` subcommands.

    A subclass becomes ``faust <classname>`` (underscores become dashes)
    when it is created, unless it sets ``abstract = True`` in its body.
    Implement ``async def run(self, **options)`` (run inside a worker,
    with logging and signal handling), or override ``__call__`` for a
    synchronous command.  Options are listed in :attr:`options`
    (:func:`option`/:func:`argument` decorators, in order).

    Arguments:
        ctx: the click context of the command.
        *args: positional values passed on to :meth:`run`.
        **kwargs: the parsed options, passed on to :meth:`run`.
    """

    UsageError: ClassVar[type[Exception]] = click.UsageError

    abstract: ClassVar[bool] = True
    _click: ClassVar[click.Command | None] = None

    #: Keep the worker running after :meth:`run` returns.
    daemon: ClassVar[bool] = False
    redirect_stdouts: ClassVar[bool | None] = None
    redirect_stdouts_level: ClassVar[int | None] = None

    builtin_options: ClassVar[OptionSequence] = common_options
    options: ClassVar[OptionSequence | None] = None

    prog_name: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("abstract", False):
            cls._click = cls.as_click_command()

    @classmethod
    def command_name(cls) -> str:
        """Name of the subcommand: the class name, ``_`` replaced by ``-``."""
        return cls.__name__.lower().replace("_", "-")

    @classmethod
    def as_click_command(cls) -> click.Command:
        """Create the click command for this class and add it to :data:`cli`."""

        def _invoke(*args: Any, **kwargs: Any) -> Any:
            return cls(click.get_current_context(), *args, **kwargs)()

        command = click.Command(
            name=cls.command_name(),
            callback=_invoke,
            help=cls.__doc__,
        )
        for opt in [*cls.builtin_options, *(cls.options or ())]:
            opt(command)  # appends to command.params, in declaration order
        cli.add_command(command)
        return command

    @classmethod
    def parse(cls, argv: Sequence[str]) -> Mapping[str, Any]:
        """Parse ``argv`` with this command's own options (not the common ones).

        Returns:
            option name -> value, defaults included.

        Example:
            >>> send.parse(['--key', 'k', 'topic'])['key']
            'k'
        """
        command = click.Command(name=cls.command_name())
        for opt in cls.options or ():
            opt(command)
        ctx = command.make_context(cls.command_name(), list(argv))
        return dict(ctx.params)

    def __init__(self, ctx: click.Context, *args: Any, **kwargs: Any) -> None:
        self.ctx = ctx
        self.state = ctx.ensure_object(State)
        self.args = args
        self.kwargs = kwargs
        self.prog_name = ctx.find_root().command_path
        state = self.state
        self.debug = state.debug
        self.quiet = state.quiet
        self.workdir = state.workdir
        self.datadir = state.datadir
        self.json = state.json
        self.logfile = state.logfile
        self.stdout = state.stdout
        self.stderr = state.stderr
        self.output = Output(
            quiet=state.quiet,
            json=state.json,
            color=state.color,
            stdout=state.stdout,
            stderr=state.stderr,
        )
        self._error: click.ClickException | None = None

    @property
    def loglevel(self) -> str:
        """Log level name (``-l``), ``WARNING`` by default."""
        return self.state.loglevel or DEFAULT_LOGLEVEL

    @property
    def blocking_timeout(self) -> float | None:
        """``--blocking-timeout``, or ``FAUST_BLOCKING_TIMEOUT``, or None."""
        if self.state.blocking_timeout is not None:
            return self.state.blocking_timeout
        return _env.blocking_timeout() if _env.getenv("BLOCKING_TIMEOUT") else None

    @property
    def console_port(self) -> int:
        """``--console-port``, or ``FAUST_CONSOLE_PORT`` (50101)."""
        return self.state.console_port or _env.console_port()

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """Do the command's work (override this, or ``__call__``)."""

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        """Call :meth:`run`, then :meth:`on_stop`; keep usage errors for click."""
        try:
            return await self.run(*args, **kwargs)
        except click.ClickException as exc:
            self._error = exc
        finally:
            await self.on_stop()
        return None

    async def on_stop(self) -> None:
        """Clean up after :meth:`run` (called even when it fails)."""

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Run the command (in a worker): never returns."""
        self.run_using_worker(*args, **kwargs)

    def run_using_worker(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Run :meth:`execute` in a worker until done; exit the process."""
        loop = get_event_loop()
        if loop.is_closed():  # a previous command (call_command) closed it
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
        args = self.args + args
        kwargs = {**self.kwargs, **kwargs}
        service = self.as_service(loop, *args, **kwargs)
        worker = self.worker_for_service(service, loop)
        self.on_worker_created(worker)
        try:
            worker.execute_from_commandline()
        except SystemExit:
            if self._error is not None:
                raise self._error from None
            raise

    def on_worker_created(self, worker: Worker) -> None:
        """Called with the worker before it starts."""

    def as_service(self, loop: Any, *args: Any, **kwargs: Any) -> ServiceT:
        """Return the service the worker runs (wrapping :meth:`execute`)."""
        return Service.from_awaitable(
            self.execute(*args, **kwargs), name=type(self).__name__, loop=loop
        )

    def worker_for_service(self, service: ServiceT, loop: Any = None) -> Worker:
        """Create the worker that runs ``service`` with this command's options."""
        return _CommandWorker(
            service,
            debug=self.debug,
            quiet=self.quiet,
            stdout=self.output.stdout,
            stderr=self.output.stderr,
            loglevel=self.loglevel,
            logfile=self.logfile,
            blocking_timeout=self.blocking_timeout or _env.blocking_timeout(),
            console_port=self.console_port,
            redirect_stdouts=bool(self.redirect_stdouts),
            redirect_stdouts_level=self.redirect_stdouts_level,
            loop=loop,
            daemon=self.daemon,
        )


class AppCommand(Command):
    """Base class of commands that use the app (``-A``, or ``app.main()``).

    Arguments:
        ctx: the click context of the command.
        *args: positional values passed on to :meth:`run`.
        key_serializer: codec for keys given on the command line
            (default ``conf.key_serializer``).
        value_serializer: codec for values (default ``conf.value_serializer``).
        **kwargs: the parsed options, passed on to :meth:`run`.
    """

    abstract: ClassVar[bool] = True

    #: Fail with a usage error when no app is given.
    require_app: ClassVar[bool] = True

    app: AppT
    key_serializer: CodecArg
    value_serializer: CodecArg

    @classmethod
    def from_handler(
        cls, *options: Any, **kwargs: Any
    ) -> Callable[[Callable[..., Awaitable[Any]]], type[AppCommand]]:
        """Return a decorator making a command class out of an async function.

        This is what ``@app.command(*options, base=cls, **kwargs)`` uses: the
        function becomes :meth:`run` (taking ``self`` unless it takes no
        argument at all), its docstring the help text, and its name the
        command name.  The class registers itself as a subcommand.

        Arguments:
            *options: :func:`option`/:func:`argument` decorators.
            **kwargs: more class attributes (e.g. ``daemon=True``).
        """

        def _inner(fun: Callable[..., Awaitable[Any]]) -> type[AppCommand]:
            target: Any = fun
            if not inspect.signature(fun).parameters:
                target = staticmethod(fun)
            fields = {
                "run": target,
                "__doc__": fun.__doc__,
                "__name__": fun.__name__,
                "__qualname__": fun.__qualname__,
                "__module__": fun.__module__,
                "__wrapped__": fun,
                "options": list(options),
            }
            return type(fun.__name__, (cls,), {**fields, **kwargs})

        return _inner

    def __init__(
        self,
        ctx: click.Context,
        *args: Any,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(ctx, *args, **kwargs)
        app = self.state.app
        if app is None:
            if self.require_app:
                raise self.UsageError("Need to specify app using -A parameter")
            self.app = None  # type: ignore[assignment]  # only if require_app=False
        else:
            self.app = app
            self.configure_app(app)
            init_app_for_command(app)
            key_serializer = key_serializer or app.conf.key_serializer
            value_serializer = value_serializer or app.conf.value_serializer
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer

    @property
    def value_serialier(self) -> CodecArg:
        """Faust's misspelled alias of :attr:`value_serializer`."""
        return self.value_serializer

    def configure_app(self, app: AppT) -> None:
        """Apply the command's options to ``app.conf`` (before web/init)."""

    async def on_stop(self) -> None:
        """Stop the app if the command started it."""
        app = self.app
        if app is not None and app.started:
            await app.stop()

    def to_key(self, typ: str | None, key: str) -> Any:
        """Convert a key given on the command line (JSON) to model ``typ``."""
        return self.to_model(typ, key, self.key_serializer)

    def to_value(self, typ: str | None, value: str) -> Any:
        """Convert a value given on the command line (JSON) to model ``typ``."""
        return self.to_model(typ, value, self.value_serializer)

    def to_model(self, typ: str | None, value: str, serializer: CodecArg) -> Any:
        """Convert ``value`` to model ``typ`` (a name), or to bytes if no type.

        Arguments:
            typ: model name, resolved with :meth:`import_relative_to_app`.
            value: the serialized data.
            serializer: the codec of ``value``.
        """
        data = value.encode() if isinstance(value, str) else value
        if typ:
            model = self.import_relative_to_app(typ)
            codec = model._options.serializer or serializer
            if codec is None or codec == "raw":
                codec = "json"  # models are given as JSON on the command line
            return model.loads(data, serializer=codec)
        return data

    def import_relative_to_app(self, attr: str) -> Any:
        """Import ``attr`` (``pkg.Model``), trying the app's packages too.

        Tries ``attr`` itself, then ``{origin}.models.{attr}``, then
        ``{origin}.{attr}``, where ``origin`` is the app's import path.

        Raises:
            ImportError: none of these exists (or AttributeError when the
                module exists but not the name).
        """
        from mode.utils.imports import symbol_by_name

        try:
            return symbol_by_name(attr)
        except (ImportError, AttributeError) as original_exc:
            origin = self.app.conf.origin
            if not origin:
                raise
            root = origin.partition(":")[0]
            for candidate in (f"{root}.models.{attr}", f"{root}.{attr}"):
                try:
                    return symbol_by_name(candidate)
                except (ImportError, AttributeError):
                    pass
            raise original_exc from None

    def to_topic(self, entity: str) -> Any:
        """Return ``app.topic(entity)``, or the agent for ``@path.to.agent``."""
        if not entity:
            raise self.UsageError("Missing topic/@agent name")
        if entity.startswith("@"):
            return self.import_relative_to_app(entity[1:])
        return self.app.topic(entity)

    def on_memory_broker(self) -> bool:
        """True if the app's broker is the in-process ``memory://`` broker."""
        brokers = self.app.conf.broker
        return bool(brokers) and all(url.scheme == "memory" for url in brokers)

    def abbreviate_fqdn(self, name: str, *, prefix: str = "") -> str:
        """Shorten ``name`` by removing the app's origin package from it."""
        origin = (self.app.conf.origin or "").partition(":")[0]
        if not origin:  # abbr_fqdn would cut the first character
            return f"{prefix}{name}"
        return abbr_fqdn(origin, name, prefix=prefix)


def call_command(
    command: str,
    args: Sequence[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    side_effects: bool = False,
    **kwargs: Any,
) -> tuple[int, IO[str], IO[str]]:
    """Run ``faust <command> <args>`` in this process.

    Arguments:
        command: the subcommand name.
        args: its arguments.
        stdout: stream for output (default: a new :class:`io.StringIO`).
        stderr: stream for errors (default: a new :class:`io.StringIO`).
        side_effects: allow ``chdir``/environment changes.
        **kwargs: passed to the root context (e.g. ``app=app``).

    Returns:
        ``(exitcode, stdout, stderr)``.
    """
    from . import faust as _program  # registers the built-in commands

    out: IO[str] = io.StringIO() if stdout is None else stdout
    err: IO[str] = io.StringIO() if stderr is None else stderr
    exitcode = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            _program.cli.main(
                args=[command, *(args or ())],
                prog_name="faust",
                side_effects=side_effects,
                stdout=out,
                stderr=err,
                **kwargs,
            )
    except SystemExit as exc:
        code = exc.code
        exitcode = code if isinstance(code, int) else (0 if code is None else 1)
    return exitcode, out, err
