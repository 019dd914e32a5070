"""Core type aliases shared by every layer."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, Union

__all__ = ["K", "V", "HeadersArg", "OpenHeadersArg"]

#: Type of a message key (any object before serialization).
K = Any
#: Type of a message value (any object before serialization).
V = Any

#: Headers given by the user: a mapping or a sequence of ``(str, bytes)`` pairs.
HeadersArg = Union[Sequence[tuple[str, bytes]], Mapping[str, bytes]]
#: Headers that may still be modified (``on_produce_message`` receivers).
OpenHeadersArg = Union[MutableMapping[str, bytes], list[tuple[str, bytes]]]

#: Anything (used where a type variable would add nothing).
AnyT = Any
