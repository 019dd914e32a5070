"""Sensors: hooks called as messages, events, sends and requests flow.

:class:`Sensor` implements every hook as a no-op; subclass it and override
what you need, then ``app.sensors.add(MySensor())``. :class:`SensorDelegate`
(``app.sensors``) fans each hook out to every registered sensor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mode import Service

from ..types import (
    TP,
    AppT,
    CollectionT,
    ConsumerT,
    EventT,
    Message,
    ProducerT,
    StreamT,
)
from ..types.sensors import SensorDelegateT, SensorT
from ..types.tuples import PendingMessage, RecordMetadata

__all__ = ["Sensor", "SensorDelegate"]


class Sensor(SensorT, Service):
    """Base class for sensors: every hook does nothing."""

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """A message was received from the broker."""

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> Any:
        """A stream started processing an event; returns state for ``_out``."""
        return None

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Any = None,
    ) -> None:
        """A stream finished processing an event."""

    def on_topic_buffer_full(self, tp: TP) -> None:
        """A stream buffer is full: delivery waits."""

    def on_threaded_producer_buffer_processed(self, app: AppT, size: int) -> None:
        """Faust's threaded producer flushed ``size`` messages (never called here)."""

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        """Every stream is done with a message."""

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """A table key was read."""

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """A table key was written."""

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """A table key was deleted."""

    def on_table_late_event(
        self, table: CollectionT, key: Any, timestamp: float
    ) -> None:
        """A windowed table dropped a write for windows already closed."""

    def on_changelog_record_skipped(
        self, table: CollectionT, message: Message, exc: BaseException
    ) -> None:
        """Recovery skipped a changelog record it could not apply."""

    def on_commit_initiated(self, consumer: ConsumerT) -> Any:
        """The consumer is committing offsets; returns state."""
        return None

    def on_commit_completed(self, consumer: ConsumerT, state: Any) -> None:
        """The consumer committed offsets."""

    def on_send_initiated(
        self,
        producer: ProducerT,
        topic: str,
        message: PendingMessage,
        keysize: int,
        valsize: int,
    ) -> Any:
        """A message is being produced; returns state."""
        return None

    def on_send_completed(
        self, producer: ProducerT, state: Any, metadata: RecordMetadata
    ) -> None:
        """The broker acknowledged a produced message."""

    def on_send_error(
        self, producer: ProducerT, exc: BaseException, state: Any
    ) -> None:
        """Producing a message failed."""

    def on_assignment_start(self, assignor: Any) -> Any:
        """Partition assignment started."""
        return {}

    def on_assignment_error(
        self, assignor: Any, state: Any, exc: BaseException
    ) -> None:
        """Partition assignment failed."""

    def on_assignment_completed(self, assignor: Any, state: Any) -> None:
        """Partition assignment finished."""

    def on_rebalance_start(self, app: AppT) -> Any:
        """A rebalance started."""
        return {}

    def on_rebalance_return(self, app: AppT, state: Any) -> None:
        """The rebalance callback returned to the consumer."""

    def on_rebalance_end(self, app: AppT, state: Any) -> None:
        """The rebalance finished (tables recovered)."""

    def on_web_request_start(self, app: AppT, request: Any, *, view: Any = None) -> Any:
        """A web request started."""
        return {}

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """A web request finished."""

    def asdict(self) -> Mapping[str, Any]:
        """The sensor's data (served by the web stats page)."""
        return {}


def _no_hook(*args: Any) -> None:
    return None


class _States(dict[Any, Any]):
    """Per-sensor states of one event when several sensors are registered."""


class _Single:
    """The state of the only sensor (no dict per message)."""

    __slots__ = ("sensor", "state")

    def __init__(self, sensor: SensorT, state: Any) -> None:
        self.sensor = sensor
        self.state = state


def _state_of(state: Any, sensor: SensorT) -> Any:
    if state.__class__ is _Single:
        return state.state if state.sensor is sensor else None
    return state.get(sensor) if state else None


class SensorDelegate(SensorDelegateT):
    """Calls every hook on every registered sensor (``app.sensors``).

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT) -> None:
        self.app = app
        self._sensors: list[SensorT] = []
        #: Changes whenever a sensor is added or removed (see stream_hooks).
        self.version = 0

    def add(self, sensor: SensorT) -> None:
        """Register a sensor."""
        if sensor not in self._sensors:
            self._sensors.append(sensor)
            self.version += 1

    def remove(self, sensor: SensorT) -> None:
        """Unregister a sensor."""
        if sensor in self._sensors:
            self._sensors.remove(sensor)
            self.version += 1

    def message_hooks(self) -> Any:
        """``on_message_in`` of the only sensor, or of this delegate."""
        sensors = self._sensors
        return sensors[0].on_message_in if len(sensors) == 1 else self.on_message_in

    def stream_hooks(self) -> tuple[int, tuple[Any, Any, Any]]:
        """``(version, (event_in, event_out, message_out))`` for a stream's loop.

        With one sensor (the usual case: the Monitor) these are its own
        methods, so a stream calls them without going through the delegate;
        a stream asks again when :attr:`version` changes.
        """
        sensors = self._sensors
        hooks: tuple[Any, Any, Any]
        if len(sensors) == 1:
            only = sensors[0]
            hooks = (
                only.on_stream_event_in,
                only.on_stream_event_out,
                only.on_message_out,
            )
        elif not sensors:
            hooks = (_no_hook, _no_hook, _no_hook)
        else:
            hooks = (
                self.on_stream_event_in,
                self.on_stream_event_out,
                self.on_message_out,
            )
        return self.version, hooks

    def send_hooks(self) -> tuple[int, tuple[Any, Any, Any]]:
        """``(version, (initiated, completed, error))`` for the produce path.

        As :meth:`stream_hooks`: with one sensor its own methods, whose
        state is then that sensor's own (not wrapped). A send completes
        with the hooks it was initiated with, so a sensor added meanwhile
        never sees another's state.
        """
        sensors = self._sensors
        hooks: tuple[Any, Any, Any]
        if len(sensors) == 1:
            only = sensors[0]
            hooks = (only.on_send_initiated, only.on_send_completed, only.on_send_error)
        elif not sensors:
            hooks = (_no_hook, _no_hook, _no_hook)
        else:
            hooks = (self.on_send_initiated, self.on_send_completed, self.on_send_error)
        return self.version, hooks

    def table_hooks(self) -> tuple[int, tuple[Any, Any]]:
        """``(version, (table_get, table_set))``, as :meth:`stream_hooks`."""
        sensors = self._sensors
        hooks: tuple[Any, Any]
        if len(sensors) == 1:
            hooks = (sensors[0].on_table_get, sensors[0].on_table_set)
        elif not sensors:
            hooks = (_no_hook, _no_hook)
        else:
            hooks = (self.on_table_get, self.on_table_set)
        return self.version, hooks

    def __iter__(self) -> Iterator[SensorT]:
        return iter(list(self._sensors))

    def __len__(self) -> int:
        return len(self._sensors)

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Fan out :meth:`Sensor.on_message_in`."""
        for sensor in self._sensors:
            sensor.on_message_in(tp, offset, message)

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> Any:
        """Fan out :meth:`Sensor.on_stream_event_in`; state per sensor."""
        sensors = self._sensors
        if len(sensors) == 1:  # the usual case: the Monitor alone
            return sensors[0].on_stream_event_in(tp, offset, stream, event)
        if not sensors:
            return None
        return _States(
            {s: s.on_stream_event_in(tp, offset, stream, event) for s in sensors}
        )

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Any = None,
    ) -> None:
        """Fan out :meth:`Sensor.on_stream_event_out`."""
        sensors = self._sensors
        if not isinstance(state, _States):
            if len(sensors) == 1:
                sensors[0].on_stream_event_out(tp, offset, stream, event, state)
            return
        for sensor in sensors:
            sensor.on_stream_event_out(tp, offset, stream, event, state.get(sensor))

    def on_topic_buffer_full(self, tp: TP) -> None:
        """Fan out :meth:`Sensor.on_topic_buffer_full`."""
        for sensor in self._sensors:
            sensor.on_topic_buffer_full(tp)

    def on_threaded_producer_buffer_processed(self, app: AppT, size: int) -> None:
        """Fan out :meth:`Sensor.on_threaded_producer_buffer_processed`."""
        for sensor in self._sensors:
            sensor.on_threaded_producer_buffer_processed(app, size)

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        """Fan out :meth:`Sensor.on_message_out`."""
        for sensor in self._sensors:
            sensor.on_message_out(tp, offset, message)

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """Fan out :meth:`Sensor.on_table_get`."""
        for sensor in self._sensors:
            sensor.on_table_get(table, key)

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """Fan out :meth:`Sensor.on_table_set`."""
        for sensor in self._sensors:
            sensor.on_table_set(table, key, value)

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """Fan out :meth:`Sensor.on_table_del`."""
        for sensor in self._sensors:
            sensor.on_table_del(table, key)

    def on_table_late_event(
        self, table: CollectionT, key: Any, timestamp: float
    ) -> None:
        """Fan out :meth:`Sensor.on_table_late_event`."""
        for sensor in self._sensors:
            sensor.on_table_late_event(table, key, timestamp)

    def on_changelog_record_skipped(
        self, table: CollectionT, message: Message, exc: BaseException
    ) -> None:
        """Fan out :meth:`Sensor.on_changelog_record_skipped`."""
        for sensor in self._sensors:
            sensor.on_changelog_record_skipped(table, message, exc)

    def on_commit_initiated(self, consumer: ConsumerT) -> Any:
        """Fan out :meth:`Sensor.on_commit_initiated`."""
        return {s: s.on_commit_initiated(consumer) for s in self._sensors}

    def on_commit_completed(self, consumer: ConsumerT, state: Any) -> None:
        """Fan out :meth:`Sensor.on_commit_completed`."""
        for sensor in self._sensors:
            sensor.on_commit_completed(consumer, state.get(sensor) if state else None)

    def on_send_initiated(
        self,
        producer: ProducerT,
        topic: str,
        message: PendingMessage,
        keysize: int,
        valsize: int,
    ) -> Any:
        """Fan out :meth:`Sensor.on_send_initiated`.

        With one sensor its own state is returned (no dict per message);
        with several, a state per sensor.
        """
        sensors = self._sensors
        if len(sensors) == 1:
            return _Single(
                sensors[0],
                sensors[0].on_send_initiated(
                    producer, topic, message, keysize, valsize
                ),
            )
        return _States(
            {
                s: s.on_send_initiated(producer, topic, message, keysize, valsize)
                for s in sensors
            }
        )

    def on_send_completed(
        self, producer: ProducerT, state: Any, metadata: RecordMetadata
    ) -> None:
        """Fan out :meth:`Sensor.on_send_completed`."""
        sensors = self._sensors
        if state.__class__ is _Single and len(sensors) == 1:
            if sensors[0] is state.sensor:
                state.sensor.on_send_completed(producer, state.state, metadata)
                return
        for sensor in sensors:
            sensor.on_send_completed(producer, _state_of(state, sensor), metadata)

    def on_send_error(
        self, producer: ProducerT, exc: BaseException, state: Any
    ) -> None:
        """Fan out :meth:`Sensor.on_send_error`."""
        for sensor in self._sensors:
            sensor.on_send_error(producer, exc, _state_of(state, sensor))

    def on_assignment_start(self, assignor: Any) -> Any:
        """Fan out :meth:`Sensor.on_assignment_start`."""
        return {s: s.on_assignment_start(assignor) for s in self._sensors}

    def on_assignment_error(
        self, assignor: Any, state: Any, exc: BaseException
    ) -> None:
        """Fan out :meth:`Sensor.on_assignment_error`."""
        for sensor in self._sensors:
            sensor.on_assignment_error(assignor, state.get(sensor, {}), exc)

    def on_assignment_completed(self, assignor: Any, state: Any) -> None:
        """Fan out :meth:`Sensor.on_assignment_completed`."""
        for sensor in self._sensors:
            sensor.on_assignment_completed(assignor, state.get(sensor, {}))

    def on_rebalance_start(self, app: AppT) -> Any:
        """Fan out :meth:`Sensor.on_rebalance_start`."""
        return {s: s.on_rebalance_start(app) for s in self._sensors}

    def on_rebalance_return(self, app: AppT, state: Any) -> None:
        """Fan out :meth:`Sensor.on_rebalance_return`."""
        for sensor in self._sensors:
            sensor.on_rebalance_return(app, state.get(sensor, {}))

    def on_rebalance_end(self, app: AppT, state: Any) -> None:
        """Fan out :meth:`Sensor.on_rebalance_end`."""
        for sensor in self._sensors:
            sensor.on_rebalance_end(app, state.get(sensor, {}))

    def on_web_request_start(self, app: AppT, request: Any, *, view: Any = None) -> Any:
        """Fan out :meth:`Sensor.on_web_request_start`."""
        return {
            s: s.on_web_request_start(app, request, view=view) for s in self._sensors
        }

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """Fan out :meth:`Sensor.on_web_request_end`."""
        for sensor in self._sensors:
            sensor.on_web_request_end(
                app, request, response, state.get(sensor, {}), view=view
            )

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._sensors!r}>"
