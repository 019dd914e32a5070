"""The ``faust`` program (console script ``faust = faust.cli.faust:cli``).

Importing this module registers the built-in commands on :data:`cli`.
"""

from __future__ import annotations

from .agents import agents
from .base import call_command, cli
from .tables import tables
from .worker import worker

__all__ = ["agents", "call_command", "cli", "tables", "worker"]
