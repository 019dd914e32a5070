"""Install instructions name our distribution, ``faust-ng``.

``pip install faust`` installs Robinhood's Faust 1.10 (2020): a line of our
docs, README or error messages that installs ``faust`` or an extra of it
installs the wrong library.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRONG = re.compile(r"""pip install +['"]?faust(\[|['"\s`]|$)""", re.MULTILINE)
#: Lines that name the wrong package on purpose, to warn about it.
WARNINGS = ("installs a different library", "you still ``import faust``")


def sources() -> list[Path]:
    files = [ROOT / "README.rst", ROOT / "CHANGELOG.rst"]
    files += sorted((ROOT / "docs").rglob("*.rst"))
    files += sorted((ROOT / "faust").rglob("*.py"))
    files += sorted((ROOT / "examples").rglob("*.py"))
    return [f for f in files if "_build" not in f.parts and "generated" not in f.parts]


def test_no_install_line_names_the_wrong_distribution() -> None:
    wrong = []
    for path in sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WRONG.search(line) and not any(w in line for w in WARNINGS):
                wrong.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not wrong, "\n".join(wrong)


def test_the_pattern_catches_the_wrong_lines() -> None:
    for line in (
        "pip install faust",
        "pip install 'faust[rocksdb]'",
        "pip install faust[redis]",
    ):
        assert WRONG.search(line), line
    for line in (
        "pip install faust-ng",
        "pip install 'faust-ng[rocksdb]'",
        "pip install faust-streaming",
    ):
        assert not WRONG.search(line), line
