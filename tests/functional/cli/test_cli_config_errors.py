"""Configuration mistakes give one line on stderr and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

APPS = {
    "badsetting": (
        "app = faust.App('bad', broker='memory://', processing_guarantee='twice')"
    ),
    "badscheme": "app = faust.App('bad2', broker='nope://localhost')",
    "unknownsetting": "app = faust.App('bad3', brokr='memory://')",
}


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(
        textwrap.dedent(
            f"""
            import faust
            {body}
            if __name__ == '__main__':
                app.main()
            """
        )
    )
    return path


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("badsetting", "Invalid value 'twice' for setting 'processing_guarantee'"),
        ("badscheme", "Unknown broker scheme 'nope://'"),
        ("unknownsetting", "did you mean 'broker'"),
    ],
)
def test_faust_a_worker_reports_one_line(
    tmp_path: Path, name: str, expected: str
) -> None:
    _write(tmp_path, name, APPS[name])
    proc = _run([sys.executable, "-m", "faust", "-A", name, "worker"], tmp_path)
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_app_main_reports_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "badsetting", APPS["badsetting"])
    proc = _run([sys.executable, str(path), "worker"], tmp_path)
    assert proc.returncode == 2
    assert "processing_guarantee" in proc.stderr
    assert "Traceback" not in proc.stderr
