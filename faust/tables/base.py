"""Collection: the base of tables, a store plus a changelog topic.

Every write to a table goes to its store and to its changelog topic
(``{app.id}-{name}-changelog``), to the partition of the event being
processed: a table is partitioned like the stream that writes it, so the
worker that owns a source partition owns the same changelog partition (the
partition assignor co-partitions them). Tables created with
``use_partitioner=True`` (or global tables) pick the changelog partition
from the key instead, and may be written outside streams.

Recovery (:mod:`faust.tables.recovery`) replays the changelog into the store
after a rebalance, through :meth:`Collection.apply_changelog_batch`.

Owner: the TableManager. Children: the store. Tasks: none (a windowed
:class:`~faust.tables.table.Table` adds its expiry cleaner).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, ClassVar, Optional, Union, cast

from mode import Service, ServiceT
from yarl import URL

from .._context import (
    check_tables_readable,
    current_event,
    get_current_event,
    tables_guard,
)
from ..stores import by_url
from ..types import (
    TP,
    AppT,
    CodecArg,
    EventT,
    FutureMessage,
    SchemaT,
    StoreT,
    TopicT,
)
from ..types.tables import (
    ChangelogEventCallback,
    CollectionT,
    RecoverCallback,
    WindowCloseCallback,
)
from ..types.windows import WindowT
from .changelog import (
    E_OUTSIDE_STREAM,
    serializer_from_type,
    to_key,
    to_value,
    verify_copartitioned,
)

__all__ = ["Collection"]

logger = logging.getLogger(__name__)

_tables_guard = tables_guard.get


class Collection(Service, CollectionT):
    """Base class of tables.

    Arguments:
        app: the app.
        name: name of the table (unique in the app).
        default: factory for the value of missing keys (e.g. ``int``).
        store: store URL (default: the ``store`` setting).
        schema: key/value types and serializers of the changelog.
        key_type: type of keys.
        value_type: type of values.
        partitions: partitions of the changelog (default:
            ``topic_partitions``).
        window: windowing strategy (use ``table.tumbling()`` etc. instead).
        changelog_topic: use this topic as changelog.
        help: description shown by ``faust tables``.
        on_recover: ``async def fn()`` called after each recovery.
        on_changelog_event: ``async def fn(event)`` called for every
            changelog record applied by recovery or standby replication.
        recovery_buffer_size: changelog records applied at once in recovery.
        standby_buffer_size: same for standby replication.
        extra_topic_configs: topic configuration of the changelog.
        recover_callbacks: more ``on_recover`` functions.
        options: store options (see the store).
        use_partitioner: pick the changelog partition from the key, which
            allows writes outside streams.
        on_window_close: ``fn(key, value)`` (sync or async) called when a
            window of a windowed table expires.
        is_global: every worker holds the whole table.
    """

    changelog_is_state: ClassVar[bool] = True
    #: Cleanup policy of the changelog (windowed tables add ``delete``).
    _changelog_compacting: Optional[bool] = True
    _changelog_deleting: Optional[bool] = None

    #: subclasses whose instances are always global (GlobalTable)
    force_global: ClassVar[bool] = False
    #: ``standby_buffer_size`` when none is given (None: recovery_buffer_size)
    default_standby_buffer_size: ClassVar[Optional[int]] = None

    def __init__(
        self,
        app: AppT,
        *,
        name: Optional[str] = None,
        default: Any = None,
        store: Union[str, URL, None] = None,
        schema: Optional[SchemaT] = None,
        key_type: Any = None,
        value_type: Any = None,
        partitions: Optional[int] = None,
        window: Optional[WindowT] = None,
        changelog_topic: Optional[TopicT[Any]] = None,
        help: Optional[str] = None,
        on_recover: Optional[RecoverCallback] = None,
        on_changelog_event: Optional[ChangelogEventCallback] = None,
        recovery_buffer_size: int = 1000,
        standby_buffer_size: Optional[int] = None,
        extra_topic_configs: Optional[dict[str, Any]] = None,
        recover_callbacks: Optional[Iterable[RecoverCallback]] = None,
        options: Optional[dict[str, Any]] = None,
        use_partitioner: bool = False,
        on_window_close: Optional[WindowCloseCallback] = None,
        is_global: bool = False,
        synchronize_all_active_partitions: bool = False,
        **kwargs: Any,
    ) -> None:
        if not name:
            raise TypeError("A table needs a name: app.Table('name', ...)")
        if recovery_buffer_size < 1:
            raise ValueError("recovery_buffer_size must be at least 1")
        Service.__init__(self, **kwargs)
        self.app = app
        self.name = name
        self.default = default
        self._store_url = store
        self.schema = schema
        if schema is not None:
            key_type = key_type or schema.key_type
            value_type = value_type or schema.value_type
        self.key_type = key_type
        self.value_type = value_type
        self.key_serializer = serializer_from_type(key_type)
        self.value_serializer = serializer_from_type(value_type)
        self.partitions = partitions
        self.window = window
        self._changelog_topic = changelog_topic
        self._custom_changelog_topic = changelog_topic is not None
        self.help = help or ""
        self._on_changelog_event = on_changelog_event
        self.recovery_buffer_size = recovery_buffer_size
        self.standby_buffer_size = (
            standby_buffer_size
            or self.default_standby_buffer_size
            or recovery_buffer_size
        )
        self.extra_topic_configs = dict(extra_topic_configs or {})
        self._recover_callbacks: list[RecoverCallback] = list(recover_callbacks or [])
        if on_recover is not None:
            self._recover_callbacks.append(on_recover)
        self.options = options
        self.use_partitioner = use_partitioner
        self._on_window_close = on_window_close
        self.is_global = is_global or self.force_global
        self.synchronize_all_active_partitions = synchronize_all_active_partitions
        self._verified_topics: set[str] = set()
        self._sensors = app.sensors
        self._data: Optional[StoreT] = None
        self._changelog_callback: Any = None
        self.active_partitions: set[int] = set()
        self.data  # noqa: B018  (a missing store binding fails at definition)

    # -- store -----------------------------------------------------------------

    @property
    def data(self) -> StoreT:
        """The store holding the table's data.

        Raises:
            TablesRecovering: read from a web view before recovery finished.
        """
        if _tables_guard() is not None:  # only inside web views (cheap otherwise)
            check_tables_readable()
        data = self._data
        if data is None:
            data = self._data = self._new_store()
            if data.track_changelog_acks:
                self._changelog_callback = data.on_changelog_sent
        return data

    def _new_store(self) -> StoreT:
        return self._new_store_by_url(self._store_url or self.app.conf.store)

    def _new_store_by_url(self, url: Union[str, URL]) -> StoreT:
        store_cls: Any = by_url(url)
        return cast(
            StoreT,
            store_cls(
                url,
                self.app,
                self,
                table_name=self.name,
                key_type=self.key_type,
                value_type=self.value_type,
                key_serializer=self.key_serializer,
                value_serializer=self.value_serializer,
                options=self.options,
                beacon=self.beacon,
            ),
        )

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The store starts with the table."""
        return [self.data]

    # -- changelog ---------------------------------------------------------------

    @property
    def changelog_topic(self) -> TopicT[Any]:
        """The changelog topic (``{app.id}-{name}-changelog``)."""
        topic = self._changelog_topic
        if topic is None:
            topic = self._changelog_topic = self._new_changelog_topic(
                compacting=self._changelog_compacting,
                deleting=self._changelog_deleting,
            )
        return topic

    @changelog_topic.setter
    def changelog_topic(self, topic: TopicT[Any]) -> None:
        self._changelog_topic = topic

    @property
    def changelog_topic_name(self) -> str:
        """Name of the changelog topic."""
        return self.changelog_topic.get_topic_name()

    def _changelog_topic_name(self) -> str:
        return f"{self.app.conf.id}-{self.name}-changelog"

    def _new_changelog_topic(
        self,
        *,
        retention: Optional[float] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
    ) -> TopicT[Any]:
        return self.app.topic(
            self._changelog_topic_name(),
            schema=self.schema,
            key_type=self.key_type,
            value_type=self.value_type,
            key_serializer=self.key_serializer,
            value_serializer=self.value_serializer,
            partitions=self.partitions,
            retention=retention,
            compacting=compacting,
            deleting=deleting,
            acks=False,
            internal=True,
            config=self.extra_topic_configs,
            allow_empty=True,
        )

    def send_changelog(
        self,
        partition: Optional[int],
        key: Any,
        value: Any,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
    ) -> FutureMessage:
        """Write a changelog record (``partition`` None: chosen from the key)."""
        return self.changelog_topic.send_soon(
            key=key,
            value=value,
            partition=partition,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            callback=self._changelog_callback,
            eager_partitioning=partition is None,
        )

    def partition_for_key(self, key: Any) -> Optional[int]:
        """The changelog partition the producer's partitioner gives ``key``."""
        topic = self.changelog_topic
        encoded, _ = topic.prepare_key(key, None)
        return self.app.producer.key_partition(
            topic.get_topic_name(), encoded
        ).partition

    def _write_partition(self, event: Optional[EventT[Any]]) -> Optional[int]:
        """Changelog partition of a write made now (None: from the key)."""
        if self.use_partitioner or self.is_global:
            return None
        if event is None:
            raise TypeError(E_OUTSIDE_STREAM.format(name=self.name))
        message = event.message
        if message.partition < 0:
            return None  # an in-memory channel: no partition to follow
        if message.topic not in self._verified_topics:
            self._verify_source_topic_partitions(message.topic)
        return message.partition

    def _verify_source_topic_partitions(self, source_topic: str) -> None:
        consumer = self.app.consumer
        changelog = self.changelog_topic_name
        verify_copartitioned(
            self.name,
            source_topic,
            consumer.topic_partitions(source_topic),
            changelog,
            consumer.topic_partitions(changelog)
            or (self.partitions or self.app.conf.topic_partitions),
        )
        self._verified_topics.add(source_topic)

    def _put(self, key: Any, value: Any) -> int:
        """Write ``key`` to the changelog and the store; returns the partition."""
        return self._put_at(self._write_partition(get_current_event()), key, value)

    def _put_at(self, partition: Optional[int], key: Any, value: Any) -> int:
        # the changelog first: if the value cannot be serialized, nothing changes
        fut = self.send_changelog(partition, key, value)
        written = fut.message.partition
        assert written is not None
        self.data.put(key, value, written, fut)
        return written

    def _remove(self, key: Any) -> int:
        """Delete ``key``: a tombstone in the changelog, then from the store."""
        return self._remove_at(self._write_partition(current_event()), key)

    def _remove_at(self, partition: Optional[int], key: Any) -> int:
        fut = self.send_changelog(partition, key, None, value_serializer="raw")
        written = fut.message.partition
        assert written is not None
        self.data.remove(key, written, fut)
        return written

    # -- recovery ----------------------------------------------------------------

    def persisted_offset(self, tp: TP) -> Optional[int]:
        """The last changelog offset of ``tp`` already in the store."""
        return self.data.persisted_offset(tp)

    async def need_active_standby_for(self, tp: TP) -> bool:
        """False if the store cannot hold ``tp`` on this worker."""
        return await self.data.need_active_standby_for(tp)

    def apply_changelog_batch(self, batch: Iterable[EventT[Any]]) -> None:
        """Apply changelog events to the store (recovery and standbys)."""
        self.data.apply_changelog_batch(batch, to_key=to_key, to_value=to_value)

    def _to_key(self, key: Any) -> Any:
        return to_key(key)

    def _to_value(self, value: Any) -> Any:
        return value

    async def on_changelog_event(self, event: EventT[Any]) -> None:
        """A changelog record was applied (recovery, standbys): calls the callback.

        A subclass may override it (then every record is passed to it).
        """
        callback = self._on_changelog_event
        if callback is not None:
            await callback(event)

    @property
    def wants_changelog_events(self) -> bool:
        """True if :meth:`on_changelog_event` does something (spares the calls)."""
        return (
            self._on_changelog_event is not None
            or type(self).on_changelog_event is not Collection.on_changelog_event
        )

    def on_recover(self, fun: RecoverCallback) -> RecoverCallback:
        """Decorate an ``async def fn()`` to call after each recovery."""
        self._recover_callbacks.append(fun)
        return fun

    async def call_recover_callbacks(self) -> None:
        """Call the ``on_recover`` functions."""
        for fun in self._recover_callbacks:
            await fun()

    def _changelog_tps(self, assigned: set[TP]) -> set[TP]:
        topic = self.changelog_topic_name
        return {tp for tp in assigned if tp.topic == topic}

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """The worker now holds ``assigned`` changelog partitions of this table."""
        self.active_partitions = set()
        await self.data.on_rebalance(
            self._changelog_tps(assigned),
            self._changelog_tps(revoked),
            self._changelog_tps(newly_assigned),
            generation_id,
        )

    async def on_recovery_completed(
        self, active_tps: set[TP], standby_tps: set[TP]
    ) -> None:
        """Recovery finished: ``active_tps`` may now be written."""
        await self.data.on_recovery_completed(active_tps, standby_tps)
        self.active_partitions = {
            tp.partition for tp in self._changelog_tps(active_tps)
        }

    def reset_state(self) -> None:
        """Delete the local data (rebuilt from the changelog at next start)."""
        self.data.reset_state()

    # -- misc --------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The arguments this table was created with (see :meth:`clone`)."""
        return {
            "app": self.app,
            "name": self.name,
            "default": self.default,
            "store": self._store_url,
            "schema": self.schema,
            "key_type": self.key_type,
            "value_type": self.value_type,
            "partitions": self.partitions,
            "window": self.window,
            "changelog_topic": (
                self._changelog_topic if self._custom_changelog_topic else None
            ),
            "help": self.help,
            "on_changelog_event": self._on_changelog_event,
            "recovery_buffer_size": self.recovery_buffer_size,
            "standby_buffer_size": self.standby_buffer_size,
            "extra_topic_configs": self.extra_topic_configs,
            "recover_callbacks": list(self._recover_callbacks),
            "options": self.options,
            "use_partitioner": self.use_partitioner,
            "on_window_close": self._on_window_close,
            "is_global": self.is_global,
        }

    def clone(self, **kwargs: Any) -> Any:
        """A new table like this one, with ``kwargs`` changed."""
        return type(self)(**{**self.info(), "beacon": self.app.tables.beacon, **kwargs})

    def __copy__(self) -> Any:
        return self.clone()

    def __hash__(self) -> int:
        return object.__hash__(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def _not_implemented(self, what: str) -> Any:
        raise NotImplementedError(
            f"Table {what} is not implemented: join streams with tables in the "
            "agent (read the table inside `async for`)"
        )

    def join(self, *fields: Any) -> Any:
        """Not implemented (as in Faust)."""
        return self._not_implemented("join")

    def left_join(self, *fields: Any) -> Any:
        """Not implemented (as in Faust)."""
        return self._not_implemented("left_join")

    def inner_join(self, *fields: Any) -> Any:
        """Not implemented (as in Faust)."""
        return self._not_implemented("inner_join")

    def outer_join(self, *fields: Any) -> Any:
        """Not implemented (as in Faust)."""
        return self._not_implemented("outer_join")

    def combine(self, *nodes: Any, **kwargs: Any) -> Any:
        """Not implemented (as in Faust)."""
        return self._not_implemented("combine")

    def __and__(self, other: Any) -> Any:
        return self._not_implemented("&")

    @property
    def label(self) -> str:
        """``Table: name``."""
        return f"{type(self).__name__}: {self.name}"

    @property
    def shortlabel(self) -> str:
        """Same as :attr:`label`."""
        return self.label

    def _repr_info(self) -> str:
        return f"name={self.name!r} store={self._store_url or ''}"
