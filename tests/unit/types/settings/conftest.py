"""Fixtures for the settings tests: a controlled process environment."""

from __future__ import annotations

import os

import pytest

from faust.types._env import PREFIXES
from faust.types.settings import Settings

PROCESS_VARS = (
    "DATADIR",
    "WORKDIR",
    "DEBUG",
    "BLOCKING_TIMEOUT",
    "CONSOLE_PORT",
    "STRICT",
    "WEB_PORT",
    "WEB_TRANSPORT",
    "WEB_BIND",
    "LOOP",
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting or FAUST_* variable of the developer's shell leaks in."""
    names = {p.env_name for p in Settings.SETTINGS.values() if p.env_name}
    names |= {prefix + var for prefix in PREFIXES for var in PROCESS_VARS}
    for name in names:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.endswith(tuple(f"_{n}" for n in names)):
            monkeypatch.delenv(name, raising=False)
