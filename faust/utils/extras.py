"""Optional packages: which extra installs each, and how to say it.

faust's distribution on the package index is ``faust-ng`` (the import name is
``faust``). A feature that needs an optional package imports it when used
and, when it is missing, fails with one line naming the extra, built here so
that every such message names the same distribution.
"""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "EXTRAS", "install_hint"]

#: The distribution name: ``pip install faust-ng``.
DISTRIBUTION = "faust-ng"

#: extra -> the packages it installs (kept in step with pyproject.toml).
EXTRAS: dict[str, tuple[str, ...]] = {
    "rocksdb": ("rocksdict",),
    "rocksdict": ("rocksdict",),
    "redis": ("redis",),
    "confluent": ("confluent_kafka",),
    "prometheus": ("prometheus_client",),
    "statsd": ("statsd",),
    "datadog": ("datadog",),
    "uvloop": ("uvloop",),
    "fast": ("uvloop", "aiohttp"),
    "debug": ("aiomonitor", "setproctitle"),
    "orjson": (),
    "yaml": ("yaml",),
    "fickling": ("fickling",),
    "asgi": ("uvicorn",),
    "fastapi": ("fastapi", "uvicorn"),
    "sentry": ("sentry_sdk",),
    "opentelemetry": ("opentelemetry",),
}


def install_hint(extra: str) -> str:
    """Return the command that installs an extra.

    Arguments:
        extra: the name of the extra, e.g. ``"rocksdb"``.

    Returns:
        For example ``pip install 'faust-ng[rocksdb]'``.

    Raises:
        KeyError: ``extra`` is not an extra of the distribution.

    Example:
        >>> install_hint("redis")
        "pip install 'faust-ng[redis]'"
    """
    if extra not in EXTRAS:
        raise KeyError(extra)
    return f"pip install '{DISTRIBUTION}[{extra}]'"
