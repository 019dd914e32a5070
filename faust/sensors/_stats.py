"""The base of monitors that push every measurement to a stats daemon.

:class:`StatsMonitor` keeps all of :class:`~faust.sensors.Monitor`'s
counters and also emits each measurement through four methods its
subclasses implement (``_incr``, ``_decr``, ``_gauge``, ``_timing``), with a
metric key and labels. The statsd monitor turns labels into dotted names
(``topic.orders.messages_received``); the Datadog one into tags.

Emissions per hook (key: labels):

- message in: ``messages_received``, ``messages_active``,
  ``topic_messages_received`` (topic), ``read_offset`` (topic, partition);
- event in/out: ``events``, ``stream_events`` (stream: ``topic_orders``, or
  ``topic_orders&topic_refunds`` for a combined stream), ``events_active``,
  ``events_runtime`` (timing);
- message out: ``messages_active`` (decrement);
- tables: ``table_keys_retrieved/updated/deleted`` (table);
- commits: ``commit_latency``; ``committed_offset`` and ``end_offset``
  (topic, partition);
- sends: ``messages_sent``, ``topic_messages_sent`` (topic),
  ``send_latency``; errors: ``messages_sent_error``,
  ``send_latency_for_error``;
- assignment: ``assignments_complete`` / ``assignments_error``,
  ``assignment_latency``;
- rebalances: ``rebalances``, ``rebalances_recovering``,
  ``rebalance_return_latency``, ``rebalance_end_latency``;
- web: ``http_status_code`` (status), ``http_response_latency``;
- ``monitor.count(name)``: ``name``.
"""

from __future__ import annotations

import abc
import re
import time
from collections.abc import Mapping
from typing import Any, Optional

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
from ..types.tuples import PendingMessage, RecordMetadata
from .monitor import Monitor

__all__ = ["StatsMonitor", "stream_metric_label"]

Labels = Optional[Mapping[str, Any]]

#: what may not appear in a statsd name or a tag: ``:`` ends the name
_RE_UNSAFE = re.compile(r"[<>:|@#,\s]+")
_STREAM_PREFIX = re.compile(r"^\w+: ")


def stream_metric_label(shortlabel: str) -> str:
    """Faust's metric label of a stream: ``Stream: Topic: orders`` → ``topic_orders``.

    Combined streams keep Faust's ``&`` between their sources; characters
    that break a statsd line or a tag become ``_``.
    """
    name = _STREAM_PREFIX.sub("", shortlabel, count=1)
    return _RE_UNSAFE.sub("_", name).strip("_").lower()


class StatsMonitor(Monitor):
    """A Monitor that also emits to a stats client.

    Arguments:
        prefix: prepended to every metric name.
        rate: sample rate (``1.0``: every measurement).
        **kwargs: forwarded to :class:`~faust.sensors.Monitor`.
    """

    def __init__(
        self, *, prefix: str = "faust-app", rate: float = 1.0, **kwargs: Any
    ) -> None:
        self.prefix = prefix
        self.rate = rate
        self._client: Any = None
        self._stream_labels: dict[str, str] = {}
        super().__init__(**kwargs)

    def _stream_label(self, stream: StreamT[Any]) -> str:
        shortlabel = stream.shortlabel
        label = self._stream_labels.get(shortlabel)
        if label is None:
            label = self._stream_labels[shortlabel] = stream_metric_label(shortlabel)
        return label

    @property
    def client(self) -> Any:
        """The stats client (created on first use)."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    @client.setter
    def client(self, client: Any) -> None:
        self._client = client

    @abc.abstractmethod
    def _new_client(self) -> Any: ...

    @abc.abstractmethod
    def _incr(self, key: str, value: int = 1, labels: Labels = None) -> None: ...

    @abc.abstractmethod
    def _decr(self, key: str, value: int = 1, labels: Labels = None) -> None: ...

    @abc.abstractmethod
    def _gauge(self, key: str, value: float, labels: Labels = None) -> None: ...

    @abc.abstractmethod
    def _timing(self, key: str, seconds: float, labels: Labels = None) -> None: ...

    # -- hooks ----------------------------------------------------------------

    def count(self, metric_name: str, count: int = 1) -> None:
        """Increment a custom counter (also emitted)."""
        super().count(metric_name, count)
        self._incr(metric_name, count)

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Emit a received message and its offset."""
        super().on_message_in(tp, offset, message)
        self._incr("messages_received")
        self._incr("messages_active")
        self._incr("topic_messages_received", labels={"topic": tp.topic})
        self._gauge(
            "read_offset", offset, {"topic": tp.topic, "partition": tp.partition}
        )

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        """Emit a message being done."""
        super().on_message_out(tp, offset, message)
        self._decr("messages_active")

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> float:
        """Emit an event entering a stream."""
        state = super().on_stream_event_in(tp, offset, stream, event)
        self._incr("events")
        self._incr("stream_events", labels={"stream": self._stream_label(stream)})
        self._incr("events_active")
        return state

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Optional[float] = None,
    ) -> None:
        """Emit an event done, and its runtime."""
        super().on_stream_event_out(tp, offset, stream, event, state)
        self._decr("events_active")
        if state is not None:
            self._timing("events_runtime", self.events_runtime[-1])

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """Emit a table read."""
        super().on_table_get(table, key)
        self._incr("table_keys_retrieved", labels={"table": table.name})

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """Emit a table write."""
        super().on_table_set(table, key, value)
        self._incr("table_keys_updated", labels={"table": table.name})

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """Emit a table delete."""
        super().on_table_del(table, key)
        self._incr("table_keys_deleted", labels={"table": table.name})

    def on_commit_completed(self, consumer: ConsumerT, state: Any) -> None:
        """Emit the commit latency."""
        super().on_commit_completed(consumer, state)
        if state is not None:
            self._timing("commit_latency", self.commit_latency[-1])

    def on_tp_commit(self, tp_offsets: Mapping[TP, int]) -> None:
        """Emit committed offsets."""
        super().on_tp_commit(tp_offsets)
        for tp, offset in tp_offsets.items():
            self._gauge(
                "committed_offset",
                offset,
                {"topic": tp.topic, "partition": tp.partition},
            )

    def track_tp_end_offset(self, tp: TP, offset: int) -> None:
        """Emit an end offset."""
        super().track_tp_end_offset(tp, offset)
        self._gauge(
            "end_offset", offset, {"topic": tp.topic, "partition": tp.partition}
        )

    def on_send_initiated(
        self,
        producer: ProducerT,
        topic: str,
        message: PendingMessage,
        keysize: int,
        valsize: int,
    ) -> Any:
        """Emit a send."""
        state = super().on_send_initiated(producer, topic, message, keysize, valsize)
        self._incr("topic_messages_sent", labels={"topic": topic})
        self._incr("messages_sent")
        return state

    def on_send_completed(
        self, producer: ProducerT, state: Any, metadata: RecordMetadata
    ) -> None:
        """Emit the send latency."""
        super().on_send_completed(producer, state, metadata)
        if state is not None:
            self._timing("send_latency", self.send_latency[-1])

    def on_send_error(
        self, producer: ProducerT, exc: BaseException, state: Any
    ) -> None:
        """Emit a failed send."""
        super().on_send_error(producer, exc, state)
        self._incr("messages_sent_error")
        if isinstance(state, float):
            self._timing("send_latency_for_error", self._elapsed(state))

    def on_assignment_error(
        self, assignor: Any, state: dict[str, Any], exc: BaseException
    ) -> None:
        """Emit a failed assignment."""
        super().on_assignment_error(assignor, state, exc)
        self._incr("assignments_error")
        self._timing("assignment_latency", self.assignment_latency[-1])

    def on_assignment_completed(self, assignor: Any, state: dict[str, Any]) -> None:
        """Emit a completed assignment."""
        super().on_assignment_completed(assignor, state)
        self._incr("assignments_complete")
        self._timing("assignment_latency", self.assignment_latency[-1])

    def on_rebalance_start(self, app: AppT) -> dict[str, Any]:
        """Emit a rebalance."""
        state = super().on_rebalance_start(app)
        self._incr("rebalances")
        return state

    def on_rebalance_return(self, app: AppT, state: dict[str, Any]) -> None:
        """Emit a rebalance now recovering tables."""
        super().on_rebalance_return(app, state)
        self._incr("rebalances_recovering")
        self._timing("rebalance_return_latency", self.rebalance_return_latency[-1])

    def on_rebalance_end(self, app: AppT, state: dict[str, Any]) -> None:
        """Emit a finished rebalance."""
        super().on_rebalance_end(app, state)
        self._decr("rebalances_recovering")
        self._timing("rebalance_end_latency", self.rebalance_end_latency[-1])

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """Emit the response status and latency."""
        super().on_web_request_end(app, request, response, state, view=view)
        status = getattr(response, "status", None)
        if status is not None:
            self._incr("http_status_code", labels={"status": int(status)})
        if isinstance(state, float):
            self._timing("http_response_latency", self.http_response_latency[-1])

    @staticmethod
    def _elapsed(start: float) -> float:
        return time.monotonic() - start
