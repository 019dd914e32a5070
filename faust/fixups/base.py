"""The Fixup base: adapting the app to a framework found in the environment."""

from __future__ import annotations

from collections.abc import Iterable

from ..types import AppT
from ..types.fixups import FixupT

__all__ = ["Fixup"]


class Fixup(FixupT):
    """A fixup that does nothing; subclass it.

    Arguments:
        app: the app being fixed up.
    """

    def __init__(self, app: AppT) -> None:
        self.app = app

    def enabled(self) -> bool:
        """True if the framework is present and this fixup applies."""
        return False

    def autodiscover_modules(self) -> Iterable[str]:
        """Extra modules to scan when ``autodiscover=True``."""
        return []

    def on_worker_init(self) -> None:
        """Called when the app starts in a worker."""
