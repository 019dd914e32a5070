"""The Django fixup: run Faust inside a Django project.

Enabled when the ``DJANGO_SETTINGS_MODULE`` environment variable is set
and :pypi:`django` can be imported (a warning says why it is not applied when
the variable is set but Django is missing).  Django is not a dependency of
Faust: it is imported only when the fixup is enabled.

Once enabled:

* ``autodiscover=True`` also scans every package in ``INSTALLED_APPS``
  (the names of the app configs, so custom ``AppConfig`` classes work);
* before a worker or command starts (``app.worker_init()``), Django is set up
  (``django.setup()``) and its system checks run; a warning is given when
  ``settings.DEBUG`` is on, since Django then keeps every SQL query in memory.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterable
from typing import Any

from ..types import AppT
from . import base

__all__ = ["Fixup", "W_DEBUG_ENABLED", "W_NOT_INSTALLED"]

W_NOT_INSTALLED = (
    "Environment variable DJANGO_SETTINGS_MODULE is set but Django is not "
    "installed: the Django fixup is not applied."
)

W_DEBUG_ENABLED = (
    "Django's settings.DEBUG is on: Django then keeps every SQL query in "
    "memory, which leaks memory in a long-running worker. Never use it in "
    "production."
)


class Fixup(base.Fixup):
    """Adapts the app to a Django project (see the module docstring).

    Arguments:
        app: the app being fixed up.
    """

    def __init__(self, app: AppT) -> None:
        super().__init__(app)
        self._django_ready = False

    def enabled(self) -> bool:
        """True if ``DJANGO_SETTINGS_MODULE`` is set and Django is installed."""
        if not os.environ.get("DJANGO_SETTINGS_MODULE"):
            return False
        try:
            importlib.import_module("django")
        except ImportError:
            warnings.warn(W_NOT_INSTALLED, stacklevel=2)
            return False
        return True

    def wait_for_django(self) -> None:
        """Set Django up (once); warn when ``settings.DEBUG`` is on."""
        if self._django_ready:
            return
        django: Any = importlib.import_module("django")
        django.setup()
        self._django_ready = True
        if getattr(self.settings, "DEBUG", False):
            warnings.warn(W_DEBUG_ENABLED, stacklevel=2)

    def autodiscover_modules(self) -> Iterable[str]:
        """The packages of ``INSTALLED_APPS`` (scanned by ``autodiscover=True``)."""
        self.wait_for_django()
        return [config.name for config in self.apps.get_app_configs()]

    def on_worker_init(self) -> None:
        """Set Django up and run its system checks before the worker starts."""
        self.wait_for_django()
        checks: Any = importlib.import_module("django.core.checks")
        checks.run_checks()

    @property
    def apps(self) -> Any:
        """Django's application registry (``django.apps.apps``)."""
        return importlib.import_module("django.apps").apps

    @property
    def settings(self) -> Any:
        """Django's settings (``django.conf.settings``)."""
        return importlib.import_module("django.conf").settings
