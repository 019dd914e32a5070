"""docs/userguide/settings.rst is generated from the Params and up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from faust.types.settings import Settings

ROOT = Path(__file__).resolve().parents[4]
DOC = ROOT / "docs" / "userguide" / "settings.rst"
TOOL = ROOT / "extra" / "tools" / "gen_settings_doc.py"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_settings_doc", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_setting_documented() -> None:
    text = DOC.read_text()
    for name, param in Settings.SETTINGS.items():
        assert f".. _setting-{name}:\n\n``{name}``\n" in text, name
        assert param.summary in text, name
        if param.env_name:
            assert f":environment: ``{param.env_name}``" in text, name
    for old in Settings.COMPAT_ALIASES:
        assert f"``{old}``" in text


def test_generated_file_up_to_date() -> None:
    tool = load_tool()
    assert DOC.read_text() == tool.render(), (
        "docs/userguide/settings.rst is stale: run "
        "python extra/tools/gen_settings_doc.py"
    )
    assert tool.main(["--check"]) == 0


def test_sections_have_titles_in_doc() -> None:
    text = DOC.read_text()
    for section in Settings.SETTINGS_BY_SECTION:
        assert f".. _{section.refid}:\n\n{section.title}\n" in text
