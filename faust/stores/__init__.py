"""Stores: where tables keep their data, looked up by URL scheme.

``memory://`` keeps a table in a dict and rebuilds it from the changelog at
every start; ``rocksdb://`` keeps it on disk (one RocksDB database per
changelog partition, needs the ``rocksdict`` package) and recovers only the
changelog records written since the last run. More stores register through
the ``faust.stores`` entry point group.
"""

from __future__ import annotations

from typing import Union

from mode.utils.imports import FactoryMapping
from yarl import URL

from ..exceptions import ImproperlyConfigured
from ..types.stores import StoreT

__all__ = ["STORES", "by_name", "by_url"]

STORES: FactoryMapping[type[StoreT]] = FactoryMapping(
    memory="faust.stores.memory:Store",
    rocksdb="faust.stores.rocksdb:Store",
)
STORES.include_setuptools_namespace("faust.stores")

#: stores of faust-streaming this package does not have, and why
NOT_PROVIDED: dict[str, str] = {
    "aerospike": "faust-streaming's Aerospike store; its aerospike_* settings "
    "have no effect here",
}


def by_name(name: str) -> type[StoreT]:
    """The store class registered for a scheme name (``'memory'``, ``'rocksdb'``).

    Raises:
        ImproperlyConfigured: unknown scheme, or the store cannot be imported.
    """
    if name not in STORES.aliases:
        STORES._maybe_finalize()  # entry points may add schemes
    if name not in STORES.aliases:
        known = ", ".join(sorted(f"{k}://" for k in STORES.aliases))
        if name in NOT_PROVIDED:
            raise ImproperlyConfigured(
                f"The {name}:// table store is not provided by this package "
                f"({NOT_PROVIDED[name]}): use one of {known}"
            )
        raise ImproperlyConfigured(
            f"Unknown table store {name + '://'!r}: use one of {known}"
        )
    try:
        return STORES.by_name(name)
    except (ImportError, AttributeError) as exc:
        raise ImproperlyConfigured(
            f"The {name}:// table store could not be loaded: {exc}"
        ) from exc


def by_url(url: Union[str, URL]) -> type[StoreT]:
    """The store class for a store URL (its scheme), e.g. ``'rocksdb://'``."""
    scheme = URL(str(url)).scheme
    if not scheme:
        raise ImproperlyConfigured(
            f"Table store URL {str(url)!r} has no scheme: use e.g. 'memory://' "
            "or 'rocksdb://'"
        )
    return by_name(scheme)
