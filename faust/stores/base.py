"""Store base classes: the storage of one table.

A table reads and writes its store like a dict. Writes made by the table go
through :meth:`Store.put` / :meth:`Store.remove`, which also receive the
changelog partition of the key and the changelog message being sent, so a
store can keep per-partition data and know when a write became durable
(:meth:`Store.on_changelog_sent`). Recovery feeds changelog records to
:meth:`Store.apply_changelog_batch`.

Owner: the table. Children: none. Tasks: none (subclasses may add some).

:class:`SerializedStore` is the base of stores that keep bytes (custom
stores written for Faust subclass it and implement ``_get``, ``_set``,
``_del``, ``_iterkeys``, ``_itervalues``, ``_iteritems``, ``_size``,
``_contains`` and ``_clear``).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Union

from mode import Service
from yarl import URL

from ..types import TP, AppT, CodecArg, EventT, FutureMessage, StoreT
from ..utils.collections import DictMethods

if TYPE_CHECKING:  # pragma: no cover
    from ..types.models import ModelArg
    from ..types.tables import CollectionT

__all__ = ["Store", "SerializedStore"]


def _hashable(key: Any) -> Any:
    # JSON gives lists back for tuple keys (windowed keys are tuples too)
    if isinstance(key, list):
        return tuple(_hashable(part) for part in key)
    return key


class Store(Service, DictMethods, StoreT):
    """Base class of table stores.

    Arguments:
        url: the store URL (``memory://``, ``rocksdb://``...).
        app: the app.
        table: the table this store belongs to.
        table_name: name of the table (default: ``table.name``).
        key_type: type of keys.
        value_type: type of values.
        key_serializer: codec of keys.
        value_serializer: codec of values.
        options: store-specific options (the table's ``options=``).
    """

    #: True: the table asks the producer to call :meth:`on_changelog_sent`
    #: once each changelog record it wrote is stored by the broker.
    track_changelog_acks: ClassVar[bool] = True

    def __init__(
        self,
        url: Union[str, URL],
        app: AppT,
        table: CollectionT,
        *,
        table_name: str = "",
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        options: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        Service.__init__(self, **kwargs)
        self.url = url if isinstance(url, URL) else URL(str(url))
        self.app = app
        self.table = table
        self.table_name = table_name or table.name
        self.key_type = key_type
        self.value_type = value_type
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer
        self.options = dict(options) if options else None

    # -- writes made by the table -------------------------------------------

    def put(
        self, key: Any, value: Any, partition: int, fut: Optional[FutureMessage]
    ) -> None:
        """Store ``value`` for ``key``, a key of changelog ``partition``.

        ``fut`` is the changelog message being sent for this write.
        """
        self[key] = value

    def remove(self, key: Any, partition: int, fut: Optional[FutureMessage]) -> None:
        """Delete ``key`` (missing keys are ignored)."""
        self.pop(key, None)

    def on_changelog_sent(self, fut: FutureMessage) -> None:
        """A changelog record written by the table is stored by the broker."""
        metadata = fut.result()
        self.set_persisted_offset(metadata.topic_partition, metadata.offset)

    def keys_by_partition(self, partitions: set[int]) -> Iterator[tuple[int, Any]]:
        """``(partition, key)`` for the keys of changelog ``partitions``.

        Stores that do not know the partition of keys give none.
        """
        return iter(())

    def flush(self) -> None:
        """Make what the store keeps in memory durable (no-op by default)."""

    # -- changelog bookkeeping -----------------------------------------------

    def persisted_offset(self, tp: TP) -> Optional[int]:
        """The last changelog offset reflected in the store (None: unknown)."""
        return None

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Record that changelog records up to ``offset`` are in the store."""

    async def need_active_standby_for(self, tp: TP) -> bool:
        """False if this store cannot serve ``tp`` on this worker."""
        return True

    @abc.abstractmethod
    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        """Apply changelog events (a ``None`` value deletes the key)."""

    def reset_state(self) -> None:
        """Forget the local state (it is rebuilt from the changelog)."""

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """The table now holds the changelog partitions ``assigned``."""

    async def on_recovery_completed(
        self, active_tps: set[TP], standby_tps: set[TP]
    ) -> None:
        """Recovery finished: the store holds ``active_tps`` and ``standby_tps``."""

    async def backup_partition(
        self, tp: Union[TP, int], flush: bool = True, purge: bool = False, keep: int = 1
    ) -> None:
        """Not supported by this store."""
        raise NotImplementedError(f"{type(self).__name__} has no backups")

    def restore_backup(
        self, tp: Union[TP, int], latest: bool = True, backup_id: int = 0
    ) -> None:
        """Not supported by this store."""
        raise NotImplementedError(f"{type(self).__name__} has no backups")

    # -- serialization ---------------------------------------------------------

    def _encode_key(self, key: Any) -> bytes:
        payload = self.app.serializers.dumps_key(
            self.key_type, key, serializer=self.key_serializer
        )
        if payload is None:
            raise TypeError(f"Table {self.table_name!r}: key cannot be None")
        return payload

    def _encode_value(self, value: Any) -> Optional[bytes]:
        return self.app.serializers.dumps_value(
            self.value_type, value, serializer=self.value_serializer
        )

    def _decode_key(self, key: Optional[bytes]) -> Any:
        return _hashable(
            self.app.serializers.loads_key(
                self.key_type, key, serializer=self.key_serializer
            )
        )

    def _decode_value(self, value: Optional[bytes]) -> Any:
        return self.app.serializers.loads_value(
            self.value_type, value, serializer=self.value_serializer
        )

    def _repr_info(self) -> str:
        return f"table_name={self.table_name} url={self.url}"

    @property
    def label(self) -> str:
        """``StoreName: url``."""
        return f"{type(self).__name__}: {self.url}"


class SerializedStore(Store):
    """A store of bytes: keys and values are serialized on the way in.

    Subclasses implement the ``_``-prefixed operations on bytes.
    """

    @abc.abstractmethod
    def _get(self, key: bytes) -> Optional[bytes]: ...

    @abc.abstractmethod
    def _set(self, key: bytes, value: Optional[bytes]) -> None: ...

    @abc.abstractmethod
    def _del(self, key: bytes) -> None: ...

    @abc.abstractmethod
    def _iterkeys(self) -> Iterator[bytes]: ...

    @abc.abstractmethod
    def _itervalues(self) -> Iterator[bytes]: ...

    @abc.abstractmethod
    def _iteritems(self) -> Iterator[tuple[bytes, bytes]]: ...

    @abc.abstractmethod
    def _size(self) -> int: ...

    @abc.abstractmethod
    def _contains(self, key: bytes) -> bool: ...

    @abc.abstractmethod
    def _clear(self) -> None: ...

    def __getitem__(self, key: Any) -> Any:
        value = self._get(self._encode_key(key))
        if value is None:
            raise KeyError(key)
        return self._decode_value(value)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._set(self._encode_key(key), self._encode_value(value))

    def __delitem__(self, key: Any) -> None:
        self._del(self._encode_key(key))

    def __iter__(self) -> Iterator[Any]:
        decode = self._decode_key
        for key in self._iterkeys():
            yield decode(key)

    def __len__(self) -> int:
        return self._size()

    def __contains__(self, key: object) -> bool:
        return self._contains(self._encode_key(key))

    def clear(self) -> None:
        """Delete every key."""
        self._clear()

    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        """Write the raw changelog bytes (a ``None`` value deletes the key)."""
        for event in batch:
            message = event.message
            if message.key is None:
                continue  # compacted changelogs have keys: skip garbage
            if message.value is None:
                self._del(message.key)
            else:
                self._set(message.key, message.value)
