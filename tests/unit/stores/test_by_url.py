"""faust.stores.by_url / by_name."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from faust.exceptions import ImproperlyConfigured
from faust.stores import by_name, by_url, memory, rocksdb
from faust.stores.rocksdb_options import import_rocksdict


def test_by_url_and_by_name() -> None:
    assert by_url("memory://") is memory.Store
    assert by_url("rocksdb://") is rocksdb.Store
    assert by_url("rocksdb://counts") is rocksdb.Store
    assert by_name("memory") is memory.Store


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(ImproperlyConfigured, match="'redis://'.*memory://, rocksdb://"):
        by_url("redis://localhost")


def test_url_without_scheme() -> None:
    with pytest.raises(ImproperlyConfigured, match="has no scheme"):
        by_url("counts")


def test_missing_rocksdict_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "rocksdict":
            raise ImportError("No module named 'rocksdict'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    hint = r"pip install 'faust-ng\[rocksdb\]'"
    with pytest.raises(ImproperlyConfigured, match=hint):
        import_rocksdict()
