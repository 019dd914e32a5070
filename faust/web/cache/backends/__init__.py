"""Cache backends, looked up by the scheme of the ``cache`` setting.

``memory://`` (per process), ``redis://host:port/db`` and
``rediscluster://host:port`` (need :pypi:`redis`). Others may be added by
packages through the ``faust.web.cache`` entry point namespace.
"""

from __future__ import annotations

from typing import Union

from mode.utils.imports import FactoryMapping
from yarl import URL

from ....exceptions import ImproperlyConfigured
from ....types.web import CacheBackendT

__all__ = ["BACKENDS", "by_name", "by_url"]

BACKENDS: FactoryMapping[type[CacheBackendT]] = FactoryMapping(
    memory="faust.web.cache.backends.memory:CacheBackend",
    redis="faust.web.cache.backends.redis:CacheBackend",
    rediscluster="faust.web.cache.backends.redis:CacheBackend",
)
BACKENDS.include_setuptools_namespace("faust.web.cache")


def by_name(name: str) -> type[CacheBackendT]:
    """The backend class registered as ``name``."""
    try:
        return BACKENDS.by_name(name)
    except (KeyError, ModuleNotFoundError) as exc:
        raise ImproperlyConfigured(f"Unknown cache backend {name!r}: {exc}") from exc


def by_url(url: Union[str, URL]) -> type[CacheBackendT]:
    """The backend class for a URL such as ``redis://localhost:6379/0``."""
    return by_name(URL(str(url)).scheme)
