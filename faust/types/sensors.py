"""Sensor interfaces: hooks called as messages, events and requests flow."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mode import ServiceT

from .events import EventT
from .streams import StreamT
from .tuples import TP, Message, PendingMessage, RecordMetadata

if TYPE_CHECKING:  # pragma: no cover
    from .app import AppT
    from .tables import CollectionT
    from .transports import ConsumerT, ProducerT

__all__ = ["SensorInterfaceT", "SensorT", "SensorDelegateT"]


class SensorInterfaceT(abc.ABC):
    """Every hook a sensor may implement."""

    @abc.abstractmethod
    def on_message_in(self, tp: TP, offset: int, message: Message) -> None: ...

    @abc.abstractmethod
    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> Any: ...

    @abc.abstractmethod
    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Any = None,
    ) -> None: ...

    @abc.abstractmethod
    def on_topic_buffer_full(self, tp: TP) -> None: ...

    @abc.abstractmethod
    def on_threaded_producer_buffer_processed(self, app: AppT, size: int) -> None: ...

    @abc.abstractmethod
    def on_message_out(self, tp: TP, offset: int, message: Message) -> None: ...

    @abc.abstractmethod
    def on_table_get(self, table: CollectionT, key: Any) -> None: ...

    @abc.abstractmethod
    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None: ...

    @abc.abstractmethod
    def on_table_del(self, table: CollectionT, key: Any) -> None: ...

    @abc.abstractmethod
    def on_table_late_event(
        self, table: CollectionT, key: Any, timestamp: float
    ) -> None: ...

    @abc.abstractmethod
    def on_changelog_record_skipped(
        self, table: CollectionT, message: Message, exc: BaseException
    ) -> None: ...

    @abc.abstractmethod
    def on_commit_initiated(self, consumer: ConsumerT) -> Any: ...

    @abc.abstractmethod
    def on_commit_completed(self, consumer: ConsumerT, state: Any) -> None: ...

    @abc.abstractmethod
    def on_send_initiated(
        self,
        producer: ProducerT,
        topic: str,
        message: PendingMessage,
        keysize: int,
        valsize: int,
    ) -> Any: ...

    @abc.abstractmethod
    def on_send_completed(
        self, producer: ProducerT, state: Any, metadata: RecordMetadata
    ) -> None: ...

    @abc.abstractmethod
    def on_send_error(
        self, producer: ProducerT, exc: BaseException, state: Any
    ) -> None: ...

    @abc.abstractmethod
    def on_assignment_start(self, assignor: Any) -> Any: ...

    @abc.abstractmethod
    def on_assignment_error(
        self, assignor: Any, state: Any, exc: BaseException
    ) -> None: ...

    @abc.abstractmethod
    def on_assignment_completed(self, assignor: Any, state: Any) -> None: ...

    @abc.abstractmethod
    def on_rebalance_start(self, app: AppT) -> Any: ...

    @abc.abstractmethod
    def on_rebalance_return(self, app: AppT, state: Any) -> None: ...

    @abc.abstractmethod
    def on_rebalance_end(self, app: AppT, state: Any) -> None: ...

    @abc.abstractmethod
    def on_web_request_start(
        self, app: AppT, request: Any, *, view: Any = None
    ) -> Any: ...

    @abc.abstractmethod
    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None: ...


class SensorT(SensorInterfaceT, ServiceT):
    """A sensor: a Service receiving the hooks."""

    @abc.abstractmethod
    def asdict(self) -> Mapping[str, Any]: ...


class SensorDelegateT(SensorInterfaceT, Iterable[SensorT]):
    """Fans every hook out to the registered sensors (``app.sensors``)."""

    @abc.abstractmethod
    def add(self, sensor: SensorT) -> None: ...

    @abc.abstractmethod
    def remove(self, sensor: SensorT) -> None: ...
