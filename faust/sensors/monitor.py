"""The Monitor: the default sensor, keeping in-process statistics.

Owner: the app (``app.monitor``), started first and stopped last so every
other service can report to it. Tasks: ``_sampler``, computing per-second
rates once a second.

Counters are plain integers and ``Counter`` objects updated in the hooks;
latency histories are bounded deques, so memory stays flat.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Mapping
from typing import Any, Optional

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
from ..types.tuples import PendingMessage, RecordMetadata
from .base import Sensor

__all__ = ["Monitor", "TableState"]


class TableState:
    """Per-table key access counters."""

    __slots__ = ("table", "keys_retrieved", "keys_updated", "keys_deleted")

    def __init__(self, table: CollectionT) -> None:
        self.table = table
        self.keys_retrieved = 0
        self.keys_updated = 0
        self.keys_deleted = 0

    def asdict(self) -> Mapping[str, int]:
        """The counters as a dict."""
        return {
            "keys_retrieved": self.keys_retrieved,
            "keys_updated": self.keys_updated,
            "keys_deleted": self.keys_deleted,
        }


class Monitor(Sensor):
    """Counts messages, events, sends, commits and table accesses.

    Arguments:
        max_avg_history: how many samples averages are computed over.
        max_commit_latency_history: bound of the commit latency history.
        max_send_latency_history: bound of the send latency history.
        max_assignment_latency_history: bound of the assignment latency history.
    """

    def __init__(
        self,
        *,
        max_avg_history: int = 100,
        max_commit_latency_history: int = 30,
        max_send_latency_history: int = 30,
        max_assignment_latency_history: int = 30,
        **kwargs: Any,
    ) -> None:
        self.max_avg_history = max_avg_history
        self.messages_active = 0
        self.messages_received_total = 0
        self.messages_received_by_topic: Counter[str] = Counter()
        self.messages_sent = 0
        self.messages_sent_by_topic: Counter[str] = Counter()
        self.send_errors = 0
        self.events_active = 0
        self.events_total = 0
        self.events_by_stream: Counter[str] = Counter()
        self.events_by_task: Counter[str] = Counter()
        self.events_runtime: deque[float] = deque(maxlen=max_avg_history)
        self.commit_latency: deque[float] = deque(maxlen=max_commit_latency_history)
        self.send_latency: deque[float] = deque(maxlen=max_send_latency_history)
        self.assignment_latency: deque[float] = deque(
            maxlen=max_assignment_latency_history
        )
        self.assignments_completed = 0
        self.assignments_failed = 0
        self.rebalances = 0
        self.rebalance_return_latency: deque[float] = deque(maxlen=max_avg_history)
        self.rebalance_end_latency: deque[float] = deque(maxlen=max_avg_history)
        self.topic_buffer_full: Counter[TP] = Counter()
        self.tables: dict[str, TableState] = {}
        self.metric_counts: Counter[str] = Counter()
        self.http_response_codes: Counter[int] = Counter()
        self.http_response_latency: deque[float] = deque(maxlen=max_avg_history)
        self.topic_committed_offsets: dict[str, dict[int, int]] = {}
        self.topic_read_offsets: dict[str, dict[int, int]] = {}
        self.topic_end_offsets: dict[str, dict[int, int]] = {}
        self.messages_s = 0
        self.events_s = 0
        self._last_messages = 0
        self._last_events = 0
        super().__init__(**kwargs)

    @Service.timer(1.0)
    async def _sampler(self) -> None:
        self.messages_s = self.messages_received_total - self._last_messages
        self.events_s = self.events_total - self._last_events
        self._last_messages = self.messages_received_total
        self._last_events = self.events_total

    def count(self, metric_name: str, count: int = 1) -> None:
        """Increment a custom counter."""
        self.metric_counts[metric_name] += count

    # -- hooks -------------------------------------------------------------

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        """Count a received message."""
        self.messages_received_total += 1
        self.messages_active += 1
        self.messages_received_by_topic[tp.topic] += 1
        read = self.topic_read_offsets.get(tp.topic)
        if read is None:
            read = self.topic_read_offsets[tp.topic] = {}
        read[tp.partition] = offset

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        """A message is done."""
        self.messages_active -= 1

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> Optional[dict[str, Any]]:
        """Count an event entering a stream."""
        self.events_total += 1
        self.events_active += 1
        self.events_by_stream[stream.shortlabel] += 1
        return {"time_in": time.monotonic()}

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Optional[dict[str, Any]] = None,
    ) -> None:
        """Record how long the event took."""
        self.events_active -= 1
        if state is not None:
            self.events_runtime.append(time.monotonic() - state["time_in"])

    def on_topic_buffer_full(self, tp: TP) -> None:
        """Count a full stream buffer."""
        self.topic_buffer_full[tp] += 1

    def _table_state(self, table: CollectionT) -> TableState:
        state = self.tables.get(table.name)
        if state is None:
            state = self.tables[table.name] = TableState(table)
        return state

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """Count a table read."""
        self._table_state(table).keys_retrieved += 1

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """Count a table write."""
        self._table_state(table).keys_updated += 1

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """Count a table delete."""
        self._table_state(table).keys_deleted += 1

    def on_commit_initiated(self, consumer: ConsumerT) -> Any:
        """Start timing a commit."""
        return time.monotonic()

    def on_commit_completed(self, consumer: ConsumerT, state: Any) -> None:
        """Record the commit latency."""
        if state is not None:
            self.commit_latency.append(time.monotonic() - state)

    def on_send_initiated(
        self,
        producer: ProducerT,
        topic: str,
        message: PendingMessage,
        keysize: int,
        valsize: int,
    ) -> Any:
        """Count a send; start timing it."""
        self.messages_sent += 1
        self.messages_sent_by_topic[topic] += 1
        return time.monotonic()

    def on_send_completed(
        self, producer: ProducerT, state: Any, metadata: RecordMetadata
    ) -> None:
        """Record the send latency."""
        if state is not None:
            self.send_latency.append(time.monotonic() - state)

    def on_send_error(
        self, producer: ProducerT, exc: BaseException, state: Any
    ) -> None:
        """Count a failed send."""
        self.send_errors += 1

    def on_assignment_start(self, assignor: Any) -> dict[str, Any]:
        """Start timing an assignment."""
        return {"time_start": time.monotonic()}

    def on_assignment_error(
        self, assignor: Any, state: dict[str, Any], exc: BaseException
    ) -> None:
        """Count a failed assignment."""
        self.assignments_failed += 1
        self.assignment_latency.append(time.monotonic() - state.get("time_start", 0.0))

    def on_assignment_completed(self, assignor: Any, state: dict[str, Any]) -> None:
        """Count a completed assignment."""
        self.assignments_completed += 1
        self.assignment_latency.append(time.monotonic() - state.get("time_start", 0.0))

    def on_rebalance_start(self, app: AppT) -> dict[str, Any]:
        """Count a rebalance."""
        self.rebalances = app.rebalancing_count
        return {"time_start": time.monotonic()}

    def on_rebalance_return(self, app: AppT, state: dict[str, Any]) -> None:
        """Record the time until the rebalance callback returned."""
        self.rebalance_return_latency.append(
            time.monotonic() - state.get("time_start", 0.0)
        )

    def on_rebalance_end(self, app: AppT, state: dict[str, Any]) -> None:
        """Record the time until the rebalance finished."""
        self.rebalance_end_latency.append(
            time.monotonic() - state.get("time_start", 0.0)
        )

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: dict[str, Any],
        *,
        view: Any = None,
    ) -> None:
        """Count a response status."""
        status = getattr(response, "status", None)
        if status is not None:
            self.http_response_codes[int(status)] += 1

    @staticmethod
    def _avg(values: deque[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    def asdict(self) -> Mapping[str, Any]:
        """Every counter, JSON-friendly."""
        return {
            "messages_active": self.messages_active,
            "messages_received_total": self.messages_received_total,
            "messages_sent": self.messages_sent,
            "messages_sent_by_topic": dict(self.messages_sent_by_topic),
            "messages_s": self.messages_s,
            "messages_received_by_topic": dict(self.messages_received_by_topic),
            "events_active": self.events_active,
            "events_total": self.events_total,
            "events_s": self.events_s,
            "events_runtime_avg": self._avg(self.events_runtime),
            "events_by_task": dict(self.events_by_task),
            "events_by_stream": dict(self.events_by_stream),
            "commit_latency": list(self.commit_latency),
            "send_latency": list(self.send_latency),
            "assignment_latency": list(self.assignment_latency),
            "assignments_completed": self.assignments_completed,
            "assignments_failed": self.assignments_failed,
            "send_errors": self.send_errors,
            "topic_buffer_full": {
                f"{tp.topic}:{tp.partition}": n
                for tp, n in self.topic_buffer_full.items()
            },
            "metric_counts": dict(self.metric_counts),
            "tables": {name: state.asdict() for name, state in self.tables.items()},
            "topic_committed_offsets": self.topic_committed_offsets,
            "topic_read_offsets": self.topic_read_offsets,
            "topic_end_offsets": self.topic_end_offsets,
            "rebalances": self.rebalances,
            "rebalance_return_avg": self._avg(self.rebalance_return_latency),
            "rebalance_end_avg": self._avg(self.rebalance_end_latency),
            "http_response_codes": dict(self.http_response_codes),
            "http_response_latency_avg": self._avg(self.http_response_latency),
        }
