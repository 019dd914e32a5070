"""Codec interface: turning objects into bytes and back."""

from __future__ import annotations

import abc
from typing import Any, Optional, Union

__all__ = ["CodecT", "CodecArg"]


class CodecT(abc.ABC):
    """A codec serializes objects to bytes and back; codecs can be chained."""

    @abc.abstractmethod
    def __init__(
        self, children: Optional[tuple[CodecT, ...]] = None, **kwargs: Any
    ): ...

    @abc.abstractmethod
    def dumps(self, obj: Any) -> bytes: ...

    @abc.abstractmethod
    def loads(self, s: bytes) -> Any: ...

    @abc.abstractmethod
    def clone(self, *children: CodecT) -> CodecT: ...

    @abc.abstractmethod
    def __or__(self, other: Any) -> Any: ...


#: A codec, the name of a registered codec (``"json|binary"`` chains), or None.
CodecArg = Optional[Union[CodecT, str]]
