"""Fixtures of the functional tier (a real App on ``memory://``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_example() -> Callable[[str], subprocess.CompletedProcess[str]]:
    """Run ``python examples/<name>`` from the project root, as a user would."""

    def run(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "examples" / name)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    return run
