"""Join strategy interface."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, Optional

from .events import EventT
from .models import FieldDescriptorT

if TYPE_CHECKING:  # pragma: no cover
    from .streams import JoinableT

__all__ = ["JoinT"]


class JoinT(abc.ABC):
    """How events of several joined nodes are combined."""

    fields: dict[type, FieldDescriptorT[Any]]
    stream: JoinableT

    @abc.abstractmethod
    def __init__(
        self, *, stream: JoinableT, fields: tuple[FieldDescriptorT[Any], ...]
    ) -> None: ...

    @abc.abstractmethod
    async def process(self, event: EventT[Any]) -> Optional[EventT[Any]]: ...
