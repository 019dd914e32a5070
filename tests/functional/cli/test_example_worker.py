"""``faust -A examples.hello_world worker`` as a real process.

The example runs on the embedded broker, so only the worker itself can send
to it: its one-second timer sends names to its agent. The worker processes
them, and stops cleanly (exit status 0) on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_example_worker_processes_events_and_stops_on_sigterm(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "faust",
                "-A",
                "examples.hello_world",
                "--datadir",
                str(tmp_path / "data"),
                "worker",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while b"Hello timer!" not in log.read_bytes():
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    assert "Ready" in text
    assert "Traceback" not in text
