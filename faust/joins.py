"""Join strategies, by name (``faust.joins``).

Faust exposed these classes but never implemented them. Joins are built with
the stream methods instead: ``stream.join(table)``, ``stream.left_join(table)``
and the windowed ``stream.join(other, within=seconds)``, ``left_join``,
``outer_join`` (see :mod:`faust.streams.joins`). These classes name the join
kinds for code that imports them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from .exceptions import ImproperlyConfigured
from .types import EventT, FieldDescriptorT, JoinableT, JoinT

__all__ = ["Join", "RightJoin", "LeftJoin", "InnerJoin", "OuterJoin"]


class Join(JoinT):
    """A join of a stream with other nodes on ``fields``.

    Arguments:
        stream: the stream being joined.
        fields: the fields to join on.
    """

    kind: ClassVar[str] = "inner"

    def __init__(
        self, *, stream: JoinableT, fields: tuple[FieldDescriptorT[Any], ...]
    ) -> None:
        self.stream = stream
        self.fields = {field.model: field for field in fields}

    async def process(self, event: EventT[Any]) -> Optional[EventT[Any]]:
        """Join strategies run through the stream methods, not here."""
        raise ImproperlyConfigured(
            f"Use stream.{self.kind}_join(table_or_stream, key=..., within=...) "
            "to join; join strategy objects are not processed directly"
        )


class RightJoin(Join):
    """Right join (use ``other.left_join(stream, ...)``)."""

    kind = "right"


class LeftJoin(Join):
    """Left join: see :meth:`faust.Stream.left_join`."""

    kind = "left"


class InnerJoin(Join):
    """Inner join: see :meth:`faust.Stream.join`."""

    kind = "inner"


class OuterJoin(Join):
    """Outer join: see :meth:`faust.Stream.outer_join`."""

    kind = "outer"
