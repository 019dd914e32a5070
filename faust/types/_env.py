"""Process-wide defaults taken from ``FAUST_*`` / ``F_*`` environment variables.

Each function reads :data:`os.environ` when it is called, never at import
time, so a test (or ``faust --datadir``) may change the environment after
``import faust`` and still be seen. ``FAUST_<NAME>`` wins over ``F_<NAME>``.

* ``FAUST_DATADIR``: :func:`datadir`, default ``"{conf.name}-data"``
* ``FAUST_WORKDIR``: :func:`workdir`, default None (the current directory)
* ``FAUST_DEBUG``: :func:`debug`, default False
* ``FAUST_BLOCKING_TIMEOUT``: :func:`blocking_timeout`, default 10.0
* ``FAUST_CONSOLE_PORT``: :func:`console_port`, default 50101
* ``FAUST_STRICT``: :func:`strict`, default False
* ``FAUST_WEB_PORT``: :func:`web_port`, default 6066
* ``FAUST_WEB_TRANSPORT``: :func:`web_transport`, default ``"tcp://"``
* ``FAUST_WEB_BIND``: :func:`web_bind`, default ``"0.0.0.0"``
* ``FAUST_LOOP``: :func:`loop`, default None

Faust read the bind address from ``FAUST_F_WEB_BIND`` (a doubled prefix);
here ``FAUST_WEB_BIND``/``F_WEB_BIND`` work as documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from faust.exceptions import ImproperlyConfigured

__all__ = [
    "PREFIXES",
    "getenv",
    "datadir",
    "workdir",
    "debug",
    "blocking_timeout",
    "console_port",
    "strict",
    "web_port",
    "web_transport",
    "web_bind",
    "loop",
]

#: Prefixes tried in order for every process variable.
PREFIXES: tuple[str, ...] = ("FAUST_", "F_")

N = TypeVar("N", int, float)

_FALSE_TERMS = frozenset({"", "0", "false", "no", "off"})


def getenv(name: str, default: str | None = None) -> str | None:
    """Return ``FAUST_<name>`` or ``F_<name>`` from the environment.

    Arguments:
        name: variable name without prefix, e.g. ``"DATADIR"``.
        default: returned when neither variable is set.
    """
    environ = os.environ
    for prefix in PREFIXES:
        value = environ.get(prefix + name)
        if value is not None:
            return value
    return default


def _flag(name: str) -> bool:
    value = getenv(name)
    return value is not None and value.strip().lower() not in _FALSE_TERMS


def _number(name: str, default: N, kind: Callable[[str], N]) -> N:
    raw = getenv(name)
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable FAUST_{name}={raw!r} is not a valid "
            f"{getattr(kind, '__name__', 'number')} (default {default})"
        ) from None


def datadir() -> str:
    """Default ``datadir`` setting: ``FAUST_DATADIR`` or ``"{conf.name}-data"``."""
    value = getenv("DATADIR")
    return value if value else "{conf.name}-data"


def workdir() -> str | None:
    """Default ``faust --workdir``: ``FAUST_WORKDIR``, or None (the cwd)."""
    return getenv("WORKDIR") or None


def debug() -> bool:
    """Default ``faust --debug``: true when ``FAUST_DEBUG`` is set and not false."""
    return _flag("DEBUG")


def blocking_timeout() -> float:
    """Default ``faust --blocking-timeout``: ``FAUST_BLOCKING_TIMEOUT`` or 10.0."""
    return _number("BLOCKING_TIMEOUT", 10.0, float)


def console_port() -> int:
    """Default ``faust --console-port`` (aiomonitor): ``FAUST_CONSOLE_PORT``."""
    return _number("CONSOLE_PORT", 50101, int)


def strict() -> bool:
    """True when ``FAUST_STRICT`` is set: ``app.conf`` before finalize() fails."""
    return _flag("STRICT")


def web_port() -> int:
    """Default ``web_port`` setting: ``FAUST_WEB_PORT`` or 6066."""
    return _number("WEB_PORT", 6066, int)


def web_transport() -> str:
    """Default ``web_transport`` setting: ``FAUST_WEB_TRANSPORT`` or tcp://."""
    return getenv("WEB_TRANSPORT") or "tcp://"


def web_bind() -> str:
    """Default ``web_bind`` setting: ``FAUST_WEB_BIND`` or ``0.0.0.0``."""
    return getenv("WEB_BIND") or "0.0.0.0"


def loop() -> str | None:
    """Event loop implementation from ``FAUST_LOOP`` (``aio``, ``uvloop``, …)."""
    return getenv("LOOP") or None
