r"""The ``rocksdb://`` store: a table kept on disk, one database per partition.

Layout: ``{tabledir}/{name}-{partition}.db`` where ``name`` is the URL path
(``rocksdb://counts``) or the table name. Keys and values are stored as the
exact bytes of the changelog records, so recovery writes changelog records
without decoding them, and each database also holds the offset of the last
changelog record it reflects (key ``b"__faust\x00offset__"``): a restarted
worker recovers only the changelog records written after it.

A value written by the table reaches the database only once its changelog
record is stored by the broker (until then it is served from memory), so the
database never holds a write the changelog lost: replaying the changelog
from the stored offset always converges to the changelog's state. With
``processing_guarantee='exactly_once'`` values wait for the transaction
commit instead.

Tables whose changelog records are operations (set tables) write through.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Optional

from .._context import current_event
from ..types import TP, EventT, FutureMessage
from . import base
from .rocksdb_options import RocksDBOptions, import_rocksdict

__all__ = ["Store"]

OFFSET_KEY = b"__faust\x00offset__"
_DELETED: Any = object()


class Store(base.SerializedStore):
    """Table storage in RocksDB (through the ``rocksdict`` package).

    Owner: the table. Children: none. Tasks: none. ``on_stop`` writes the
    offsets and closes the databases.

    Arguments:
        key_index_size: keys whose partition is remembered (default: the
            ``table_key_index_size`` setting).
        options: :class:`~.rocksdb_options.RocksDBOptions` arguments.
    """

    #: Attempts to open a database locked by another process, and the pause.
    open_retries = 30
    open_retry_delay = 1.0

    def __init__(
        self,
        url: Any,
        app: Any,
        table: Any,
        *,
        key_index_size: Optional[int] = None,
        options: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        self._rocksdict = import_rocksdict()
        super().__init__(url, app, table, options=options, **kwargs)
        self.rocksdb_options = RocksDBOptions(**(options or {}))
        self.key_index_size = key_index_size or app.conf.table_key_index_size
        self._dbs: dict[int, Any] = {}
        self._key_index: dict[bytes, int] = {}
        # key bytes -> (key, value or _DELETED, changelog message)
        self._pending: dict[bytes, tuple[Any, Any, Any]] = {}
        self._acked: list[tuple[int, bytes, Optional[bytes], Any, int]] = []
        self._offsets: dict[int, int] = {}
        self._dirty_offsets: set[int] = set()
        self._state_changelog = bool(getattr(table, "changelog_is_state", True))
        guarantee = getattr(app.conf.processing_guarantee, "value", "")
        self._defer_to_commit = guarantee == "exactly_once"

    # -- paths and databases ---------------------------------------------------

    @property
    def path(self) -> Path:
        """The directory holding the databases (the ``tabledir`` setting)."""
        return Path(self.app.conf.tabledir)

    @property
    def basename(self) -> str:
        """Name prefix of the databases (URL path, else the table name)."""
        name = f"{self.url.host or ''}{self.url.path}".strip("/")
        return name or self.table_name

    def partition_path(self, partition: int) -> Path:
        """Path of the database of ``partition``."""
        return self.path / f"{self.basename}-{partition}.db"

    def _open(self, partition: int) -> Any:
        self.path.mkdir(parents=True, exist_ok=True)
        return self.rocksdb_options.open(
            self._rocksdict, str(self.partition_path(partition))
        )

    async def _open_with_retries(self, partition: int) -> Any:
        for attempt in range(self.open_retries):
            try:
                return self._open(partition)
            except Exception as exc:
                if "lock" not in str(exc).lower() or attempt + 1 >= self.open_retries:
                    raise self._open_error(partition, exc) from exc
                self.log.info(
                    "%s partition %d is locked; retrying in %.1fs",
                    self.table_name,
                    partition,
                    self.open_retry_delay,
                )
                await asyncio.sleep(self.open_retry_delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _open_error(self, partition: int, exc: Exception) -> Exception:
        path = self.partition_path(partition)
        if "lock" in str(exc).lower():
            return RuntimeError(
                f"Table {self.table_name!r}: the RocksDB database {path} is "
                "locked by another process. Is another worker using the same "
                "data directory? Give each worker its own --datadir."
            )
        return RuntimeError(
            f"Table {self.table_name!r}: cannot open RocksDB database {path}: {exc}"
        )

    def _db_for_partition(self, partition: int) -> Any:
        db = self._dbs.get(partition)
        if db is None:
            db = self._dbs[partition] = self._open(partition)
        return db

    # -- reads -----------------------------------------------------------------

    def _remember(self, key: bytes, partition: int) -> None:
        index = self._key_index
        if key not in index and len(index) >= self.key_index_size:
            del index[next(iter(index))]
        index[key] = partition

    def _get(self, key: bytes) -> Optional[bytes]:
        dbs = self._dbs
        event = current_event()
        if event is not None:
            db = dbs.get(event.message.partition)
            if db is not None:
                value = db.get(key)
                if value is not None:
                    return value  # type: ignore[no-any-return]  # rocksdict: bytes
        partition = self._key_index.get(key)
        if partition is not None and partition in dbs:
            value = dbs[partition].get(key)
            if value is not None:
                return value  # type: ignore[no-any-return]  # rocksdict: bytes
        for partition, db in dbs.items():
            value = db.get(key)
            if value is not None:
                self._remember(key, partition)
                return value  # type: ignore[no-any-return]  # rocksdict: bytes
        return None

    def __getitem__(self, key: Any) -> Any:
        encoded = self._encode_key(key)
        entry = self._pending.get(encoded)
        if entry is not None:
            if entry[1] is _DELETED:
                raise KeyError(key)
            return entry[1]
        value = self._get(encoded)
        if value is None:
            raise KeyError(key)
        return self._decode_value(value)

    def __contains__(self, key: object) -> bool:
        encoded = self._encode_key(key)
        entry = self._pending.get(encoded)
        if entry is not None:
            return entry[1] is not _DELETED
        return self._get(encoded) is not None

    def _iteritems(self) -> Iterator[tuple[bytes, bytes]]:
        pending = self._pending
        for db in list(self._dbs.values()):
            for key, value in db.items():
                if key != OFFSET_KEY and key not in pending:
                    yield key, value

    def _iterkeys(self) -> Iterator[bytes]:
        for key, _ in self._iteritems():
            yield key

    def _itervalues(self) -> Iterator[bytes]:
        for _, value in self._iteritems():
            yield value

    def items(self) -> Any:
        """``(key, value)`` pairs of every held partition."""
        return list(self._items())

    def _items(self) -> Iterator[tuple[Any, Any]]:
        decode_key, decode_value = self._decode_key, self._decode_value
        for key, value in self._iteritems():
            yield decode_key(key), decode_value(value)
        for key, value, _ in list(self._pending.values()):
            if value is not _DELETED:
                yield key, value

    def __iter__(self) -> Iterator[Any]:
        for key, _ in self._items():
            yield key

    def values(self) -> Any:
        """Values of every held partition."""
        return [value for _, value in self._items()]

    def _size(self) -> int:
        return sum(1 for _ in self._items())

    def _contains(self, key: bytes) -> bool:
        return self._get(key) is not None

    # -- writes ----------------------------------------------------------------

    def _set(self, key: bytes, value: Optional[bytes]) -> None:
        event = current_event()
        partition = event.message.partition if event is not None else None
        if partition is None or partition < 0:
            partition = self._key_index.get(key)
        if partition is None:
            raise KeyError(
                f"Table {self.table_name!r}: no partition for this write "
                "(write inside a stream, or with use_partitioner=True)"
            )
        self._write(partition, key, value)

    def _write(self, partition: int, key: bytes, value: Optional[bytes]) -> None:
        db = self._db_for_partition(partition)
        if value is None:
            db.delete(key)
        else:
            db[key] = value
        self._remember(key, partition)

    def _del(self, key: bytes) -> None:
        for db in self._dbs.values():
            db.delete(key)

    def _clear(self) -> None:
        raise NotImplementedError(
            "rocksdb:// tables cannot be cleared: delete keys one by one, or "
            "reset the table (faust reset)"
        )

    def put(
        self, key: Any, value: Any, partition: int, fut: Optional[FutureMessage]
    ) -> None:
        """Keep ``value`` in memory until its changelog record is durable."""
        if fut is None or not self._state_changelog:
            self._write(partition, self._encode_key(key), self._encode_value(value))
            return
        message = fut.message
        self._pending[message.key] = (key, value, message)
        self._remember(message.key, partition)

    def remove(self, key: Any, partition: int, fut: Optional[FutureMessage]) -> None:
        """Delete ``key`` once its changelog tombstone is durable."""
        if fut is None or not self._state_changelog:
            self._write(partition, self._encode_key(key), None)
            return
        message = fut.message
        self._pending[message.key] = (key, _DELETED, message)

    def on_changelog_sent(self, fut: FutureMessage) -> None:
        """Move a durable write from memory to the database."""
        metadata = fut.result()
        message = fut.message
        partition = metadata.partition
        if self._state_changelog:
            if self._defer_to_commit:
                self._acked.append(
                    (partition, message.key, message.value, message, metadata.offset)
                )
                return
            db = self._dbs.get(partition)
            if db is None:
                return  # the partition was revoked meanwhile
            if message.value is None:
                db.delete(message.key)
            else:
                db[message.key] = message.value
            entry = self._pending.get(message.key)
            if entry is not None and entry[2] is message:
                del self._pending[message.key]
        self._offsets[partition] = metadata.offset
        self._dirty_offsets.add(partition)

    def flush(self) -> None:
        """Write deferred values and the changelog offsets to the databases."""
        acked, self._acked = self._acked, []
        for partition, key, value, message, offset in acked:
            db = self._dbs.get(partition)
            if db is None:
                continue
            if value is None:
                db.delete(key)
            else:
                db[key] = value
            self._offsets[partition] = max(self._offsets.get(partition, -1), offset)
            self._dirty_offsets.add(partition)
            entry = self._pending.get(key)
            if entry is not None and entry[2] is message:
                del self._pending[key]
        for partition in self._dirty_offsets:
            db = self._dbs.get(partition)
            if db is not None:
                db[OFFSET_KEY] = str(self._offsets[partition]).encode()
        self._dirty_offsets.clear()

    # -- changelog bookkeeping -------------------------------------------------

    def persisted_offset(self, tp: TP) -> Optional[int]:
        """Offset of the last changelog record of ``tp`` in the database."""
        known = self._offsets.get(tp.partition)
        if known is not None:
            return known
        raw = self._db_for_partition(tp.partition).get(OFFSET_KEY)
        return int(raw) if raw is not None else None

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Store the offset of the last changelog record of ``tp`` now."""
        self._offsets[tp.partition] = offset
        self._db_for_partition(tp.partition)[OFFSET_KEY] = str(offset).encode()

    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        """Write changelog records (and their offset) atomically per partition."""
        batches: dict[int, Any] = {}
        offsets: dict[int, int] = {}
        new_batch = self._rocksdict.WriteBatch
        for event in batch:
            message = event.message
            partition = message.partition
            wb = batches.get(partition)
            if wb is None:
                wb = batches[partition] = new_batch(raw_mode=True)
            offsets[partition] = message.offset
            if message.key is None:
                continue  # compacted changelogs have keys: skip garbage
            if message.value is None:
                wb.delete(message.key)
            else:
                wb.put(message.key, message.value)
        for partition, wb in batches.items():
            wb.put(OFFSET_KEY, str(offsets[partition]).encode())
            self._db_for_partition(partition).write(wb)
            self._offsets[partition] = offsets[partition]
            self._dirty_offsets.discard(partition)

    def keys_by_partition(self, partitions: set[int]) -> Iterator[tuple[int, Any]]:
        """``(partition, key)`` for the keys stored for changelog ``partitions``."""
        decode = self._decode_key
        pending = self._pending
        for partition in sorted(partitions):
            db = self._dbs.get(partition)
            if db is not None:
                for key in db.keys():
                    if key != OFFSET_KEY and key not in pending:
                        yield partition, decode(key)
        for key, value, message in list(pending.values()):
            if value is not _DELETED and message.partition in partitions:
                yield message.partition, key

    async def need_active_standby_for(self, tp: TP) -> bool:
        """False if another process holds the database of ``tp``."""
        if tp.partition in self._dbs:
            return True
        try:
            self._dbs[tp.partition] = self._open(tp.partition)
        except Exception as exc:
            if "lock" in str(exc).lower():
                return False
            raise
        return True

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """Open the databases of ``assigned`` partitions, close the others."""
        self.flush()
        keep = {tp.partition for tp in assigned}
        for partition in list(self._dbs):
            if partition not in keep:
                self._close(partition)
        for partition in sorted(keep):
            if partition not in self._dbs:
                self._dbs[partition] = await self._open_with_retries(partition)

    def _close(self, partition: int) -> None:
        db = self._dbs.pop(partition)
        self._offsets.pop(partition, None)
        self._dirty_offsets.discard(partition)
        for key, (_, _, message) in list(self._pending.items()):
            if message.partition == partition:
                del self._pending[key]
        self._key_index = {k: p for k, p in self._key_index.items() if p != partition}
        db.close()

    async def on_stop(self) -> None:
        """Write the offsets and close every database."""
        self.flush()
        for partition in list(self._dbs):
            self._close(partition)

    def reset_state(self) -> None:
        """Delete the databases of this table (rebuilt from the changelog)."""
        for partition in list(self._dbs):
            self._close(partition)
        self._pending.clear()
        for path in self.path.glob(f"{self.basename}-*.db"):
            shutil.rmtree(path, ignore_errors=True)

    def _repr_info(self) -> str:
        return f"table_name={self.table_name} path={self.path} dbs={sorted(self._dbs)}"
