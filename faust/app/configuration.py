"""Reading settings from an object, a module or a module's dotted name."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["load_config_source", "warn_already_configured"]


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
