"""Every Param type, in one namespace (``params.Bool``, ``params.Symbol``, …).

The :class:`Param` descriptor is defined in :mod:`.descriptor`, plain value
types in :mod:`.scalars` and object types in :mod:`.converters`; declare new
settings with the names exported here::

    from faust.types.settings import Settings, params, sections

    class MySettings(Settings):
        my_timeout = params.Seconds(
            section=sections.Common,
            env_name="MY_TIMEOUT",
            default=10.0,
            doc="How long to wait for the thing.",
        )
"""

from __future__ import annotations

from .converters import (
    SSL_CREDENTIALS,
    Autodiscover,
    AutodiscoverArg,
    Codec,
    Credentials,
    Dict,
    Enum,
    LogHandlers,
    Severity,
    SSLContext,
    Symbol,
    Timezone,
)
from .descriptor import DefaultFactory, GetHook, Param
from .scalars import (
    BOOLEAN_TERMS,
    DEFAULT_BROKER_SCHEME,
    URL,
    Bool,
    BrokerArg,
    BrokerList,
    Int,
    Path,
    Port,
    Seconds,
    SecondsArg,
    Str,
    UnsignedInt,
    URLArg,
    Version,
    to_bool,
)

__all__ = [
    "Autodiscover",
    "AutodiscoverArg",
    "BOOLEAN_TERMS",
    "Bool",
    "BrokerArg",
    "BrokerList",
    "Codec",
    "Credentials",
    "DEFAULT_BROKER_SCHEME",
    "DefaultFactory",
    "Dict",
    "Enum",
    "GetHook",
    "Int",
    "LogHandlers",
    "Param",
    "Path",
    "Port",
    "SSLContext",
    "SSL_CREDENTIALS",
    "Seconds",
    "SecondsArg",
    "Severity",
    "Str",
    "Symbol",
    "Timezone",
    "URL",
    "URLArg",
    "UnsignedInt",
    "Version",
    "to_bool",
]
