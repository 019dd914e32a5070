"""JSON encoding with faust's rules for values the JSON standard lacks.

Every JSON payload faust writes goes through :func:`dumps` (or the
``json`` codec, which uses :func:`dumps_bytes` to skip a decode/encode
round trip).  The output is compact (no spaces after ``,``/``:``), as
faust-streaming writes it, so the bytes on the wire are identical.

Types beyond the JSON standard are converted as follows:

========================================  ===============================
value                                     JSON
========================================  ===============================
``datetime``, ``date``, ``time``          ISO-8601 string; UTC is ``Z``
``Decimal``, ``UUID``                     string
``bytes``                                 UTF-8 text
``Enum``                                  its ``.value``
``set``, ``frozenset``, ``deque``,        list
``tuple`` (and namedtuples)
``Counter`` and other mappings            object
objects with ``__json__()``               whatever ``__json__`` returns
========================================  ===============================

:mod:`orjson` does the work; the conversions above that it lacks natively
are done by :func:`on_default`, which it calls for unknown types.
"""

from __future__ import annotations

import datetime
import enum
import json as _stdjson
import sys
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import orjson

__all__ = [
    "JSONEncoder",
    "DECIMAL_MAXLEN",
    "dumps",
    "dumps_bytes",
    "loads",
    "loads_bytes",
    "on_default",
    "str_to_decimal",
]

#: Longest string :func:`str_to_decimal` accepts (guards against huge input).
DECIMAL_MAXLEN = 1000

_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z

#: Types converted to a list.
SEQUENCE_TYPES: tuple[type, ...] = (set, frozenset, deque, tuple)
#: Types converted to a JSON object.
MAPPING_TYPES: tuple[type, ...] = (Counter,)
#: Types converted with ``str()``.
TEXTUAL_TYPES: tuple[type, ...] = (Decimal, uuid.UUID)


def str_to_decimal(s: str | None, maxlen: int = DECIMAL_MAXLEN) -> Decimal | None:
    """Convert a string to :class:`~decimal.Decimal`, refusing NaN and infinity.

    Arguments:
        s: the number as text (``None`` is returned unchanged).
        maxlen: longest string accepted.

    Returns:
        The decimal, or ``None`` if ``s`` is ``None``.

    Raises:
        ValueError: the string is too long, not a number, or not finite.
    """
    if s is None:
        return None
    if len(s) > maxlen:
        raise ValueError(f"string of length {len(s)} is longer than limit ({maxlen})")
    try:
        value = Decimal(s)
    except ArithmeticError:
        raise ValueError(f"not a decimal number: {s!r}") from None
    if not value.is_finite():
        raise ValueError(f"Illegal value in decimal: {s!r}")
    return value


def _iso(o: datetime.date | datetime.time) -> str:
    text = o.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _bytes_to_text(o: bytes) -> str:
    try:
        return o.decode("utf-8")
    except UnicodeDecodeError:
        raise TypeError(
            "JSON cannot carry non UTF-8 bytes: use a BytesField with the "
            "'binary' codec, or encode the value (e.g. base64) yourself"
        ) from None


def _find_converter(typ: type) -> Callable[[Any], Any] | None:
    # Resolved once per type, then cached in _CONVERTERS.
    if issubclass(typ, TEXTUAL_TYPES):
        return str
    if issubclass(typ, (bytes, bytearray, memoryview)):
        return lambda o: _bytes_to_text(bytes(o))
    if issubclass(typ, (datetime.date, datetime.time)):
        return _iso
    if issubclass(typ, enum.Enum):
        return _enum_value
    if getattr(typ, "__json__", None) is not None:
        return _call_json
    if issubclass(typ, SEQUENCE_TYPES):
        return list
    if issubclass(typ, (*MAPPING_TYPES, Mapping)):
        return dict
    if _is_django_promise(typ):
        return str  # lazy translation strings (the Django fixup)
    return None


def _is_django_promise(typ: type) -> bool:
    # Only when Django is already imported: never import it from here.
    functional = sys.modules.get("django.utils.functional")
    promise = getattr(functional, "Promise", None)
    return promise is not None and issubclass(typ, promise)


def _enum_value(o: enum.Enum) -> Any:
    return o.value


def _call_json(o: Any) -> Any:
    return o.__json__()


_CONVERTERS: dict[type, Callable[[Any], Any] | None] = {}


def on_default(o: Any) -> Any:
    """Convert a value the JSON encoder does not know into one it does.

    Used as ``default=`` by :func:`dumps` and by :class:`JSONEncoder`.

    Raises:
        TypeError: the value has no JSON form.
    """
    typ = type(o)
    try:
        convert = _CONVERTERS[typ]
    except KeyError:
        convert = _CONVERTERS[typ] = _find_converter(typ)
    if convert is None:
        raise TypeError(f"JSON cannot serialize {typ.__name__!r}: {o!r}")
    return convert(o)


class JSONEncoder(_stdjson.JSONEncoder):
    """:class:`json.JSONEncoder` that knows faust's extra types (see module doc)."""

    def default(self, o: Any) -> Any:
        """Convert values the standard encoder cannot handle."""
        return on_default(o)


#: Deserialize JSON text or UTF-8 bytes (no options: the fastest path).
loads_bytes: Callable[[str | bytes | bytearray | memoryview], Any] = orjson.loads


def dumps_bytes(obj: Any) -> bytes:
    """Serialize ``obj`` to compact UTF-8 JSON bytes.

    Raises:
        TypeError: a value has no JSON form.
    """
    try:
        return orjson.dumps(obj, default=on_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError as exc:
        # orjson's message hides ours ("Type is not JSON serializable").
        raise TypeError(str(exc.__cause__ or exc)) from exc


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialize ``obj`` to a compact JSON string.

    Keyword arguments (``indent``, ``sort_keys``, ``cls``, ...) switch to
    the standard library encoder with :class:`JSONEncoder`.
    """
    if kwargs:
        kwargs.setdefault("cls", JSONEncoder)
        if kwargs.get("indent") is None:
            kwargs.setdefault("separators", (",", ":"))
        return _stdjson.dumps(obj, **kwargs)
    return dumps_bytes(obj).decode()


def loads(s: str | bytes | bytearray | memoryview, **kwargs: Any) -> Any:
    """Deserialize JSON text or UTF-8 bytes.

    Keyword arguments (``object_hook``, ``parse_float``, ...) switch to the
    standard library decoder.

    Raises:
        ValueError: the input is not valid JSON (a :class:`json.JSONDecodeError`).
    """
    if kwargs:
        return _stdjson.loads(
            s if not isinstance(s, memoryview) else bytes(s), **kwargs
        )
    return orjson.loads(s)
