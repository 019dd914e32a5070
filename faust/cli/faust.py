"""The ``faust`` program (console script ``faust = faust.cli.faust:cli``).

Importing this module registers the built-in commands on :data:`cli`.
"""

from __future__ import annotations

from .agents import agents
from .base import call_command, cli
from .clean_versions import clean_versions
from .completion import completion
from .livecheck import livecheck
from .model import model
from .models import models
from .reset import reset
from .send import send
from .tables import tables
from .worker import worker

__all__ = [
    "agents",
    "call_command",
    "clean_versions",
    "cli",
    "completion",
    "livecheck",
    "model",
    "models",
    "reset",
    "send",
    "tables",
    "worker",
]
