"""Param types whose values are objects: classes, codecs, credentials, ….

Nothing here imports an implementation when the module is imported:
:class:`Symbol` keeps ``'module:Class'`` strings until the setting is read,
and :class:`Credentials` wraps an :class:`ssl.SSLContext` in
``faust.auth.SSLCredentials`` only on read.
"""

from __future__ import annotations

import enum
import json
import logging
import ssl
from collections.abc import Callable, Iterable, Mapping
from datetime import timezone, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from mode.utils.imports import parse_symbol, symbol_by_name

from faust.exceptions import ImproperlyConfigured
from faust.types.auth import CredentialsT

from .descriptor import Param

if TYPE_CHECKING:  # pragma: no cover
    from .base import SettingsRegistry

__all__ = [
    "Autodiscover",
    "AutodiscoverArg",
    "Codec",
    "Credentials",
    "Dict",
    "Enum",
    "LogHandlers",
    "Severity",
    "SSLContext",
    "Symbol",
    "Timezone",
]

E = TypeVar("E", bound=enum.Enum)

AutodiscoverArg = bool | Iterable[str] | Callable[[], Iterable[str]]

#: Import path of the credentials class an SSLContext is wrapped in.
SSL_CREDENTIALS = "faust.auth:SSLCredentials"


class Autodiscover(Param[AutodiscoverArg, AutodiscoverArg]):
    """False, True, a list of package names, or a callable returning one."""

    type_name = "bool / list of str / callable"
    expected = "True/False, a list of package names, or a callable returning a list"

    def convert(self, value: Any) -> AutodiscoverArg:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, bool) or callable(value):
            accepted: AutodiscoverArg = value
            return accepted
        if isinstance(value, str):
            raise ValueError(f"to scan one package use autodiscover=[{value!r}]")
        if isinstance(value, Iterable):
            names = list(value)
            if all(isinstance(name, str) for name in names):
                return names
        raise TypeError()


class Dict(Param[str | Mapping[str, Any], Mapping[str, Any]]):
    """A mapping; a string is parsed as a JSON object."""

    type_name = "dict"
    expected = "a dict, or a string holding a JSON object"

    def convert(self, value: Any) -> Mapping[str, Any]:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON: {exc}") from None
        if isinstance(value, Mapping):
            return value
        raise TypeError()


class LogHandlers(Param[Iterable[logging.Handler], list[logging.Handler]]):
    """A list of :class:`logging.Handler` instances (default: empty list)."""

    type_name = "list of logging.Handler"
    expected = "a list of logging.Handler instances"

    def __init__(self, **kwargs: Any) -> None:
        # A fresh list per Settings instance that stays put: appending to
        # conf.loghandlers must survive later configuration changes.
        kwargs.setdefault("on_default", lambda conf: [])
        kwargs.setdefault("stable_default", True)
        kwargs.setdefault("default_doc", "``[]``")
        super().__init__(**kwargs)

    def convert(self, value: Any) -> list[logging.Handler]:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise TypeError()
        handlers = list(value)
        for handler in handlers:
            if not isinstance(handler, logging.Handler):
                raise TypeError(f"{handler!r} is not a logging.Handler")
        return handlers


class Timezone(Param[str | tzinfo, tzinfo]):
    """A tzinfo, or an IANA name (``'Europe/Oslo'``) looked up with zoneinfo.

    ``'UTC'`` is :data:`datetime.timezone.utc` and needs no time zone
    database (Faust required pytz here).
    """

    type_name = "tzinfo"
    expected = "a tzinfo or a time zone name such as 'UTC' or 'Europe/Oslo'"

    def convert(self, value: Any) -> tzinfo:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, tzinfo):
            return value
        if not isinstance(value, str):
            raise TypeError()
        name = value.strip()
        if name.upper() in ("UTC", "Z"):
            return timezone.utc
        import zoneinfo

        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone") from None


class Enum(Param[str | E, E]):
    """A member of ``enum_type``, given as member, value or name (any case)."""

    def __init__(self, enum_type: type[E], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enum_type = enum_type
        self.type_name = enum_type.__name__

    def convert(self, value: Any) -> E:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, self.enum_type):
            return value
        if not isinstance(value, str):
            raise TypeError()
        term = value.strip().lower()
        for member in self.enum_type:
            if term in (str(member.value).lower(), member.name.lower()):
                return member
        raise ValueError()

    def describe_expected(self) -> str:
        """What this setting accepts, for error messages."""
        return "one of " + ", ".join(repr(m.value) for m in self.enum_type)


class Symbol(Param[str | Any, Any]):
    """A class (or callable), or its import path, imported on first read.

    Paths may be ``'package.module:Name'`` or ``'package.module.Name'``.
    """

    type_name = "class or import path"
    expected = "a class, or an import path such as 'package.module:Class'"

    def convert(self, value: Any) -> Any:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, str):
            path = value.strip()
            if not path:
                raise ValueError("empty path")
            parse_symbol(path)  # raises ValueError for a malformed path
            return path
        if callable(value):
            return value
        raise TypeError()

    def prepare_get(self, conf: SettingsRegistry, value: Any) -> Any:
        """Finish a stored value on read."""
        if not isinstance(value, str):
            return value
        try:
            return symbol_by_name(value)
        except (ImportError, AttributeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"Setting {self.name!r}: cannot import {value!r}: {exc}"
            ) from exc

    def peek(self, conf: SettingsRegistry) -> Any:
        """Return the class or the import path as given: nothing is imported."""
        return self.raw(conf)


class Credentials(Param[Any, Any]):
    """Broker credentials (``faust.SASLCredentials``, …) or an SSLContext.

    An :class:`ssl.SSLContext` is wrapped in ``faust.auth.SSLCredentials``
    when the setting is read.
    """

    type_name = "Credentials"
    expected = (
        "a credentials object (faust.SASLCredentials, faust.GSSAPICredentials, "
        "faust.SSLCredentials, faust.OAuthCredentials) or an ssl.SSLContext"
    )

    def convert(self, value: Any) -> Any:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, (CredentialsT, ssl.SSLContext)):
            return value
        raise TypeError()

    def prepare_get(self, conf: SettingsRegistry, value: Any) -> Any:
        """Finish a stored value on read."""
        if not isinstance(value, ssl.SSLContext):
            return value
        credentials: Any = symbol_by_name(SSL_CREDENTIALS)(value)
        if conf._values.get(self.name) is value:
            conf._values[self.name] = credentials  # wrap once, keep identity
        return credentials


class SSLContext(Param[ssl.SSLContext, ssl.SSLContext]):
    """An :class:`ssl.SSLContext`."""

    type_name = "ssl.SSLContext"
    expected = "an ssl.SSLContext"

    def convert(self, value: Any) -> ssl.SSLContext:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, ssl.SSLContext):
            return value
        raise TypeError()


class Codec(Param[Any, Any]):
    """A codec name (``'json'``, ``'json|binary'``) or a Codec instance."""

    type_name = "codec name or Codec"
    expected = "a codec name such as 'json', or a Codec instance"

    def convert(self, value: Any) -> Any:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("empty name")
            return value.strip()
        if callable(getattr(value, "dumps", None)) and callable(
            getattr(value, "loads", None)
        ):
            return value
        raise TypeError()


class Severity(Param[int | str, int | str]):
    """A logging level: name (``'WARN'``, any case) or number."""

    type_name = "log level"
    expected = "a logging level name such as 'INFO' or 'WARNING', or an int"

    def convert(self, value: Any) -> int | str:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        if isinstance(value, bool):
            raise TypeError()
        if isinstance(value, int):
            if value < 0:
                raise ValueError()
            return value
        if isinstance(value, str):
            name = value.strip().upper()
            if isinstance(logging.getLevelName(name), int):
                return name
            raise ValueError()
        raise TypeError()
