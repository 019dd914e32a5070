"""LiveCheck integrations with other libraries (see :mod:`.aiohttp`)."""

from __future__ import annotations

__all__ = ["patch_all"]


def patch_all() -> None:
    """Apply every LiveCheck patch: new aiohttp sessions send test headers.

    See :func:`faust.livecheck.patches.aiohttp.patch_all`.
    """
    from .aiohttp import patch_all as patch_aiohttp

    patch_aiohttp()
