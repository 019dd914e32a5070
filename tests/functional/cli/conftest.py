"""Run the ``faust`` program as a subprocess and watch what it writes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

#: Seconds to wait for one expected line (a cold start imports a lot).
LINE_TIMEOUT = 60.0


class Program:
    """A running ``python -m faust ...`` (or script) process."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.stderr_lines: list[str] = []

    async def wait_for(self, text: str) -> str:
        """Read stderr until a line containing ``text``; return that line."""
        assert self.proc.stderr is not None
        while True:
            raw = await asyncio.wait_for(self.proc.stderr.readline(), LINE_TIMEOUT)
            if not raw:
                raise AssertionError(
                    f"exited before printing {text!r}:\n" + "".join(self.stderr_lines)
                )
            line = raw.decode(errors="replace")
            self.stderr_lines.append(line)
            if text in line:
                return line

    def send(self, sig: signal.Signals) -> None:
        self.proc.send_signal(sig)

    async def finish(self) -> tuple[int, str, str]:
        """Wait for exit; return (status, stdout, all of stderr)."""
        out, err = await asyncio.wait_for(self.proc.communicate(), LINE_TIMEOUT)
        self.stderr_lines.append(err.decode(errors="replace"))
        assert self.proc.returncode is not None
        return self.proc.returncode, out.decode(), "".join(self.stderr_lines)


@pytest.fixture
def write_module(tmp_path: Path) -> Callable[[str, str], str]:
    def write(name: str, source: str) -> str:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        return name

    return write


@pytest.fixture
async def spawn(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    """Start ``python -m faust <args>`` (or ``python <script> <args>``)."""
    started: list[Program] = []

    async def _spawn(*args: str, module: bool = True, **env: str) -> Program:
        argv = (
            [sys.executable, "-m", "faust", *args]
            if module
            else [sys.executable, *args]
        )
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        )
        program = Program(proc)
        started.append(program)
        return program

    yield _spawn
    for program in started:
        if program.proc.returncode is None:
            program.proc.kill()
            await program.proc.wait()


@pytest.fixture
def run_program(spawn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``python -m faust <args>`` to the end: ``(status, stdout, stderr)``."""

    async def _run(*args: str, module: bool = True, **env: str) -> tuple[int, str, str]:
        program = await spawn(*args, module=module, **env)
        result: tuple[int, str, str] = await program.finish()
        return result

    return _run
