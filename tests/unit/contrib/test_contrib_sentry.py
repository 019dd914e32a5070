"""faust.contrib.sentry: the handler of error logs, and its missing-package error."""

from __future__ import annotations

import importlib
import logging
import sys
import types
from typing import Any
from unittest.mock import Mock

import pytest

import faust
from faust.contrib import sentry
from faust.exceptions import ImproperlyConfigured


@pytest.fixture
def fake_sentry_sdk(monkeypatch: pytest.MonkeyPatch) -> Mock:
    """Stands in for sentry-sdk (not a test dependency)."""
    sdk = types.ModuleType("sentry_sdk")
    sdk.init = Mock(name="init")  # type: ignore[attr-defined]
    integrations = types.ModuleType("sentry_sdk.integrations")
    logging_mod = types.ModuleType("sentry_sdk.integrations.logging")

    class EventHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            pass

    logging_mod.EventHandler = EventHandler  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentry_sdk", sdk)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations", integrations)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations.logging", logging_mod)
    return sdk.init  # type: ignore[attr-defined, no-any-return]


def test_setup_adds_an_error_handler(fake_sentry_sdk: Mock) -> None:
    app = faust.App("sentry-app", broker="memory://")
    sentry.setup(app, dsn="https://key@sentry.example.com/1", max_queue_size=50)
    fake_sentry_sdk.assert_called_once_with(
        dsn="https://key@sentry.example.com/1", transport_queue_size=50
    )
    (handler,) = app.conf.loghandlers
    assert handler.level == logging.ERROR


def test_no_dsn_does_nothing(fake_sentry_sdk: Mock) -> None:
    assert sentry.handler_from_dsn(None) is None
    fake_sentry_sdk.assert_not_called()


def test_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name == "sentry_sdk":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ImproperlyConfigured, match=r"faust-ng\[sentry\]"):
        sentry.handler_from_dsn("https://key@sentry.example.com/1")
