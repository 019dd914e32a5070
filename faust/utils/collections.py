"""``dict`` methods for mapping classes (tables, stores, registries).

:class:`collections.abc.MutableMapping` leaves out ``copy()`` and
``fromkeys()``, and its ``update()`` takes one positional mapping; Faust's
mappings (built on mode's ``FastUserDict``) have all three as ``dict``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

__all__ = ["DictMethods"]


class DictMethods(MutableMapping[Any, Any]):
    """``copy``, ``fromkeys`` and ``update(*args, **kwargs)`` as ``dict``'s.

    An abstract mutable mapping: mix it in before the class's mapping
    interface; writes go through ``__setitem__``.
    """

    def copy(self) -> dict[Any, Any]:
        """A plain dict of the items (a snapshot)."""
        return dict(self.items())

    @classmethod
    def fromkeys(cls, iterable: Iterable[Any], value: Any = None) -> dict[Any, Any]:
        """A plain dict of ``iterable``'s keys, each set to ``value`` (as dict's)."""
        return dict.fromkeys(iterable, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set each pair of ``dict(*args, **kwargs)``."""
        for key, value in dict(*args, **kwargs).items():
            self[key] = value
