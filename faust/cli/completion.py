"""``faust completion``: print the shell code that completes ``faust`` commands.

Uses :mod:`click`'s own shell completion (bash 4.4+, zsh, fish); no extra
package is needed.  Enable it with, for bash::

    eval "$(faust completion)"

The shell is taken from ``--shell`` or from the ``$SHELL`` variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Optional

import click
from click.shell_completion import get_completion_class

from .base import AppCommand, option

__all__ = ["completion"]

#: Shells click can complete for.
SHELLS = ("bash", "zsh", "fish")


class completion(AppCommand):
    """Output shell completion to be evaluated by the shell."""

    require_app: ClassVar[bool] = False

    options = [
        option(
            "--shell",
            type=click.Choice(SHELLS),
            default=None,
            show_default="from $SHELL",
            help="Shell to print the completion code for.",
        ),
    ]

    async def run(self, shell: Optional[str] = None) -> None:
        """Print the completion script for the shell."""
        name = shell or self.shell()
        cls = get_completion_class(name)
        if cls is None:
            raise self.UsageError(
                f"Cannot complete for shell {name!r}: use --shell with one of "
                f"{', '.join(SHELLS)}"
            )
        prog = "faust"
        var = f"_{prog.upper()}_COMPLETE"
        root: Any = self.ctx.find_root().command
        self.say(cls(root, {}, prog, var).source())

    def shell(self) -> str:
        """Name of the current shell (from ``$SHELL``)."""
        return Path(os.environ.get("SHELL", "bash")).stem
