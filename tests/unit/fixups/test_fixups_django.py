"""faust.fixups.django with a fake ``django`` package (Django is not installed)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any
from unittest.mock import Mock

import pytest

import faust
from faust.fixups import FIXUPS, fixups
from faust.fixups.django import W_DEBUG_ENABLED, W_NOT_INSTALLED, Fixup


@pytest.fixture
def fake_django(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.SimpleNamespace]:
    """Install ``django``, ``django.apps``, ``django.conf``, ``django.core.checks``."""
    state = types.SimpleNamespace(
        setup=Mock(name="django.setup"),
        run_checks=Mock(name="run_checks"),
        settings=types.SimpleNamespace(DEBUG=False),
        configs=[
            types.SimpleNamespace(name="accounts"),
            types.SimpleNamespace(name="shop"),
        ],
    )
    django = types.ModuleType("django")
    django.setup = state.setup  # type: ignore[attr-defined]
    apps = types.ModuleType("django.apps")
    apps.apps = types.SimpleNamespace(get_app_configs=lambda: state.configs)  # type: ignore[attr-defined]
    conf = types.ModuleType("django.conf")
    conf.settings = state.settings  # type: ignore[attr-defined]
    core = types.ModuleType("django.core")
    checks = types.ModuleType("django.core.checks")
    checks.run_checks = state.run_checks  # type: ignore[attr-defined]
    for module in (django, apps, conf, core, checks):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "proj.settings")
    yield state


def test_registered_as_builtin_fixup() -> None:
    assert FIXUPS.by_name("django") is Fixup


def test_disabled_without_settings_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    app = faust.App("dj", broker="memory://")
    assert not Fixup(app).enabled()
    assert app.fixups == []


def test_warns_when_django_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "proj.settings")
    monkeypatch.setitem(sys.modules, "django", None)  # import fails
    with pytest.warns(UserWarning, match="Django is not installed"):
        assert not Fixup(Mock()).enabled()
    assert "DJANGO_SETTINGS_MODULE" in W_NOT_INSTALLED


def test_enabled_with_django(fake_django: Any) -> None:
    app = faust.App("dj", broker="memory://")
    (fixup,) = app.fixups
    assert isinstance(fixup, Fixup) and fixup.app is app
    assert list(fixups(app))[0].enabled()


def test_worker_init_sets_django_up_once_and_runs_checks(fake_django: Any) -> None:
    app = faust.App("dj", broker="memory://")
    app.worker_init()
    app.worker_init()
    fake_django.setup.assert_called_once_with()
    assert fake_django.run_checks.call_count == 2


def test_debug_setting_warns(fake_django: Any) -> None:
    fake_django.settings.DEBUG = True
    with pytest.warns(UserWarning, match="settings.DEBUG is on"):
        Fixup(Mock()).wait_for_django()
    assert "memory" in W_DEBUG_ENABLED


def test_autodiscover_installed_apps(fake_django: Any) -> None:
    assert list(Fixup(Mock()).autodiscover_modules()) == ["accounts", "shop"]
    fake_django.setup.assert_called_once_with()


def test_autodiscover_true_scans_installed_apps(
    fake_django: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faust.app.discovery import modules_to_scan

    app = faust.App("dj", broker="memory://", origin="proj", autodiscover=True)
    assert modules_to_scan(app) == ["accounts", "shop", "proj"]
    listed = faust.App("dj2", broker="memory://", origin="proj", autodiscover=["x"])
    assert modules_to_scan(listed) == ["x", "proj"]  # only True adds Django apps


def test_fixups_by_name_and_url() -> None:
    from faust.fixups import by_name, by_url
    from faust.fixups.django import Fixup

    assert by_name("django") is Fixup
    assert by_url("django://") is Fixup
