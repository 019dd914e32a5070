"""Small helpers with no dependency on the rest of faust."""

from __future__ import annotations

from uuid import uuid4

__all__ = ["uuid"]


def uuid() -> str:
    """Return a new random UUID as a string."""
    return str(uuid4())
