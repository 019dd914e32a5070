"""Fixup interface: framework integrations (e.g. Django)."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT

__all__ = ["FixupT"]


class FixupT(abc.ABC):
    """Adapts the app to a framework found in the environment."""

    app: AppT

    @abc.abstractmethod
    def __init__(self, app: AppT) -> None: ...

    @abc.abstractmethod
    def enabled(self) -> bool: ...

    @abc.abstractmethod
    def autodiscover_modules(self) -> Iterable[str]: ...

    @abc.abstractmethod
    def on_worker_init(self) -> None: ...
