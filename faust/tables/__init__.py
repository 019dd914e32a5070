"""Tables: partitioned state backed by changelog topics."""

from __future__ import annotations

from .manager import TableManager

__all__ = ["TableManager"]
