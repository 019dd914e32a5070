"""``python examples/joins.py``: the joins and combine demo prints what it joined."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_joins_demo_enriches_pairs_and_combines() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "joins.py")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "orders with their customer: "
        "[('book', 'Ada'), ('lamp', 'Linus'), ('pen', None)]",
        "clicks with a view: [('shoe-ad', '/shoes')]",
        "orders and refunds audited: ['book', 'lamp', 'lamp', 'pen']",
    ]
    assert "Traceback" not in done.stderr
