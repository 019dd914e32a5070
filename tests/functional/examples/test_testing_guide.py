"""The testing guide's files work: copied from the page into a project, run.

docs/userguide/testing.rst shows an app, a ``test_context()`` test, and a
session-scoped ``memory://`` fixture with its pytest configuration; this
writes them to a directory and runs pytest there, as a user would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "userguide" / "testing.rst"


def code_blocks(text: str) -> list[str]:
    """The bodies of the page's ``code-block`` directives, in order."""
    blocks = []
    for match in re.finditer(r"\.\. code-block:: \w+\n\n((?:    .*\n|\n)+)", text):
        blocks.append(textwrap.dedent(match.group(1)).strip() + "\n")
    return blocks


def test_the_testing_guide_runs(tmp_path: Path) -> None:
    app, context_test, ini, conftest, app_test = code_blocks(PAGE.read_text())[:5]
    assert "faust.App('orders'" in app
    assert ini.startswith("[pytest]")
    (tmp_path / "orders_app.py").write_text(app)
    (tmp_path / "test_context.py").write_text(context_test)
    (tmp_path / "pytest.ini").write_text(ini)
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_app.py").write_text(app_test)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
