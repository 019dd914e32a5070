"""Settings every app uses: identity, directories, debug, versioning."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path as _Path
from typing import Any

from faust.types import _env

from . import sections
from .params import Autodiscover, Bool, Path, Seconds, Str, Timezone, Version

__all__ = ["CommonSettings"]


def _default_datadir(conf: Any) -> str:
    return _env.datadir()


def _format_datadir(conf: Any, path: _Path) -> _Path:
    """Expand ``{conf.name}`` (and other ``{conf.x}``) in the data directory."""
    text = str(path)
    if "{" not in text:
        return path
    try:
        return _Path(text.format(conf=conf))
    except (KeyError, IndexError, AttributeError, ValueError):
        return path  # literal braces in a path: keep it as given


def _tabledir_under_appdir(conf: Any, path: _Path) -> _Path:
    return conf.relative_to_appdir(path)  # type: ignore[no-any-return]  # conf: Any


class CommonSettings:
    """Commonly used settings (mixed into :class:`~.settings.Settings`)."""

    autodiscover = Autodiscover(
        section=sections.Common,
        default=False,
        doc="""Find agents, tasks, timers, web views and commands automatically.

        ``False`` (default) imports nothing: the worker only knows about
        decorators in modules that are already imported. ``True`` scans the
        package named by the ``origin`` setting (set by ``faust -A``). A list
        of package names, or a function returning one, scans those packages.

        Scanning imports every module in the packages, so modules must not
        do work (start threads, open connections) at import time. With
        Django (``DJANGO_SETTINGS_MODULE`` set) ``True`` scans every package in
        ``INSTALLED_APPS``.""",
    )

    datadir = Path(
        section=sections.Common,
        env_name="APP_DATADIR",
        on_default=_default_datadir,
        on_get=_format_datadir,
        default_doc=(
            "``'{conf.name}-data'``, or the ``FAUST_DATADIR`` environment "
            "variable (also set by ``faust --datadir``)"
        ),
        related_cli_options={"faust": ["--datadir"]},
        doc="""Directory for the data this instance keeps on disk.

        ``{conf.name}`` in the path is replaced with the app name. Data of
        each app version goes into a subdirectory ``v<version>`` (see
        ``version``). Usually set with ``faust --datadir`` rather than in code.""",
    )

    tabledir = Path(
        section=sections.Common,
        env_name="APP_TABLEDIR",
        default="tables",
        on_get=_tabledir_under_appdir,
        doc="""Directory for local table data (e.g. RocksDB files).

        A relative path is taken relative to the app directory
        (``datadir/v<version>``); reading the setting returns the full path.""",
    )

    debug = Bool(
        section=sections.Common,
        env_name="APP_DEBUG",
        default=False,
        doc="""Development mode: serve the debugging web views.

        Enables the statistics, assignment and graph pages of the web
        server (see ``web_stats_enabled`` and ``web_graph_enabled``). The
        ``faust --debug`` option is separate: it turns on the worker's
        blocking detector and console.""",
    )

    env_prefix = Str.nullable(
        section=sections.Common,
        env_name="APP_ENV_PREFIX",
        version_introduced="1.11",
        doc="""Prefix for the environment variables of all settings.

        With ``env_prefix='MYAPP_'`` the ``broker`` setting is read from
        ``MYAPP_BROKER_URL`` instead of ``BROKER_URL``. The prefix itself is
        read from ``APP_ENV_PREFIX`` (without prefix) first.""",
    )

    id_format = Str(
        section=sections.Common,
        env_name="APP_ID_FORMAT",
        default="{id}-v{self.version}",
        doc="""Template for the app id when ``version`` is greater than 1.

        ``{id}`` is the name given to the app and ``{self}`` the settings.
        The id is the consumer group and the prefix of internal topics.""",
    )

    origin = Str.nullable(
        section=sections.Common,
        doc="""Import path of the project, e.g. ``'proj'``.

        ``faust -A proj.app`` sets it. It is the package scanned when
        ``autodiscover=True``.""",
    )

    timezone = Timezone(
        section=sections.Common,
        env_name="TIMEZONE",
        default=timezone.utc,
        default_doc="``UTC``",
        version_introduced="1.4",
        doc="""Time zone used by ``@app.crontab`` when none is given.

        A :class:`~datetime.tzinfo`, or a name from the IANA database such as
        ``'Europe/Oslo'`` (looked up with :mod:`zoneinfo`). ``'UTC'`` needs
        no time zone database.""",
    )

    version = Version(
        section=sections.Common,
        env_name="APP_VERSION",
        default=1,
        doc="""Version of the app's state (1 or more).

        Increasing it starts a new, isolated instance of the app: the id
        becomes ``<name>-v<version>`` (see ``id_format``), so the consumer
        group, changelog and other internal topics are new, and tables live
        in a new ``datadir/v<version>`` directory. Source topics are not
        affected. Use it after incompatible changes to tables.""",
    )

    cython_optimizations = Bool(
        section=sections.Common,
        env_name="CYTHON_OPTIMIZATIONS",
        default=False,
        version_introduced="0.14.0 (faust-streaming)",
        doc="""Accepted for compatibility; has no effect.

        faust-streaming used it to opt into compiled fast paths. This
        implementation is pure Python.""",
    )

    blocking_timeout = Seconds.nullable(
        section=sections.Common,
        env_name="BLOCKING_TIMEOUT",
        related_cli_options={"faust": ["--blocking-timeout"]},
        doc="""Report when the event loop is blocked for longer than this.

        When set, the worker arms an alarm signal every cycle; if the loop
        does not get back in time the traceback of the blocking code is
        logged. ``None`` (default) disables the detector.""",
    )
