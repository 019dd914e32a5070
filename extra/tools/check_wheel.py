"""Build a wheel of a checkout, install it in a new virtualenv, check it.

Checks what a user sees: ``pip show faust-ng`` lists the license and
``python -m faust --version`` (run outside the checkout) prints the version
the wheel was built as. CI runs it on its fresh clone (``.ci/run``)::

    python extra/tools/check_wheel.py [CHECKOUT]

Needs the package index (the build backend and the dependencies are
installed). Exits 1 saying what is wrong.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

LICENSE = "BSD-3-Clause"


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    """Run ``cmd``; its stdout (its output is shown if it fails)."""
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{done.stdout}{done.stderr}")
    return done.stdout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, nargs="?", default=Path.cwd())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="faust-wheel-") as tmp:
        work = Path(tmp)
        run(sys.executable, "-m", "venv", work / "venv")
        py = work / "venv" / "bin" / "python"
        run(py, "-m", "pip", "install", "-q", "-U", "pip")  # shows License-Expression
        run(py, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "dist",
            args.checkout.resolve())  # fmt: skip
        (wheel,) = (work / "dist").glob("faust_ng-*.whl")
        print(f"built {wheel.name}")
        run(py, "-m", "pip", "install", "-q", wheel)
        shown = run(py, "-m", "pip", "show", "faust-ng").splitlines()
        fields = dict(line.split(": ", 1) for line in shown if ": " in line)
        for name in ("Name", "Version", "License-Expression"):
            print(f"pip show: {name}: {fields.get(name, '')}")
        printed = run(py, "-m", "faust", "--version", cwd=work).strip()
        print(f"python -m faust --version: {printed}")
        if fields.get("License-Expression") != LICENSE:
            sys.exit(f"pip show does not list the license {LICENSE}")
        version = fields.get("Version", "?")
        if not wheel.name.startswith(f"faust_ng-{version}-") or version not in printed:
            sys.exit(f"--version printed {printed!r}, the wheel is {wheel.name}")
    print("wheel check: ok")


if __name__ == "__main__":
    main()
