"""Click parameter types used by the ``faust`` program's options."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import click
from yarl import URL

__all__ = [
    "LOGLEVELS",
    "CaseInsensitiveChoice",
    "LogLevel",
    "TCPPort",
    "URLParam",
    "WritableDirectory",
    "WritableFilePath",
]

#: ``-l`` choice → :mod:`logging` level name.
LOGLEVELS: Mapping[str, str] = {
    "crit": "CRITICAL",
    "error": "ERROR",
    "warn": "WARNING",
    "info": "INFO",
    "debug": "DEBUG",
}

#: Also accepted by ``-l`` (the full :mod:`logging` names).
_LOGLEVEL_ALIASES: Mapping[str, str] = {
    "critical": "crit",
    "fatal": "crit",
    "warning": "warn",
}

#: A directory that may not exist yet (it is created when needed).
WritableDirectory = click.Path(
    exists=False, file_okay=False, dir_okay=True, writable=True, readable=True
)

#: A file that may not exist yet, e.g. a log file.
WritableFilePath = click.Path(
    exists=False, file_okay=True, dir_okay=False, writable=True, readable=False
)


class CaseInsensitiveChoice(click.Choice):  # type: ignore[type-arg]  # generic in click>=8.2 only
    """A choice matched case-insensitively; the value is the lowercase choice.

    Arguments:
        choices: the accepted values.
    """

    name = "choice"

    def __init__(self, choices: Iterable[Any]) -> None:
        super().__init__([str(c).lower() for c in choices], case_sensitive=False)

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        """Return the lowercase choice matching ``value``."""
        result = super().convert(value, param, ctx)
        return str(result).lower()


class LogLevel(CaseInsensitiveChoice):
    """``crit|error|warn|info|debug`` (any case) → :mod:`logging` level name.

    The full names ``critical`` and ``warning`` are accepted too.
    """

    name = "loglevel"

    def __init__(self) -> None:
        super().__init__(LOGLEVELS)

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        """Return the :mod:`logging` name (``"WARNING"``) for ``value``."""
        if isinstance(value, str):
            value = _LOGLEVEL_ALIASES.get(value.lower(), value)
            if value.upper() in LOGLEVELS.values():
                return value.upper()
        return LOGLEVELS[super().convert(value, param, ctx)]


class TCPPort(click.IntRange):
    """A TCP/IP port number (1-65535)."""

    name = "port"

    def __init__(self) -> None:
        super().__init__(min=1, max=65535)


class URLParam(click.ParamType):  # type: ignore[type-arg]  # generic in click>=8.2 only
    """A URL, converted to :class:`yarl.URL`."""

    name = "url"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> URL:
        """Parse ``value`` as a URL."""
        if isinstance(value, URL):
            return value
        try:
            return URL(str(value))
        except ValueError as exc:
            self.fail(f"{value!r} is not a valid URL: {exc}", param, ctx)
