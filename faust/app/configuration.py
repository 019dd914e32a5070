"""Reading settings from an object, a module or a module's dotted name."""

from __future__ import annotations

import importlib
import os
import typing
from collections.abc import Mapping
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..stores import by_url as store_by_url
from ..transport import by_url

if typing.TYPE_CHECKING:  # pragma: no cover
    from ..types.settings import Settings

__all__ = [
    "load_config_source",
    "load_settings",
    "strict_access_error",
    "validate",
    "warn_already_configured",
]


def load_config_source(source: Any) -> dict[str, Any]:
    """The settings found in ``source``.

    A string is imported (``"proj.settings"`` or ``"proj.settings:Config"``);
    a mapping is used as is; any other object contributes its public
    attributes whose names are settings, deprecated ones included (so a
    module's imports are ignored).
    """
    from ..types.settings import Settings

    if isinstance(source, str):
        source = _import(source)
    if isinstance(source, Mapping):
        items = dict(source)
    else:
        items = {
            name: getattr(source, name)
            for name in dir(source)
            if not name.startswith("_")
        }
    # Deprecated names (``url``) count too: they warn and set their successor.
    known = set(Settings.SETTINGS) | set(Settings.COMPAT_ALIASES)
    return {key: value for key, value in items.items() if key in known}


def _import(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


def warn_already_configured() -> None:
    """Warn that settings are being changed after the app was configured."""
    import warnings

    from ..exceptions import AlreadyConfiguredWarning

    warnings.warn(
        AlreadyConfiguredWarning(
            "config_from_object called after the app was configured: "
            "settings already read keep their old values"
        ),
        stacklevel=3,
    )


def strict_access_error() -> Optional[ImproperlyConfigured]:
    """The error for reading settings before ``finalize()`` with FAUST_STRICT set."""
    if os.environ.get("FAUST_STRICT", os.environ.get("F_STRICT")):
        return ImproperlyConfigured(
            "App configuration accessed before app.finalize() (FAUST_STRICT is set)"
        )
    return None


def load_settings(
    app_id: str,
    options: Mapping[str, Any],
    source: Any,
    *,
    settings_cls: type[Settings],
) -> Settings:
    """The app's settings (of ``settings_cls``): its options, then the config source."""
    if source is not None:
        options = {**options, **load_config_source(source)}
    return settings_cls(app_id, **options)


def validate(app_id: str, conf: Settings) -> None:
    """Fail now on what would fail later: no app id, an unknown broker or store.

    Raises:
        ImproperlyConfigured: the configuration cannot work.
    """
    if not app_id:
        raise ImproperlyConfigured("App requires an id!")
    for url in (*conf.broker_consumer, *conf.broker_producer):
        by_url(url)
    store_by_url(conf.store)
