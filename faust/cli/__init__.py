"""Command-line interface: base classes for ``faust`` subcommands.

Define a command with ``@app.command(...)`` or by subclassing
:class:`AppCommand` (uses the app) or :class:`Command` (does not).
"""

from __future__ import annotations

from .base import AppCommand, Command, argument, call_command, option

__all__ = ["AppCommand", "Command", "argument", "call_command", "option"]
