"""Transport drivers, looked up by the scheme of the broker URL.

Extra drivers register through the ``faust.transports`` entry point group.
"""

from __future__ import annotations

from typing import Union

from mode.utils.imports import FactoryMapping
from yarl import URL

from ...exceptions import ImproperlyConfigured
from ...types.transports import TransportT

__all__ = ["TRANSPORTS", "by_name", "by_url"]

TRANSPORTS: FactoryMapping[type[TransportT]] = FactoryMapping(
    memory="faust.transport.drivers.memory:Transport",
    kafka="faust.transport.drivers.aiokafka:Transport",
    aiokafka="faust.transport.drivers.aiokafka:Transport",
    confluent="faust.transport.drivers.confluent:Transport",
)
TRANSPORTS.include_setuptools_namespace("faust.transports")


def by_name(name: str) -> type[TransportT]:
    """The transport class registered for a scheme name."""
    known = ", ".join(sorted(f"{k}://" for k in TRANSPORTS.aliases))
    if name not in TRANSPORTS.aliases:
        TRANSPORTS._maybe_finalize()  # entry points may add schemes
    if name not in TRANSPORTS.aliases:
        raise ImproperlyConfigured(
            f"Unknown broker scheme {name + '://'!r}: use one of {known}"
        )
    try:
        return TRANSPORTS.by_name(name)
    except (ImportError, AttributeError) as exc:
        raise ImproperlyConfigured(
            f"The {name}:// transport could not be loaded: {exc}"
        ) from exc


def by_url(url: Union[str, URL]) -> type[TransportT]:
    """The transport class for a broker URL (its scheme)."""
    scheme = URL(str(url)).scheme or "kafka"
    return by_name(scheme)
