"""LiveCheck integrations with other libraries (see :mod:`.aiohttp`)."""

from __future__ import annotations

__all__: list[str] = []
