"""App settings: ``faust.Settings`` and the ``Param`` descriptors behind it.

Every setting is declared once, as a :class:`~.params.Param` in the module
of its section (``common``, ``broker``, ``consumer``, ``producer``,
``stream``, ``table``, ``topic``, ``rpc``, ``web``, ``worker``,
``extensions``); :class:`Settings` mixes them together. The settings
reference (``docs/userguide/settings.rst``) is generated from the
descriptors by ``extra/tools/gen_settings_doc.py``.
"""

from __future__ import annotations

from . import params, sections
from .base import CompatAlias, SettingsRegistry
from .converters import AutodiscoverArg
from .params import BrokerArg, Param, SecondsArg, URLArg
from .sections import SECTIONS, Section
from .settings import Settings

__all__ = [
    "AutodiscoverArg",
    "BrokerArg",
    "CompatAlias",
    "Param",
    "SECTIONS",
    "SecondsArg",
    "Section",
    "Settings",
    "SettingsRegistry",
    "URLArg",
    "params",
    "sections",
]
