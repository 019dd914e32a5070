"""Table settings: storage backend, cleanup, standby replicas."""

from __future__ import annotations

from . import sections
from .base import CompatAlias
from .params import URL, Seconds, UnsignedInt

__all__ = ["TableSettings"]


class TableSettings:
    """Table settings (mixed into :class:`~.settings.Settings`)."""

    store = URL(
        section=sections.Common,
        env_name="APP_STORE",
        default="memory://",
        default_doc="``'memory://'``",
        doc="""Storage backend of tables.

        ``memory://`` keeps tables in memory and rebuilds them from the
        changelog on every start: fine for development and tests. Use
        ``rocksdb://`` in production, so tables survive restarts. Other
        backends can be installed as plug-ins.""",
    )

    table_cleanup_interval = Seconds(
        section=sections.Table,
        env_name="TABLE_CLEANUP_INTERVAL",
        default=30.0,
        doc="""Seconds between removals of expired windows from windowed
        tables (this is when ``on_window_close`` callbacks run).""",
    )

    table_key_index_size = UnsignedInt(
        section=sections.Table,
        env_name="TABLE_KEY_INDEX_SIZE",
        default=1000,
        version_introduced="1.7",
        doc="""Size of the cache mapping table keys to partitions (RocksDB).""",
    )

    table_standby_replicas = UnsignedInt(
        section=sections.Table,
        env_name="TABLE_STANDBY_REPLICAS",
        default=1,
        doc="""Number of standby copies of each table partition.

        Standbys are kept up to date on other workers from the changelog,
        so a worker taking over a partition after a failure has little to
        recover.""",
    )

    num_standby_replicas = CompatAlias("table_standby_replicas")
