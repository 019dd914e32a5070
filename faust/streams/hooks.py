"""Per-event helpers of the stream loop (``Stream._iterate()``).

Type checks that the loop would otherwise repeat for every event, cached per
type: is this item an event (an ABC ``isinstance`` costs ~0.2us), may this
processor result be awaited. And the sensor hooks a stream calls for every
event, taken from the app's sensors once per change of the sensor set.
"""

from __future__ import annotations

import inspect
from types import GeneratorType
from typing import Any

from mode.utils.locks import Event as ModeEvent

from ..types import EventT

__all__ = ["is_event"]

_EVENT_TYPES: set[type] = set()
_VALUE_TYPES: set[type] = set()
_AWAITABLE_TYPES: set[type] = set()
_PLAIN_TYPES: set[type] = set()
#: Returned by ``EventQueue.next_nowait`` when nothing is buffered.
_EMPTY: Any = object()


def _nothing_buffered(default: Any) -> Any:
    return default


def _is_awaitable(value: Any) -> bool:
    """``inspect.isawaitable(value)``, cached per type.

    Processors return plain values nearly always. Generators are asked every
    time: whether one is awaitable depends on how it was made.
    """
    cls = value.__class__
    if cls in _PLAIN_TYPES:
        return False
    if cls in _AWAITABLE_TYPES:
        return True
    result = inspect.isawaitable(value)
    if cls is not GeneratorType:
        (_AWAITABLE_TYPES if result else _PLAIN_TYPES).add(cls)
    return result


def _no_hook(*args: Any) -> None:
    return None


def _stream_hooks(sensors: Any) -> tuple[int, tuple[Any, Any, Any]]:
    """The stream's sensor hooks and the sensors' version they belong to."""
    hooks = getattr(sensors, "stream_hooks", None)
    if hooks is not None:
        version, in_out_done = hooks()
        return version, in_out_done
    return 0, (
        sensors.on_stream_event_in,
        sensors.on_stream_event_out,
        sensors.on_message_out,
    )


def is_event(obj: Any) -> bool:
    """``isinstance(obj, EventT)``, cached per type (ABC checks are slow)."""
    cls = type(obj)
    if cls in _EVENT_TYPES:
        return True
    if cls in _VALUE_TYPES:
        return False
    result = isinstance(obj, EventT)
    (_EVENT_TYPES if result else _VALUE_TYPES).add(cls)
    return result


class _Flag:
    """``_value`` of an event whose class is not mode's (asks ``is_set()``)."""

    __slots__ = ("event",)

    def __init__(self, event: Any) -> None:
        self.event = event

    @property
    def _value(self) -> bool:
        return bool(self.event.is_set())


def _flag(event: Any) -> Any:
    return event if type(event) is ModeEvent else _Flag(event)
