"""The documentation covers the public API and every setting.

Sphinx reads the docs (``docs/``, with the API reference generated from the
docstrings) into a temporary directory; then every name in ``faust.__all__``
must be a documented object (under its public path or the module that
defines it) and every setting must have its entry in the configuration
reference. The HTML build itself, with ``-W -n`` (every reference resolves,
no warning), is ``make docs``.
"""

from __future__ import annotations

import importlib
import io
from pathlib import Path
from typing import Any

import pytest
from sphinx.application import Sphinx

import faust
from faust.types.settings import Settings

pytestmark = [
    # Sphinx's napoleon uses an autodoc API that Sphinx itself deprecated.
    pytest.mark.filterwarnings(
        "ignore:The mapping interface for autodoc options objects is deprecated"
    ),
    # reading every module's docs takes one to two minutes on a busy machine
    pytest.mark.timeout(600),
]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("docs")
    app = Sphinx(
        srcdir=str(DOCS),
        confdir=str(DOCS),
        outdir=str(out / "dummy"),
        doctreedir=str(out / "doctrees"),
        buildername="dummy",
        status=io.StringIO(),
        warning=io.StringIO(),
        freshenv=True,
    )
    app.build()
    return app.env


def documented_as(obj: Any, public: str, objects: Any) -> bool:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    names = {public}
    if isinstance(module, str) and isinstance(qualname, str):
        names.add(f"{module}.{qualname}")
        parts = [p for p in module.split(".") if not p.startswith("_")]
        names.add(".".join([*parts, qualname]))
    return any(name in objects for name in names)


def test_every_public_name_is_documented(env: Any) -> None:
    objects = env.get_domain("py").objects
    missing = []
    for name in faust.__all__:
        obj = getattr(faust, name)
        if name.startswith("__"):
            # autodoc leaves special names out: the module docs name them
            assert f"``faust.{name}``" in (faust.__doc__ or ""), name
            continue
        if getattr(obj, "__module__", "").split(".")[0] == "mode":
            continue  # mode's Service/ServiceT: documented by mode
        if not documented_as(obj, f"faust.{name}", objects):
            missing.append(name)
    assert not missing, f"faust.{missing} not in the API reference"


def test_every_public_module_has_a_page(env: Any) -> None:
    modules = {
        name
        for name, entry in env.get_domain("py").objects.items()
        if entry.objtype == "module"
    }
    for name in (
        "faust",
        "faust.app",
        "faust.streams",
        "faust.tables",
        "faust.web",
        "faust.cli",
        "faust.worker",
        "faust.exceptions",
    ):
        assert name in modules
    importlib.import_module("faust.utils.progress")
    assert "faust.utils.progress" in modules


def test_every_setting_has_an_entry(env: Any) -> None:
    labels = env.get_domain("std").labels
    # reST labels are lowercase: ``setting-Agent`` is ``setting-agent``
    missing = [n for n in Settings.SETTINGS if f"setting-{n}".lower() not in labels]
    assert not missing, f"settings without an entry: {missing}"


def test_user_guide_pages(env: Any) -> None:
    for page in (
        "installation",
        "quickstart",
        "application",
        "tasks",
        "channels",
        "agents",
        "streams",
        "testing",
        "deployment",
        "debugging",
        "migration",
        "faq",
        "glossary",
    ):
        assert f"userguide/{page}" in env.found_docs, page
