"""The ``faust`` program (console script ``faust = faust.cli.faust:cli``).

Importing this module registers the built-in commands on :data:`cli`.
"""

from __future__ import annotations

from .base import cli
from .worker import worker

__all__ = ["cli", "worker"]
