"""The public API: every advertised name imports."""

from __future__ import annotations

import importlib

import pytest

import faust


@pytest.mark.parametrize("name", sorted(faust._EXPORTS))
def test_top_level_names_resolve(name: str) -> None:
    assert getattr(faust, name) is not None


def test_dir_lists_exports() -> None:
    assert set(faust._EXPORTS) <= set(dir(faust))


def test_unknown_attribute_is_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        faust.Nope  # noqa: B018


@pytest.mark.parametrize(
    "path",
    [
        "faust.types:TP",
        "faust.types:AppT",
        "faust.types:StreamT",
        "faust.types:FutureMessage",
        "faust.types:RecordMetadata",
        "faust.types.settings:Settings",
        "faust.types.enums:ProcessingGuarantee",
        "faust.exceptions:ImproperlyConfigured",
        "faust.agents:current_agent",
        "faust.transport.drivers.memory:Transport",
        "faust.transport.fetcher:Fetcher",
        "faust.sensors:Monitor",
        "faust.streams:Stream",
        "faust.worker:Worker",
        "faust.cli:AppCommand",
        "faust.cli:call_command",
    ],
)
def test_public_paths_import(path: str) -> None:
    module_name, _, attr = path.partition(":")
    assert getattr(importlib.import_module(module_name), attr) is not None


def test_version_info() -> None:
    assert faust.__version__.startswith(f"{faust.VERSION.major}.{faust.VERSION.minor}")
    assert isinstance(faust.version_info.major, int)


def test_all_mirrors_the_export_table() -> None:
    extra = {"__version__", "VERSION", "version_info", "VersionInfo"}
    assert set(faust.__all__) == set(faust._EXPORTS) | extra
