"""Fakes for the CLI tests: an app double and a clean command registry."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock

import pytest
from yarl import URL

from faust.cli import base as cli_base
from faust.cli._app import _initialized, _post_initialized
from faust.types import AppT


class FakeConf(SimpleNamespace):
    """Stands in for Settings: attributes plus ``is_set``."""

    def __init__(self, **given: Any) -> None:
        defaults: dict[str, Any] = {
            "id": "fake",
            "origin": None,
            "autodiscover": False,
            "key_serializer": "raw",
            "value_serializer": "json",
            "web_enabled": True,
            "web_port": 6066,
            "web_bind": "0.0.0.0",
            "web_host": "localhost",
            "web_transport": URL("tcp://"),
        }
        super().__init__(**{**defaults, **given})
        object.__setattr__(self, "_given", set(given))

    def is_set(self, name: str) -> bool:
        return name in self._given


def make_app(**conf: Any) -> Mock:
    app = Mock(name="app", spec=AppT)
    app.conf = FakeConf(**conf)
    app.started = False
    worker = app.Worker.return_value
    worker.execute_from_commandline.side_effect = SystemExit(0)
    return app


@pytest.fixture
def app_factory() -> Any:
    return make_app


@pytest.fixture
def app() -> Mock:
    """An app double (overrides the shared real-App ``app`` fixture here)."""
    return make_app()


@pytest.fixture(autouse=True)
def _clean_registry() -> Any:
    """Commands defined by a test are removed from ``faust`` afterwards."""
    import faust.cli.faust  # noqa: F401  # built-in commands registered first

    before = dict(cli_base.cli.commands)
    yield
    cli_base.cli.commands.clear()
    cli_base.cli.commands.update(before)
    _initialized.clear()
    _post_initialized.clear()
