"""Fixups: framework integrations, found through the ``faust.fixups`` entry points."""

from __future__ import annotations

from collections.abc import Iterable

from mode.utils.imports import FactoryMapping

from ..types import AppT
from ..types.fixups import FixupT
from .base import Fixup

__all__ = ["FIXUPS", "Fixup", "by_name", "by_url", "fixups"]

#: Built-in fixups by name; packages add more with ``faust.fixups`` entry points.
FIXUPS: FactoryMapping[type[FixupT]] = FactoryMapping(
    django="faust.fixups.django:Fixup",
)
FIXUPS.include_setuptools_namespace("faust.fixups")


def by_name(name: str) -> type[FixupT]:
    """The fixup class registered as ``name`` (``'django'``)."""
    return FIXUPS.by_name(name)


def by_url(url: str) -> type[FixupT]:
    """The fixup class of ``url``'s scheme (``'django://'``)."""
    return FIXUPS.by_url(url)


def fixups(app: AppT) -> Iterable[FixupT]:
    """The fixups enabled for ``app``."""
    for fixup_cls in FIXUPS.iterate():
        fixup = fixup_cls(app)
        if fixup.enabled():
            yield fixup
