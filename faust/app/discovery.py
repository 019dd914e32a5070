"""Autodiscovery: import the modules that define agents, pages and commands.

Importing a module runs its ``@app.agent``/``@app.page``/``@app.command``/
``@app.service``/``@app.task`` decorators, which register themselves with
the app; discovery is nothing more than importing the right modules.

Which modules (:func:`modules_to_scan`):

* ``autodiscover=True``: the ``origin`` package (required), plus, when a
  fixup is enabled, its modules (with Django: every package in
  ``INSTALLED_APPS``);
* ``autodiscover=['a', 'b']`` (or a function returning such a list): those
  packages, plus ``origin`` when it is set;
* the ``extra_modules`` given to ``app.discover()``.

Each package is imported with all its sub-modules and sub-packages, except
those matched by ``ignore`` (:func:`is_ignored`).  ``categories`` names the
kinds of objects wanted (Faust's venusian categories, :data:`SCAN_CATEGORIES`
by default); as in Faust, objects register themselves when their module is
imported, so categories do not change which modules are imported.

Errors are reported where they are: a listed package that does not exist
raises :class:`ModuleNotFoundError` naming the setting, and an exception
raised while importing a discovered module propagates with its traceback and
a note naming the module being discovered.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any, Optional, Union

from ..exceptions import ImproperlyConfigured
from ..types import AppT

__all__ = [
    "SCAN_CATEGORIES",
    "SCAN_IGNORE",
    "discover_modules",
    "is_ignored",
    "modules_to_scan",
]

logger = logging.getLogger(__name__)

#: Kinds of objects autodiscovery looks for (Faust's venusian categories).
SCAN_CATEGORIES: Sequence[str] = (
    "faust.agent",
    "faust.command",
    "faust.page",
    "faust.service",
    "faust.task",
)

#: An ignore rule: a dotted name (``'.sub'`` is relative to the package being
#: scanned), a compiled regular expression (searched in the full name) or a
#: function of the full name returning True to skip the module.
IgnoreRule = Union[str, "re.Pattern[str]", Callable[[str], Any]]


def _is_test_module(name: str) -> bool:
    # packages are not entered once ignored, so ``proj.test_utils.helpers``
    # is skipped too; ``proj.latest_prices`` is not (Faust's regex matched it)
    return name.rpartition(".")[2].startswith("test_")


#: Ignored unless ``ignore`` is given: test modules and ``__main__`` modules.
SCAN_IGNORE: Sequence[IgnoreRule] = (_is_test_module, ".__main__")

E_NEED_ORIGIN = (
    "autodiscover=True needs the origin setting: the import path of the "
    "project package, e.g. faust.App('id', origin='proj', autodiscover=True) "
    "(faust -A proj sets it)"
)

E_UNKNOWN_MODULE = "Unknown module {name} in App.conf.autodiscover list"


def _origin_module(origin: Optional[str]) -> Optional[str]:
    # ``-A proj.app:my_app`` sets origin to the -A value: scan the module.
    if not origin:
        return None
    return origin.partition(":")[0]


def modules_to_scan(app: AppT, extra: Iterable[str] = ()) -> list[str]:
    """Names of the packages and modules discovery imports, in order.

    Raises:
        ImproperlyConfigured: ``autodiscover=True`` without ``origin``.
    """
    conf = app.conf
    setting = conf.autodiscover
    origin = _origin_module(conf.origin)
    modules: list[str] = []
    if setting:
        if setting is True:
            if not origin:
                raise ImproperlyConfigured(E_NEED_ORIGIN)
            for fixup in app.fixups:
                modules.extend(fixup.autodiscover_modules())
        elif callable(setting):
            modules.extend(setting())
        else:
            modules.extend(setting)
        if origin:
            modules.append(origin)
    modules.extend(extra)
    return list(dict.fromkeys(modules))  # once each, in order


def is_ignored(name: str, package: str, ignore: Iterable[IgnoreRule]) -> bool:
    """True if module ``name``, found in ``package``, must not be imported.

    Arguments:
        name: full dotted name of the module.
        package: the package being scanned (for ``'.relative'`` rules).
        ignore: the rules (see :data:`IgnoreRule`).
    """
    for rule in ignore:
        if isinstance(rule, str):
            target = package + rule if rule.startswith(".") else rule
            if name == target or name.startswith(target + "."):
                return True
        elif isinstance(rule, re.Pattern):
            if rule.search(name):
                return True
        elif rule(name):
            return True
    return False


def _import(name: str, *, listed: bool) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if listed and (name == missing or name.startswith(missing + ".")):
            raise ModuleNotFoundError(
                E_UNKNOWN_MODULE.format(name=name), name=name
            ) from exc
        _add_note(exc, name)
        raise
    except Exception as exc:
        _add_note(exc, name)
        raise


def _add_note(exc: BaseException, name: str) -> None:
    add_note = getattr(exc, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(f"(raised while autodiscovery imported {name!r})")


def _submodules(package: ModuleType, ignore: Sequence[IgnoreRule]) -> Iterator[str]:
    """Import the sub-modules of ``package``, skipping ignored ones."""
    root = package.__name__
    pending = [package]
    while pending:
        current = pending.pop(0)
        path = getattr(current, "__path__", None)
        if path is None:
            continue
        prefix = current.__name__ + "."
        for info in sorted(pkgutil.iter_modules(path, prefix), key=lambda i: i.name):
            if is_ignored(info.name, root, ignore):
                logger.debug("Autodiscovery: ignoring %s", info.name)
                continue
            module = _import(info.name, listed=False)
            yield info.name
            if info.ispkg:
                pending.append(module)


def discover_modules(
    app: AppT,
    extra: Iterable[str] = (),
    *,
    categories: Optional[Iterable[str]] = None,
    ignore: Optional[Iterable[IgnoreRule]] = None,
) -> list[str]:
    """Import every module (and sub-module) to be scanned for ``app``.

    Arguments:
        app: the app.
        extra: more packages or modules to scan.
        categories: kinds of objects wanted (default :data:`SCAN_CATEGORIES`);
            accepted for compatibility, they do not filter imports.
        ignore: rules for modules not to import (default
            :data:`SCAN_IGNORE`); given rules replace the default ones.

    Returns:
        The names of the modules imported, in import order.

    Raises:
        ImproperlyConfigured: ``autodiscover=True`` without ``origin``.
        ModuleNotFoundError: a listed package does not exist.
    """
    wanted = tuple(SCAN_CATEGORIES if categories is None else categories)
    rules = tuple(SCAN_IGNORE if ignore is None else ignore)
    imported: list[str] = []
    for name in modules_to_scan(app, extra):
        package = _import(name, listed=True)
        imported.append(name)
        imported.extend(_submodules(package, rules))
    logger.debug(
        "Autodiscovery (%s) imported %d module(s)", ", ".join(wanted), len(imported)
    )
    return imported
