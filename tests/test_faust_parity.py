"""Our public API against faust-streaming 0.15's, as recorded in the manifest.

``tests/data/faust_streaming_api.json`` is what
``extra/tools/faust_api_manifest.py --record`` found in an installed
faust-streaming 0.15.x (names and signatures only). Every name, member,
signature, setting, CLI option and codec recorded there must work here the
same way, unless ``tests/data/faust_streaming_differences.toml`` lists it,
and that list is what the migration page shows.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from types import ModuleType
from typing import Any

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "extra" / "tools" / "faust_api_manifest.py"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("faust_api_manifest", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = tool.load_manifest()
    return data


@pytest.fixture(scope="module")
def entries() -> list[dict[str, str]]:
    loaded: list[dict[str, str]] = tool.load_entries()
    return loaded


@pytest.fixture(scope="module")
def found(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    differences: list[tuple[str, str]] = tool.compare(manifest)
    return differences


def test_manifest_records_faust_streaming_0_15(manifest: dict[str, Any]) -> None:
    assert manifest["source"]["distribution"] == "faust-streaming"
    assert manifest["source"]["version"].startswith("0.15.")
    assert "faust.app.base" in manifest["modules"]
    assert "broker" in manifest["settings"]
    assert "worker" in manifest["cli"]["commands"]


def test_manifest_holds_public_api_only(manifest: dict[str, Any]) -> None:
    private = [
        f"{module}:{name}"
        for module, entry in manifest["modules"].items()
        for name in (*entry["names"], *module.split("."))
        if name.startswith("_")
    ]
    members = [
        f"{module}:{name}.{member}"
        for module, entry in manifest["modules"].items()
        for name, obj in entry["names"].items()
        for member in obj.get("members", {})
        if member.startswith("_")
    ]
    assert not private and not members


def test_no_unlisted_difference(
    found: list[tuple[str, str]], entries: list[dict[str, str]]
) -> None:
    listed = {entry["api"]: entry["why"] for entry in entries}
    unlisted = [
        f"{api}: {problem}" for api, problem in found if not tool.allowed(api, listed)
    ]
    assert not unlisted, (
        "faust-streaming API missing or incompatible here (fix it, or list it "
        "with the reason in tests/data/faust_streaming_differences.toml):\n  "
        + "\n  ".join(unlisted)
    )


def test_every_listed_difference_still_exists(
    found: list[tuple[str, str]], entries: list[dict[str, str]]
) -> None:
    stale = [
        entry["api"]
        for entry in entries
        if not any(tool.allowed(api, {entry["api"]: ""}) for api, _ in found)
    ]
    assert not stale, (
        "listed as different from faust-streaming but compatible now: remove "
        "from tests/data/faust_streaming_differences.toml and run "
        "extra/tools/faust_api_manifest.py --docs:\n  " + "\n  ".join(stale)
    )


def test_every_entry_says_why(entries: list[dict[str, str]]) -> None:
    apis = [entry["api"] for entry in entries]
    assert len(apis) == len(set(apis)), "an api is listed twice"
    for entry in entries:
        assert entry["kind"] in tool.KIND_TITLES, entry
        assert len(entry["why"].split()) >= 2, entry


def test_migration_page_lists_every_entry(entries: list[dict[str, str]]) -> None:
    page = tool.MIGRATION.read_text()
    missing = [e["api"] for e in entries if f"``{e['api']}``" not in page]
    assert not missing, missing
    assert tool.write_docs(check=True) == 0, "run faust_api_manifest.py --docs"


@pytest.mark.parametrize(
    ("theirs", "ours", "problem"),
    [
        ([["k", "pk"], ["default", "pk", None]], [["k", "pk"]], "no parameter"),
        ([["title", "pk", ""]], [["title", "ko", ""]], "keyword-only"),
        ([["a", "pk"], ["b", "pk"]], [["b", "pk"], ["a", "pk"]], "another position"),
        ([["n", "ko", 1]], [["n", "ko", 2]], "defaults to 2"),
        ([["n", "ko", 1]], [["n", "ko", 1], ["extra", "ko"]], "extra required"),
        ([["kw", "vk"]], [], "no **kw"),
    ],
)
def test_signature_check_finds_incompatible_calls(
    theirs: list[list[Any]], ours: list[list[Any]], problem: str
) -> None:
    assert problem in tool.check_signature(theirs, ours)


def test_signature_check_accepts_compatible_extensions() -> None:
    theirs = [["self", "pk"], ["key", "pk"], ["default", "pk", None]]
    ours = [["self", "pk"], ["key", "pk"], ["default", "pk", None], ["x", "ko", 0]]
    assert tool.check_signature(theirs, ours) == ""
