"""The current event of the running stream (a context variable).

Also the guard of web views answering before table recovery finished: a
view runs with :func:`tables_readable_when` set, and tables call
:func:`check_tables_readable` before touching their store.

Lives apart from :mod:`faust.streams` so that tables, topics and stores can ask
for the current event without importing the stream machinery.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Optional

if typing.TYPE_CHECKING:  # pragma: no cover
    from .types.events import EventT

__all__ = [
    "current_event",
    "set_current_event",
    "reset_current_event",
    "check_tables_readable",
    "tables_readable_when",
    "tables_guard",
]

_current_event: ContextVar[Optional[EventT[Any]]] = ContextVar(
    "current_event", default=None
)

#: Set the current event; returns the token to restore the previous one.
set_current_event = _current_event.set
#: Restore the previous current event from a token.
reset_current_event = _current_event.reset
#: :func:`current_event` without its Python frame (the per-message paths).
get_current_event = _current_event.get


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


_tables_ready: ContextVar[Optional[Callable[[], bool]]] = ContextVar(
    "tables_ready", default=None
)

#: The guard itself (None outside web views).
tables_guard = _tables_ready
#: Run the rest of this context with ``ready()`` deciding if tables may be
#: read (returns the token for ``tables_guard.reset``).
tables_readable_when = _tables_ready.set


def check_tables_readable() -> None:
    """Raise :exc:`~faust.exceptions.TablesRecovering` in a view run too early.

    Raises:
        TablesRecovering: this code runs in a web view and tables have not
            finished recovery.
    """
    ready = _tables_ready.get()
    if ready is not None and not ready():
        from .exceptions import TablesRecovering

        raise TablesRecovering("tables are recovering: try again shortly (see /readyz)")
