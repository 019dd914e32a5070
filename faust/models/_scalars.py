"""Converters of scalar values (part of :mod:`faust.models.typing`)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from faust.utils.iso8601 import parse
from faust.utils.json import str_to_decimal

__all__ = ["_bool", "_bytes", "_date", "_datetime", "_decimal", "_scalar"]

Converter = Callable[[Any], Any]

_TRUE = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "off", "n", "f", ""})


def _scalar(typ: type) -> Converter | None:
    if issubclass(typ, enum.Enum):
        return lambda v: v if v is None or isinstance(v, typ) else typ(v)
    if typ is bool:
        return _bool
    if typ is bytes:
        return _bytes
    if typ in (int, float, str, UUID):

        def coerce_scalar(v: Any) -> Any:
            return v if v is None or v.__class__ is typ else typ(v)

        return coerce_scalar
    return None


def _bool(v: Any) -> Any:
    if v is None or v is True or v is False:
        return v
    if isinstance(v, (str, bytes)):
        text = (v.decode() if isinstance(v, bytes) else v).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"not a boolean: {v!r}")
    return bool(v)


def _bytes(v: Any) -> Any:
    if v is None or v.__class__ is bytes:
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    return bytes(v)


def _datetime(date_parser: Converter | None) -> Converter:
    parser = date_parser or parse

    def parse_datetime(v: Any) -> Any:
        return parser(v) if isinstance(v, str) else v

    return parse_datetime


def _date(v: Any) -> Any:
    if isinstance(v, str):
        return date.fromisoformat(v)
    return v


def _decimal(v: Any) -> Any:
    if v is None or v.__class__ is Decimal:
        return v
    if isinstance(v, str):
        return str_to_decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    if isinstance(v, int):
        return Decimal(v)
    return v
