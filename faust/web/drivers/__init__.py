"""Web server drivers, looked up by the scheme of the ``web`` setting."""

from __future__ import annotations

from typing import Union

from mode.utils.imports import FactoryMapping
from yarl import URL

from ...exceptions import ImproperlyConfigured
from ...types.web import WebT

__all__ = ["DRIVERS", "by_name", "by_url"]

DRIVERS: FactoryMapping[type[WebT]] = FactoryMapping(
    aiohttp="faust.web.drivers.aiohttp:Web",
)
DRIVERS.include_setuptools_namespace("faust.web.drivers")


def by_name(name: str) -> type[WebT]:
    """The web driver class registered as ``name`` (``'aiohttp'``).

    Raises:
        ImproperlyConfigured: no such driver.
    """
    try:
        return DRIVERS.by_name(name)
    except ModuleNotFoundError as exc:
        raise ImproperlyConfigured(f"Unknown web driver {name!r}: {exc}") from exc


def by_url(url: Union[str, URL]) -> type[WebT]:
    """The web driver class for a URL such as ``aiohttp://``."""
    scheme = URL(str(url)).scheme
    try:
        return DRIVERS.by_name(scheme)
    except ModuleNotFoundError as exc:
        raise ImproperlyConfigured(f"Unknown web driver {str(url)!r}: {exc}") from exc
