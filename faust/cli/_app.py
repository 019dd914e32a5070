"""Finding the app named by ``-A`` and preparing it for a command.

``-A`` accepts ``module`` (its ``app`` attribute), ``module:attribute`` and
``module.attribute``, imported with the current directory on ``sys.path``.
A name that cannot be found is reported in one line (:class:`AppNotFound`,
exit status 2); an error raised *inside* the user's module propagates with
its traceback, since that is where the user must look.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from mode.utils.imports import cwd_in_path

from faust.exceptions import AlreadyConfiguredWarning, ImproperlyConfigured
from faust.types import AppT

__all__ = [
    "AppMisconfigured",
    "AppNotFound",
    "adopt_app",
    "ensure_cwd_in_path",
    "find_app",
    "init_app_for_command",
    "origin_from_argv",
    "prepare_app",
    "set_origin",
]

#: Apps whose worker_init()/discover() already ran (once per process).
_initialized: weakref.WeakSet[AppT] = weakref.WeakSet()
#: Apps whose worker_init_post_autodiscover() already ran.
_post_initialized: weakref.WeakSet[AppT] = weakref.WeakSet()

_MISSING = object()


class AppMisconfigured(click.ClickException):
    """The app named by ``-A`` has invalid settings: one line, exit status 2."""

    exit_code = 2

    def __init__(self, app_path: str, reason: str) -> None:
        self.app_path = app_path
        self.reason = reason
        super().__init__(f"-A {app_path}: {reason}")


class AppNotFound(click.ClickException):
    """``-A`` names no app: printed as one ``Error:`` line, exit status 2."""

    exit_code = 2

    def __init__(self, app_path: str, reason: str) -> None:
        self.app_path = app_path
        self.reason = reason
        super().__init__(f"-A {app_path}: {reason}")


def _is_missing(exc: ModuleNotFoundError, module: str) -> bool:
    # True if ``module`` itself (or a parent package) does not exist, as
    # opposed to the module existing but failing to import something else.
    name = exc.name or ""
    return module == name or module.startswith(name + ".")


def _import_module(name: str, imp: Callable[[str], ModuleType]) -> ModuleType | None:
    """Import ``name``; None if it does not exist (other errors propagate)."""
    try:
        return imp(name)
    except ModuleNotFoundError as exc:
        if _is_missing(exc, name):
            return None
        raise


def ensure_cwd_in_path() -> None:
    """Make modules in the current directory importable (like ``python -m``).

    The ``faust`` program does this for good, so that modules found by the
    app's autodiscovery import too.
    """
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def _resolve(app_path: str, imp: Callable[[str], ModuleType]) -> Any:
    module_name, colon, attr = app_path.partition(":")
    if colon:
        module = _import_module(module_name, imp)
        if module is None:
            raise AppNotFound(app_path, f"no module named {module_name!r}")
        value: Any = module
        for part in attr.split("."):
            value = getattr(value, part, _MISSING)
            if value is _MISSING:
                raise AppNotFound(
                    app_path, f"module {module_name!r} has no attribute {attr!r}"
                )
        return value
    module = _import_module(app_path, imp)
    if module is not None:
        return module
    parent, _, attr = app_path.rpartition(".")
    if not parent:
        raise AppNotFound(app_path, f"no module named {app_path!r}")
    module = _import_module(parent, imp)
    if module is None:
        # Name the first missing package, as Python does.
        top = next(
            prefix
            for prefix in _prefixes(parent)
            if _import_module(prefix, imp) is None
        )
        raise AppNotFound(app_path, f"no module named {top!r}")
    value = getattr(module, attr, _MISSING)
    if value is _MISSING:
        raise AppNotFound(app_path, f"no module named {app_path!r}")
    return value


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def find_app(
    app: str,
    *,
    symbol_by_name: Callable[..., Any] | None = None,
    imp: Callable[[str], ModuleType] | None = None,
    attr_name: str = "app",
) -> AppT:
    """Import the app named by ``-A``.

    Arguments:
        app: ``module`` (the module's ``app`` attribute is used),
            ``module:attribute`` or ``module.attribute``.
        symbol_by_name: accepted for compatibility with Faust; the names
            are resolved by ``imp``.
        imp: import function (default :func:`importlib.import_module`,
            with the current directory added to :data:`sys.path` meanwhile).
        attr_name: the attribute taken from a module (default ``app``).

    Returns:
        The app, finalized, with ``conf.origin`` set to ``app_path`` unless
        the app configured it.

    Raises:
        AppNotFound: no such module or attribute, or not an app.

    Example:
        >>> find_app('examples.simple')          # examples.simple.app
        >>> find_app('examples.simple:my_app')
        >>> find_app('examples.simple.my_app')
    """
    app_path = app
    if imp is None:
        with cwd_in_path():
            value = _resolve(app_path, importlib.import_module)
    else:
        value = _resolve(app_path, imp)
    if isinstance(value, ModuleType) and ":" not in app_path:
        found = getattr(value, attr_name, _MISSING)
        if found is _MISSING:
            raise AppNotFound(
                app_path,
                f"module {value.__name__!r} has no attribute {attr_name!r} "
                f"(name the app with -A {app_path}:<attribute>)",
            )
        value = found
    if isinstance(value, ModuleType):
        raise AppNotFound(app_path, f"{value.__name__!r} is a module, not an app")
    if not isinstance(value, AppT):
        raise AppNotFound(
            app_path, f"expected a faust.App, found {type(value).__name__}"
        )
    try:
        value.finalize()
    except ImproperlyConfigured as exc:
        raise AppMisconfigured(app_path, str(exc)) from None
    set_origin(value, app_path)
    return value


def set_origin(app: AppT, origin: str | None) -> None:
    """Set ``conf.origin`` to ``origin`` unless the app configured it."""
    conf = app.conf
    if origin and not conf.is_set("origin"):
        with warnings.catch_warnings():
            # discovery may have read origin already; the late value is
            # still what commands use to import names relative to the app.
            warnings.simplefilter("ignore", AlreadyConfiguredWarning)
            conf.origin = origin


def prepare_app(app: AppT, origin: str | None) -> AppT:
    """Finalize the app and run its worker init and discovery (once).

    Sets ``conf.origin`` to ``origin`` unless it was configured, then
    calls ``app.worker_init()`` and, if ``conf.autodiscover`` is set,
    ``app.discover()``, so that commands defined with ``@app.command`` in
    discovered modules exist.  :func:`init_app_for_command` completes the
    work once the command's options are applied.

    Arguments:
        app: the app.
        origin: import path of the app (``-A`` value or derived from argv).
    """
    if app in _initialized:
        return app
    _initialized.add(app)
    app.finalize()
    set_origin(app, origin)
    app.worker_init()
    if app.conf.autodiscover:
        app.discover()
    return app


def adopt_app(app: AppT, origin: str | None) -> AppT:
    """Accept an app passed in by ``app.main()``, which prepared it already.

    ``App.main()`` runs ``finalize()``, ``worker_init()``, ``discover()``
    and ``worker_init_post_autodiscover()`` before calling the program, so
    they are not repeated; only ``conf.origin`` is filled in when unset.

    Arguments:
        app: the app.
        origin: import path derived from the script name, if any.
    """
    _initialized.add(app)
    _post_initialized.add(app)
    set_origin(app, origin)
    return app


def init_app_for_command(app: AppT) -> None:
    """Call ``app.worker_init_post_autodiscover()`` once per process."""
    if app not in _post_initialized:
        _post_initialized.add(app)
        app.worker_init_post_autodiscover()


def origin_from_argv(argv: list[str] | None = None) -> str | None:
    """Import path of the script run as ``python path/to/app.py``.

    The name includes every parent directory that is a package, e.g.
    ``proj/app.py`` in a ``proj`` package gives ``"proj.app"``.
    """
    argv = sys.argv if argv is None else argv
    if not argv or not argv[0].endswith(".py"):
        return None
    prog = Path(argv[0]).absolute()
    parts = [prog.stem]
    parent = prog.parent
    while (parent / "__init__.py").is_file() and parent != parent.parent:
        parts.insert(0, parent.name)
        parent = parent.parent
    if parts[-1] == "__main__":
        parts.pop()
    return ".".join(parts) or None
