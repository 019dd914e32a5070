"""Send a worker's error logs to Sentry (:pypi:`sentry-sdk`).

Example:
    >>> from faust.contrib import sentry
    >>> sentry.setup(app, dsn='https://key@sentry.example.com/1')

Log records at ``loglevel`` (default ``ERROR``) and above, with their
tracebacks, become Sentry events. Needs ``pip install 'faust-ng[sentry]'``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..types import AppT

__all__ = ["handler_from_dsn", "setup"]


def _sentry_sdk() -> Any:
    try:
        return importlib.import_module("sentry_sdk")
    except ImportError:
        raise ImproperlyConfigured(
            "The Sentry integration needs sentry-sdk: pip install 'faust-ng[sentry]'"
        ) from None


def handler_from_dsn(
    dsn: Optional[str] = None,
    workers: int = 5,
    include_paths: Optional[Iterable[str]] = None,
    loglevel: Optional[int] = None,
    qsize: int = 1000,
    **kwargs: Any,
) -> Optional[logging.Handler]:
    """Initialize Sentry for ``dsn``; a logging handler sending records to it.

    Arguments:
        dsn: the project's DSN (None: no handler, nothing initialized).
        workers: accepted for compatibility (sentry-sdk sends from one thread).
        include_paths: module prefixes Sentry shows as "in app".
        loglevel: lowest level sent (default ``logging.ERROR``).
        qsize: events queued before new ones are dropped.
        **kwargs: more ``sentry_sdk.init()`` options.

    Raises:
        ImproperlyConfigured: sentry-sdk is not installed.
    """
    if not dsn:
        return None
    sentry_sdk = _sentry_sdk()
    options: dict[str, Any] = {"transport_queue_size": qsize, **kwargs}
    if include_paths is not None:
        options["in_app_include"] = list(include_paths)
    sentry_sdk.init(dsn=dsn, **options)
    handlers = importlib.import_module("sentry_sdk.integrations.logging")
    handler: logging.Handler = handlers.EventHandler(level=loglevel or logging.ERROR)
    return handler


def setup(
    app: AppT,
    *,
    dsn: Optional[str] = None,
    workers: int = 4,
    max_queue_size: int = 1000,
    loglevel: Optional[int] = None,
    **kwargs: Any,
) -> None:
    """Send ``app``'s error logs to Sentry: adds the handler to ``loghandlers``.

    See :func:`handler_from_dsn` for the arguments; without ``dsn`` nothing
    happens.
    """
    handler = handler_from_dsn(
        dsn=dsn, workers=workers, qsize=max_queue_size, loglevel=loglevel, **kwargs
    )
    if handler is not None:
        conf = app.conf
        # read without marking the setting as used: adding to it is no
        # "changed after it was read" (AlreadyConfiguredWarning)
        current = type(conf).SETTINGS["loghandlers"].read(conf)
        conf.loghandlers = [*current, handler]
