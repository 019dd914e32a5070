"""Tuning options of the ``rocksdb://`` store and how databases are opened.

The table's ``options=`` mapping gives them, e.g.
``app.Table('counts', store='rocksdb://', options={'write_buffer_size': 1 << 20})``.
Known keys are listed on :class:`RocksDBOptions`; any other key ``name`` is
passed to ``rocksdict.Options.set_<name>(value)``.
"""

from __future__ import annotations

import resource
from collections.abc import Mapping
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..utils.extras import install_hint

__all__ = ["RocksDBOptions", "import_rocksdict"]

_MIB = 1 << 20


def import_rocksdict() -> Any:
    """Import the RocksDB binding, or say how to install it."""
    try:
        import rocksdict
    except ImportError as exc:
        raise ImproperlyConfigured(
            "RocksDB bindings not installed: the rocksdb:// table store needs "
            f"the rocksdict package: {install_hint('rocksdb')} "
            "(or use store='memory://')"
        ) from exc
    return rocksdict


def _default_max_open_files() -> Optional[int]:
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ValueError, OSError):  # pragma: no cover - platform specific
        return None
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return None
    return max(int(soft * 0.9), 16)


class RocksDBOptions:
    """Options used to open the RocksDB database of each table partition.

    Arguments:
        max_open_files: files a database may keep open (default: 90% of the
            process limit).
        write_buffer_size: bytes of a memtable (default 64 MiB).
        max_write_buffer_number: memtables kept in memory (default 3).
        target_file_size_base: bytes of an SST file (default 64 MiB).
        block_cache_size: bytes of the block cache (default 64 MiB).
        bloom_filter_size: bits per key of the bloom filter (default 3;
            0 disables it).
        read_only: open the databases read-only (several apps may read one).
        ttl: seconds after which RocksDB may drop entries (None: never).
        **extra: other ``rocksdict.Options`` setters (``name=value`` calls
            ``set_name(value)``).
    """

    def __init__(
        self,
        *,
        max_open_files: Optional[int] = None,
        write_buffer_size: int = 64 * _MIB,
        max_write_buffer_number: int = 3,
        target_file_size_base: int = 64 * _MIB,
        block_cache_size: int = 64 * _MIB,
        block_cache_compressed_size: Optional[int] = None,
        bloom_filter_size: int = 3,
        read_only: bool = False,
        ttl: Optional[float] = None,
        driver: Optional[str] = None,
        **extra: Any,
    ) -> None:
        if driver not in (None, "rocksdict"):
            raise ImproperlyConfigured(
                f"RocksDB driver {driver!r} is not supported: only 'rocksdict'"
            )
        self.max_open_files = (
            max_open_files if max_open_files is not None else _default_max_open_files()
        )
        self.write_buffer_size = write_buffer_size
        self.max_write_buffer_number = max_write_buffer_number
        self.target_file_size_base = target_file_size_base
        self.block_cache_size = block_cache_size
        # accepted for compatibility: rocksdict has no compressed block cache
        self.block_cache_compressed_size = block_cache_compressed_size
        self.bloom_filter_size = bloom_filter_size
        self.read_only = read_only
        self.ttl = ttl
        self.extra: Mapping[str, Any] = extra

    def to_rocksdict(self, rocksdict: Any) -> Any:
        """Build the ``rocksdict.Options`` (raw mode: keys and values are bytes)."""
        opts = rocksdict.Options(raw_mode=True)
        opts.create_if_missing(True)
        if self.max_open_files is not None:
            opts.set_max_open_files(self.max_open_files)
        opts.set_write_buffer_size(self.write_buffer_size)
        opts.set_max_write_buffer_number(self.max_write_buffer_number)
        opts.set_target_file_size_base(self.target_file_size_base)
        table = rocksdict.BlockBasedOptions()
        table.set_block_cache(rocksdict.Cache(self.block_cache_size))
        if self.bloom_filter_size:
            table.set_bloom_filter(self.bloom_filter_size, False)
        opts.set_block_based_table_factory(table)
        for name, value in self.extra.items():
            setter = getattr(opts, f"set_{name}", None)
            if setter is None:
                raise ImproperlyConfigured(
                    f"Unknown RocksDB option {name!r} (no Options.set_{name})"
                )
            setter(value)
        return opts

    def access_type(self, rocksdict: Any) -> Any:
        """How to open: read-write, read-only or with a TTL."""
        if self.read_only:
            return rocksdict.AccessType.read_only()
        if self.ttl is not None:
            return rocksdict.AccessType.with_ttl(int(self.ttl))
        return rocksdict.AccessType.read_write()

    def open(self, rocksdict: Any, path: str) -> Any:
        """Open (creating if needed) the database at ``path``."""
        return rocksdict.Rdict(
            path,
            self.to_rocksdict(rocksdict),
            access_type=self.access_type(rocksdict),
        )
