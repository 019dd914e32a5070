"""The current event of the running stream (a context variable).

Lives apart from :mod:`faust.streams` so that tables, topics and stores can ask
for the current event without importing the stream machinery.
"""

from __future__ import annotations

import typing
from contextvars import ContextVar
from typing import Any, Optional

if typing.TYPE_CHECKING:  # pragma: no cover
    from .types.events import EventT

__all__ = ["current_event", "set_current_event", "reset_current_event"]

_current_event: ContextVar[Optional[EventT[Any]]] = ContextVar(
    "current_event", default=None
)

#: Set the current event; returns the token to restore the previous one.
set_current_event = _current_event.set
#: Restore the previous current event from a token.
reset_current_event = _current_event.reset


def current_event() -> Optional[EventT[Any]]:
    """Return the event being processed by the current stream, if any.

    Example:
        >>> @app.agent(topic)
        ... async def process(stream):
        ...     async for value in stream:
        ...         event = faust.current_event()
        ...         print(event.message.offset)
    """
    return _current_event.get()
