"""The worker's PID file (the ``pidfile`` setting, ``faust worker --pidfile``).

:class:`faust.worker.Worker` writes its process id to the file while it runs
and refuses to start while another live process holds it. Both names are also
importable from :mod:`faust.worker`.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PIDFile", "PIDFileInUse"]


class PIDFile:
    """A file holding the worker's process id while it runs.

    Arguments:
        path: the file; its directory must exist.

    Raises:
        PIDFileInUse: (from :meth:`acquire`) a live process wrote the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.acquired = False

    def acquire(self) -> None:
        """Write this process's id, replacing a file left by a dead process."""
        pid = os.getpid()
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                other = self.read_pid()
                if other is not None and other != pid and _process_alive(other):
                    raise PIDFileInUse(self.path, other) from None
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{pid}\n")
            self.acquired = True
            return
        raise PIDFileInUse(self.path, self.read_pid())

    def read_pid(self) -> int | None:
        """The process id in the file, or None if missing or unreadable."""
        try:
            return int(self.path.read_text().strip())
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        """Remove the file if this process wrote it."""
        if self.acquired:
            self.acquired = False
            if self.read_pid() == os.getpid():
                self.path.unlink(missing_ok=True)


class PIDFileInUse(RuntimeError):
    """Another live process holds the PID file."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        super().__init__(f"{path}: a worker is already running with pid {pid}")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True
