"""Autodiscovery: import the modules that define agents, pages and commands.

Importing a module runs its ``@app.agent``/``@app.page``/``@app.command``
decorators, which register themselves with the app.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Any

from ..exceptions import ImproperlyConfigured
from ..types import AppT

__all__ = ["discover_modules"]

#: module name patterns never imported by autodiscovery
SCAN_IGNORE = ("test_", ".__main__")


def _modules_to_scan(app: AppT, extra: Iterable[str]) -> list[str]:
    setting = app.conf.autodiscover
    modules: list[str] = []
    if setting is True:
        origin = app.conf.origin
        if not origin:
            raise ImproperlyConfigured(
                "autodiscover=True needs the origin setting (the project package)"
            )
        modules.append(origin)
    elif callable(setting):
        modules.extend(setting())
    elif setting:
        modules.extend(setting)
    modules.extend(extra)
    return modules


def _ignored(name: str, ignore: Iterable[Any]) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    if leaf.startswith("test_") or name.endswith(".__main__"):
        return True
    return any(name == pattern or name.startswith(f"{pattern}.") for pattern in ignore)


def discover_modules(
    app: AppT, extra: Iterable[str], *, ignore: Iterable[Any] = ()
) -> None:
    """Import every module (and sub-module) listed for autodiscovery."""
    ignore = list(ignore)
    for name in _modules_to_scan(app, extra):
        try:
            package = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                f"Unknown module {name} in App.conf.autodiscover list"
            ) from exc
        path = getattr(package, "__path__", None)
        if path is None:
            continue
        for info in pkgutil.walk_packages(path, prefix=f"{name}."):
            if not _ignored(info.name, ignore):
                importlib.import_module(info.name)
