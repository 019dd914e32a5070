"""Param types for plain values: strings, flags, numbers, durations, URLs, paths."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path as _Path
from typing import Any

from yarl import URL as _URL

from .descriptor import Param

__all__ = [
    "Str",
    "Bool",
    "Int",
    "UnsignedInt",
    "Version",
    "Port",
    "Seconds",
    "URL",
    "BrokerList",
    "Path",
    "to_bool",
    "BOOLEAN_TERMS",
    "DEFAULT_BROKER_SCHEME",
    "SecondsArg",
    "URLArg",
    "BrokerArg",
]

#: Scheme given to broker URLs written without one (``localhost:9092``).
DEFAULT_BROKER_SCHEME = "kafka"

#: Strings accepted by :class:`Bool` (compared lower-cased, stripped).
BOOLEAN_TERMS: Mapping[str, bool] = {
    "": False,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
}

SecondsArg = float | int | str | timedelta
URLArg = str | _URL
BrokerArg = str | _URL | Sequence[str | _URL]


def to_bool(term: str | bool | int) -> bool:
    """Convert ``'yes'``/``'no'``/``'true'``/``'0'``/… (or a bool) to bool.

    Raises:
        ValueError: for a string that is not a known term.
        TypeError: for anything that is not a bool, 0/1 or a string.
    """
    if isinstance(term, bool):
        return term
    if isinstance(term, str):
        try:
            return BOOLEAN_TERMS[term.strip().lower()]
        except KeyError:
            raise ValueError(f"{term!r} is not a boolean term") from None
    if isinstance(term, int) and term in (0, 1):
        return bool(term)
    raise TypeError(f"cannot convert {type(term).__name__} to bool")


class Str(Param[str, str]):
    """A string, optionally one of ``choices`` (compared lower-cased)."""

    type_name = "str"
    expected = "a string"

    def __init__(self, *, choices: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def convert(self, value: Any) -> str:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if not isinstance(value, str):
            raise TypeError()
        text: str = value
        if self.choices:
            text = text.strip().lower()
            if text not in self.choices:
                raise ValueError()
        return text

    def describe_expected(self) -> str:
        """What this setting accepts, for error messages."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return self.expected


class Bool(Param[bool | str | int, bool]):
    """True/False; strings such as ``'yes'``/``'off'`` are accepted."""

    type_name = "bool"
    expected = (
        "True/False or one of 'true', 'yes', 'on', '1', 'false', 'no', 'off', '0'"
    )

    def convert(self, value: Any) -> bool:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        try:
            return to_bool(value)
        except ValueError:
            raise ValueError() from None


class Int(Param[int | str, int]):
    """An integer within ``min_value``/``max_value``, with string aliases."""

    type_name = "int"
    min_value: int | None = None
    max_value: int | None = None

    def __init__(
        self,
        *,
        min_value: int | None = None,
        max_value: int | None = None,
        number_aliases: Mapping[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if min_value is not None:
            self.min_value = min_value
        if max_value is not None:
            self.max_value = max_value
        self.number_aliases = dict(number_aliases or {})

    def convert(self, value: Any) -> int:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, str):
            term = value.strip().lower()
            number = self.number_aliases.get(term)
            if number is None:
                try:
                    number = int(term)
                except ValueError:
                    raise ValueError() from None
        elif isinstance(value, bool):
            raise TypeError()
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise TypeError()
        if (self.min_value is not None and number < self.min_value) or (
            self.max_value is not None and number > self.max_value
        ):
            raise ValueError("out of range")
        return number

    def describe_expected(self) -> str:
        """What this setting accepts, for error messages."""
        lo, hi = self.min_value, self.max_value
        text = "an integer"
        if lo is not None and hi is not None:
            text += f" from {lo} to {hi}"
        elif lo is not None:
            text += f" >= {lo}"
        elif hi is not None:
            text += f" <= {hi}"
        if self.number_aliases:
            text += " (or " + ", ".join(repr(a) for a in self.number_aliases) + ")"
        return text


class UnsignedInt(Int):
    """An integer >= 0."""

    min_value = 0


class Version(Int):
    """A version number >= 1."""

    min_value = 1


class Port(UnsignedInt):
    """A TCP port number, 0 to 65535 (0 lets the OS choose)."""

    max_value = 65535


class Seconds(Param[SecondsArg, float]):
    """A duration in seconds: number, numeric string or timedelta → float."""

    type_name = "float (seconds)"
    expected = "a number of seconds >= 0 (int, float, numeric string or timedelta)"

    def convert(self, value: Any) -> float:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, timedelta):
            seconds = value.total_seconds()
        elif isinstance(value, bool):
            raise TypeError()
        elif isinstance(value, (int, float, str)):
            try:
                seconds = float(value)
            except ValueError:
                raise ValueError() from None
        else:
            raise TypeError()
        if seconds < 0 or math.isnan(seconds):
            raise ValueError("negative")
        return seconds


class URL(Param[URLArg, _URL]):
    """A URL with a scheme (``memory://``, ``redis://host``) → yarl.URL."""

    type_name = "URL"
    expected = "a URL with a scheme, such as 'scheme://host:port'"

    def convert(self, value: Any) -> _URL:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, _URL):
            url = value
        elif isinstance(value, str):
            url = _URL(value.strip())
        else:
            raise TypeError()
        if not url.scheme:
            raise ValueError("missing scheme")
        return url


class BrokerList(Param[BrokerArg, list[_URL]]):
    """One or more broker URLs → ``list[yarl.URL]``.

    Accepts ``'kafka://h1:9092;h2:9092'`` (``;``-separated), a URL, or a
    list. URLs without a scheme take the scheme of the first URL, else
    ``kafka``.
    """

    type_name = "list of URLs"
    expected = (
        "a URL, a ';'-separated string of URLs or a list of URLs, "
        "e.g. 'kafka://localhost:9092'"
    )
    default_scheme = DEFAULT_BROKER_SCHEME

    def convert(self, value: Any) -> list[_URL]:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, str):
            items: list[Any] = value.split(";")
        elif isinstance(value, _URL):
            items = [value]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise TypeError()
        if not items:
            raise ValueError("empty list")
        first = _split_scheme(items[0])[0]
        scheme = first or self.default_scheme
        return [self._with_scheme(item, scheme) for item in items]

    @staticmethod
    def _with_scheme(item: Any, scheme: str) -> _URL:
        own_scheme, rest = _split_scheme(item)
        if not rest:
            raise ValueError("empty URL")
        if own_scheme:
            return item if isinstance(item, _URL) else _URL(rest)
        return _URL(f"{scheme}://{rest}")


def _split_scheme(item: Any) -> tuple[str, str]:
    """Return ``(scheme or '', text)`` for a broker list item."""
    if isinstance(item, _URL):
        return item.scheme, str(item)
    if not isinstance(item, str):
        raise TypeError()
    text = item.strip()
    scheme, sep, _ = text.partition("://")
    if sep and not scheme:
        raise ValueError("missing scheme before '://'")
    return (scheme if sep else ""), text


class Path(Param[str | os.PathLike[str], _Path]):
    """A filesystem path (``~`` is expanded) → pathlib.Path."""

    type_name = "Path"
    expected = "a path (str or os.PathLike)"

    def convert(self, value: Any) -> _Path:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError()
        if not str(value).strip():
            raise ValueError("empty path")
        return _Path(value).expanduser()
