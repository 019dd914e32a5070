"""faust.app.discovery: which modules autodiscovery imports, and its errors."""

from __future__ import annotations

import re
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import faust
from faust.app.discovery import (
    SCAN_CATEGORIES,
    discover_modules,
    is_ignored,
    modules_to_scan,
)
from faust.exceptions import ImproperlyConfigured


@pytest.fixture
def make_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[dict[str, str]], str]]:
    """Write a uniquely named package from ``{relative path: source}``."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created: list[str] = []

    def make(files: dict[str, str]) -> str:
        name = f"pkg_{uuid.uuid4().hex[:8]}"
        created.append(name)
        for rel, source in {"__init__.py": "", **files}.items():
            path = tmp_path / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        return name

    yield make
    for name in created:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


#: module source recording its import in ``builtins.DISCOVERED``
IMPORTED = "import builtins\nbuiltins.DISCOVERED.append(__name__)\n"


@pytest.fixture(autouse=True)
def _reset_discovered() -> Iterator[None]:
    import builtins

    builtins.DISCOVERED = []  # type: ignore[attr-defined]
    yield
    del builtins.DISCOVERED  # type: ignore[attr-defined]


def discovered() -> list[str]:
    import builtins

    return list(builtins.DISCOVERED)  # type: ignore[attr-defined]


def test_imports_package_tree_skipping_tests_and_main(
    make_package: Callable[[dict[str, str]], str],
) -> None:
    name = make_package(
        {
            "agents.py": IMPORTED,
            "latest_prices.py": IMPORTED,
            "test_agents.py": IMPORTED,
            "__main__.py": IMPORTED,
            "sub/__init__.py": IMPORTED,
            "sub/views.py": IMPORTED,
            "test_pkg/__init__.py": IMPORTED,
            "test_pkg/inner.py": IMPORTED,
        }
    )
    app = faust.App("disc", broker="memory://", origin=name, autodiscover=True)
    imported = discover_modules(app)
    assert imported == [
        name,
        f"{name}.agents",
        f"{name}.latest_prices",
        f"{name}.sub",
        f"{name}.sub.views",
    ]
    assert sorted(discovered()) == sorted(imported[1:])


def test_given_ignore_replaces_the_default(
    make_package: Callable[[dict[str, str]], str],
) -> None:
    name = make_package(
        {
            "a.py": IMPORTED,
            "b/__init__.py": IMPORTED,
            "b/c.py": IMPORTED,
            "test_x.py": "",
        }
    )
    app = faust.App("disc", broker="memory://", autodiscover=[name])
    imported = discover_modules(app, ignore=[".b", re.compile(r"\.a$")])
    assert imported == [name, f"{name}.test_x"]


def test_is_ignored_rules() -> None:
    rules = [".tests", "other.pkg", re.compile("secret"), lambda n: n.endswith("x")]
    assert is_ignored("p.tests", "p", rules)
    assert is_ignored("p.tests.deep", "p", rules)
    assert not is_ignored("p.testsuite", "p", rules)
    assert is_ignored("other.pkg.mod", "other", rules)
    assert is_ignored("p.my_secret_mod", "p", rules)
    assert is_ignored("p.box", "p", rules)
    assert not is_ignored("p.ok", "p", rules)


def test_modules_to_scan() -> None:
    def conf(**kw: object) -> faust.App:
        return faust.App("disc", broker="memory://", **kw)

    assert modules_to_scan(conf()) == []
    assert modules_to_scan(conf(), ["extra"]) == ["extra"]
    assert modules_to_scan(conf(origin="proj.app:app", autodiscover=True)) == [
        "proj.app"
    ]
    assert modules_to_scan(conf(origin="proj", autodiscover=["a", "proj"])) == [
        "a",
        "proj",
    ]
    assert modules_to_scan(conf(autodiscover=lambda: ["x", "y"])) == ["x", "y"]


def test_autodiscover_true_needs_origin() -> None:
    app = faust.App("disc", broker="memory://", autodiscover=True)
    with pytest.raises(ImproperlyConfigured, match="needs the origin setting"):
        app.discover()


def test_unknown_listed_module() -> None:
    app = faust.App("disc", broker="memory://", autodiscover=["no_such_pkg_zz"])
    with pytest.raises(ModuleNotFoundError, match="Unknown module no_such_pkg_zz"):
        app.discover()


def test_error_in_discovered_module_names_it(
    make_package: Callable[[dict[str, str]], str],
) -> None:
    name = make_package({"broken.py": "raise RuntimeError('bad module')\n"})
    app = faust.App("disc", broker="memory://", autodiscover=[name])
    with pytest.raises(RuntimeError, match="bad module") as info:
        app.discover()
    assert f"raised while autodiscovery imported '{name}.broken'" in str(
        info.value.__notes__
    )


def test_missing_dependency_of_discovered_module(
    make_package: Callable[[dict[str, str]], str],
) -> None:
    name = make_package({"needs.py": "import no_such_dependency_zz\n"})
    app = faust.App("disc", broker="memory://", autodiscover=[name])
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_zz") as info:
        app.discover()
    assert "Unknown module" not in str(info.value)


def test_discover_registers_decorated_objects(
    make_package: Callable[[dict[str, str]], str],
) -> None:
    app = faust.App("disc-reg", broker="memory://")
    name = make_package(
        {
            "commands.py": """
                from faust.cli import AppCommand
                import builtins
                app = builtins.DISC_APP
                @app.agent()
                async def worker_agent(stream):
                    async for _ in stream:
                        pass
                @app.task
                async def on_start():
                    pass
            """
        }
    )
    import builtins

    builtins.DISC_APP = app  # type: ignore[attr-defined]
    try:
        app.discover(name, categories=SCAN_CATEGORIES)
    finally:
        del builtins.DISC_APP  # type: ignore[attr-defined]
    assert any(n.endswith("worker_agent") for n in app.agents)
