"""examples/word_count.py, the README's first command, runs and counts."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_word_count_demo_prints_the_counts(run_example) -> None:
    result = run_example("word_count.py")
    assert result.returncode == 0, result.stderr
    lines = {
        tuple(cell.strip() for cell in line.strip("|").split("|"))
        for line in result.stdout.splitlines()
        if line.startswith("|")
    }
    assert ("the", "3") in lines and ("dog", "3") in lines and ("fox", "2") in lines
    assert "Counted 20 words." in result.stdout


def test_readme_quick_start_runs_the_word_count() -> None:
    readme = (ROOT / "README.rst").read_text()
    first = next(line for line in readme.splitlines() if "examples/" in line)
    assert "examples/word_count.py" in first
