"""The cost-as-work-grows runner (``benchmarks/curves.py``) in quick mode.

Ours alone on ``memory://`` with tiny sizes, so it is hermetic and takes a
few seconds (no broker, no faust-streaming): every scenario reports a row per
point, with the figures the picture needs, and the picture is drawn.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_quick_curves_give_rows_and_a_picture(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    cmd = [
        sys.executable,
        str(BENCHMARKS / "curves.py"),
        "--quick",
        "--broker",
        "memory://",
        "--s9",
        "500,2000",
        "--s10",
        "500,1500",
        "--keys",
        "1000",
        "--timeout",
        "60",
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads((tmp_path / "curves.json").read_text())["rows"]
    got = {(r["scenario"], r["side"], r["work"]) for r in rows}
    assert got == {
        ("S9", "ours", 500),
        ("S9", "ours", 2000),
        ("S10", "ours", 500),
        ("S10", "ours", 1500),
    }
    for row in rows:
        assert row["rate"] > 0
        assert row["peak_rss_mb"] > 0
    # recovery found every key the changelog cycles over (at most 1,000)
    keys = {r["work"]: r["keys"] for r in rows if r["scenario"] == "S10"}
    assert keys == {500: 500, 1500: 1000}
    report = (tmp_path / "curves.md").read_text()
    assert "## S9" in report and "## S10" in report
    png = (tmp_path / "curves.png").read_bytes()
    assert png.startswith(b"\x89PNG")
