"""faust.types._env reads FAUST_*/F_* when called; nothing reads env at import."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from faust.exceptions import ImproperlyConfigured
from faust.types import _env


def test_defaults() -> None:
    assert _env.datadir() == "{conf.name}-data"
    assert _env.workdir() is None
    assert _env.debug() is False
    assert _env.blocking_timeout() == 10.0
    assert _env.console_port() == 50101
    assert _env.strict() is False
    assert _env.web_port() == 6066
    assert _env.web_transport() == "tcp://"
    assert _env.web_bind() == "0.0.0.0"
    assert _env.loop() is None


def test_values_read_when_called(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "DATADIR": "/data",
        "WORKDIR": "/work",
        "DEBUG": "1",
        "BLOCKING_TIMEOUT": "2.5",
        "CONSOLE_PORT": "5000",
        "STRICT": "yes",
        "WEB_PORT": "8080",
        "WEB_TRANSPORT": "unix:///s.sock",
        "WEB_BIND": "127.0.0.1",
        "LOOP": "uvloop",
    }
    for name, value in values.items():
        monkeypatch.setenv(f"FAUST_{name}", value)
    assert _env.datadir() == "/data"
    assert _env.workdir() == "/work"
    assert _env.debug() is True
    assert _env.blocking_timeout() == 2.5
    assert _env.console_port() == 5000
    assert _env.strict() is True
    assert _env.web_port() == 8080
    assert _env.web_transport() == "unix:///s.sock"
    assert _env.web_bind() == "127.0.0.1"
    assert _env.loop() == "uvloop"


def test_short_prefix_and_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("F_WEB_BIND", "10.0.0.1")
    assert _env.web_bind() == "10.0.0.1"
    monkeypatch.setenv("FAUST_WEB_BIND", "10.0.0.2")
    assert _env.web_bind() == "10.0.0.2"  # FAUST_ wins over F_


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_flags_understand_false(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FAUST_DEBUG", value)
    assert _env.debug() is False  # Faust's bool("0") was True


def test_bad_number_names_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAUST_WEB_PORT", "http")
    with pytest.raises(ImproperlyConfigured, match="FAUST_WEB_PORT='http'"):
        _env.web_port()


class SpyEnviron(Mapping[str, str]):
    """Wraps os.environ and records every variable looked up."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> str:
        self.reads.append(key)
        return self.wrapped[key]  # type: ignore[no-any-return]

    def get(self, key: str, default: Any = None) -> Any:
        self.reads.append(key)
        return self.wrapped.get(key, default)

    def __contains__(self, key: object) -> bool:
        self.reads.append(str(key))
        return key in self.wrapped

    def __iter__(self) -> Iterator[str]:
        self.reads.append("<iter>")
        return iter(self.wrapped)

    def __len__(self) -> int:
        return len(self.wrapped)


def test_import_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing the settings modules looks up no environment variable."""
    names = [
        m
        for m in sys.modules
        if m == "faust.types._env" or m.startswith("faust.types.settings")
    ]
    saved = {name: sys.modules[name] for name in names}
    parent = sys.modules["faust.types"]
    spy = SpyEnviron(os.environ)
    try:
        for name in names:
            del sys.modules[name]
        # `from faust.types import _env` would reuse the package attributes
        monkeypatch.delattr(parent, "_env")
        monkeypatch.delattr(parent, "settings")
        monkeypatch.setattr(os, "environ", spy)
        module = importlib.import_module("faust.types.settings")
        assert spy.reads == []
        assert module is not saved["faust.types.settings"]  # really re-imported
        module.Settings("app")  # constructing reads env, as documented
        assert spy.reads
    finally:
        monkeypatch.undo()
        for name in list(sys.modules):
            if name == "faust.types._env" or name.startswith("faust.types.settings"):
                del sys.modules[name]
        sys.modules.update(saved)
        parent.settings = saved["faust.types.settings"]  # type: ignore[attr-defined]
        parent._env = saved["faust.types._env"]  # type: ignore[attr-defined]
