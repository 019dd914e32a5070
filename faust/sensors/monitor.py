"""The Monitor: the default sensor, keeping in-process statistics.

Owner: the app (``app.monitor``), started first and stopped last so every
other service can report to it. Tasks: ``_sampler``, computing per-second
rates once a second.

Counters are plain integers and ``Counter`` objects updated in the hooks;
latency histories are bounded deques (the recent values, for averages and
quantiles) next to a running count and sum (for Prometheus summaries), so
memory stays flat. The per-event hooks do two counter updates, one
``Counter`` update and one clock read each; their state is the start time
(a float), not a dict.

The statistics are served by the web server: ``asdict()`` at ``/`` (with
``web_stats_enabled``) and ``collect_metrics()`` at ``/metrics``. Both copy
what they read first, so they are safe to call from the web server's thread.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, MutableMapping
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
from ..web.apps.metrics import MetricFamily
from ._metrics import monitor_asdict, monitor_families, monitor_performance
from .base import Sensor

__all__ = ["Monitor", "TableState"]

#: default bound of the histories averages are computed over
MAX_AVG_HISTORY = 100


def _avg(values: deque[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _by_tp(offsets: Mapping[str, Mapping[int, int]]) -> dict[TP, int]:
    return {
        TP(topic, partition): offset
        for topic, parts in list(offsets.items())
        for partition, offset in list(parts.items())
    }


class TableState:
    """Per-table key access counters."""

    __slots__ = (
        "table",
        "keys_retrieved",
        "keys_updated",
        "keys_deleted",
        "late_events",
        "changelog_records_skipped",
    )

    def __init__(
        self,
        table: CollectionT,
        *,
        keys_retrieved: int = 0,
        keys_updated: int = 0,
        keys_deleted: int = 0,
    ) -> None:
        self.table = table
        self.keys_retrieved = keys_retrieved
        self.keys_updated = keys_updated
        self.keys_deleted = keys_deleted
        #: writes dropped by a windowed table: their windows had closed
        self.late_events = 0
        #: changelog records recovery could not apply (skipped)
        self.changelog_records_skipped = 0

    def asdict(self) -> Mapping[str, int]:
        """The counters as a dict."""
        return {
            "keys_retrieved": self.keys_retrieved,
            "keys_updated": self.keys_updated,
            "keys_deleted": self.keys_deleted,
            "late_events": self.late_events,
            "changelog_records_skipped": self.changelog_records_skipped,
        }


class Monitor(Sensor):
    """Counts messages, events, sends, commits, table accesses and requests.

    Arguments:
        max_avg_history: how many samples averages are computed over (100).
        max_commit_latency_history: bound of the commit latency history (30).
        max_send_latency_history: bound of the send latency history (30).
        max_assignment_latency_history: bound of the assignment latency
            history (30).
        time: the clock of :meth:`secs_since` and :meth:`ms_since`.
        **kwargs: initial values of the counters, as Faust's Monitor takes
            them (``messages_sent=10``, ``tables={...}``); the ``*_avg``
            values are computed from the histories, so given ones are
            ignored.
    """

    def __init__(
        self,
        *,
        max_avg_history: Optional[int] = None,
        max_commit_latency_history: Optional[int] = None,
        max_send_latency_history: Optional[int] = None,
        max_assignment_latency_history: Optional[int] = None,
        messages_sent: int = 0,
        tables: Optional[MutableMapping[str, TableState]] = None,
        messages_active: int = 0,
        events_active: int = 0,
        messages_received_total: int = 0,
        messages_received_by_topic: Optional[Counter[str]] = None,
        events_total: int = 0,
        events_by_stream: Optional[Counter[str]] = None,
        events_by_task: Optional[Counter[str]] = None,
        events_runtime: Optional[Iterable[float]] = None,
        commit_latency: Optional[Iterable[float]] = None,
        send_latency: Optional[Iterable[float]] = None,
        assignment_latency: Optional[Iterable[float]] = None,
        events_s: int = 0,
        messages_s: int = 0,
        events_runtime_avg: float = 0.0,
        topic_buffer_full: Optional[Counter[TP]] = None,
        rebalances: Optional[int] = None,
        rebalance_return_latency: Optional[Iterable[float]] = None,
        rebalance_end_latency: Optional[Iterable[float]] = None,
        rebalance_return_avg: float = 0.0,
        rebalance_end_avg: float = 0.0,
        time: Callable[[], float] = time.monotonic,
        http_response_codes: Optional[Counter[int]] = None,
        http_response_latency: Optional[Iterable[float]] = None,
        http_response_latency_avg: float = 0.0,
        **kwargs: Any,
    ) -> None:
        avg = max_avg_history or MAX_AVG_HISTORY
        self.max_avg_history = avg
        self.max_commit_latency_history = max_commit_latency_history or 30
        self.max_send_latency_history = max_send_latency_history or 30
        self.max_assignment_latency_history = max_assignment_latency_history or 30
        self.time = time
        self.messages_active = messages_active
        self.messages_received_total = messages_received_total
        self.messages_received_by_topic = messages_received_by_topic or Counter()
        self.messages_sent = messages_sent
        self.messages_sent_by_topic: Counter[str] = Counter()
        self.send_errors = 0
        self.events_active = events_active
        self.events_total = events_total
        self.events_by_stream = events_by_stream or Counter()
        self.events_by_task = events_by_task or Counter()
        self.events_runtime = deque(events_runtime or (), maxlen=avg)
        self.commit_latency = deque(
            commit_latency or (), maxlen=self.max_commit_latency_history
        )
        self.send_latency = deque(
            send_latency or (), maxlen=self.max_send_latency_history
        )
        self.assignment_latency = deque(
            assignment_latency or (), maxlen=self.max_assignment_latency_history
        )
        self.assignments_completed = 0
        self.assignments_failed = 0
        self.rebalances = rebalances or 0
        self.rebalance_return_latency = deque(
            rebalance_return_latency or (), maxlen=avg
        )
        self.rebalance_end_latency = deque(rebalance_end_latency or (), maxlen=avg)
        self.topic_buffer_full = topic_buffer_full or Counter()
        self.tables: MutableMapping[str, TableState] = {} if tables is None else tables
        self.metric_counts: Counter[str] = Counter()
        self.http_response_codes = http_response_codes or Counter()
        self.http_response_latency = deque(http_response_latency or (), maxlen=avg)
        self.topic_committed_offsets: dict[str, dict[int, int]] = {}
        self.topic_read_offsets: dict[str, dict[int, int]] = {}
        self.topic_end_offsets: dict[str, dict[int, int]] = {}
        #: TP -> when its last event entered a stream (``time()``)
        self.stream_inbound_time: dict[TP, float] = {}
        self.messages_s = messages_s
        self.events_s = events_s
        #: seconds all events took (their count: events_total - events_active)
        self.events_runtime_sum = 0.0
        #: name -> [count, sum] of every other latency ever recorded
        self.latency_totals: dict[str, list[float]] = {
            name: [0, 0.0]
            for name in (
                "commit_latency",
                "send_latency",
                "assignment_latency",
                "rebalance_return_latency",
                "rebalance_end_latency",
                "http_response_latency",
            )
        }
        self._last_messages = 0
        self._last_events = 0
        super().__init__(**kwargs)

    # -- Faust's derived attributes --------------------------------------------

    @property
    def events_runtime_avg(self) -> float:
        """Average seconds of the recent events (``events_runtime``)."""
        return _avg(self.events_runtime)

    @property
    def rebalance_return_avg(self) -> float:
        """Average seconds until the recent rebalances' assignments returned."""
        return _avg(self.rebalance_return_latency)

    @property
    def rebalance_end_avg(self) -> float:
        """Average seconds of the recent rebalances, recovery included."""
        return _avg(self.rebalance_end_latency)

    @property
    def http_response_latency_avg(self) -> float:
        """Average seconds of the recent web requests."""
        return _avg(self.http_response_latency)

    @property
    def tp_committed_offsets(self) -> dict[TP, int]:
        """Last committed offset of each partition."""
        return _by_tp(self.topic_committed_offsets)

    @property
    def tp_read_offsets(self) -> dict[TP, int]:
        """Offset of the last message read from each partition."""
        return _by_tp(self.topic_read_offsets)

    @property
    def tp_end_offsets(self) -> dict[TP, int]:
        """End offset (high watermark) of each partition."""
        return _by_tp(self.topic_end_offsets)

    def secs_since(self, start_time: float) -> float:
        """Seconds since ``start_time`` (a reading of :attr:`time`)."""
        return self.time() - start_time

    def ms_since(self, start_time: float) -> float:
        """Milliseconds since ``start_time`` (a reading of :attr:`time`)."""
        return self.secs_to_ms(self.secs_since(start_time))

    def secs_to_ms(self, timestamp: float) -> float:
        """``timestamp`` seconds in milliseconds."""
        return timestamp * 1000.0

    @Service.timer(1.0)
    async def _sampler(self) -> None:
        self._sample()

    def _sample(self) -> None:
        self.messages_s = self.messages_received_total - self._last_messages
        self.events_s = self.events_total - self._last_events
        self._last_messages = self.messages_received_total
        self._last_events = self.events_total

    def count(self, metric_name: str, count: int = 1) -> None:
        """Increment a custom counter (served as ``faust_custom_count``)."""
        self.metric_counts[metric_name] += count

    def latency_total(self, name: str) -> tuple[int, float]:
        """``(count, sum)`` of every latency of kind ``name`` recorded."""
        if name == "events_runtime":
            return self.events_total - self.events_active, self.events_runtime_sum
        count, total = self.latency_totals[name]
        return int(count), total

    def _observe(self, name: str, history: deque[float], seconds: float) -> None:
        history.append(seconds)
        totals = self.latency_totals[name]
        totals[0] += 1
        totals[1] += seconds

    # -- messages and events (hot path) ---------------------------------------

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
    ) -> float:
        """Count an event entering a stream; the state is the start time."""
        self.events_total += 1
        self.events_active += 1
        label = stream.__dict__.get("_label")  # shortlabel, without its frame
        self.events_by_stream[label if label is not None else stream.shortlabel] += 1
        self.events_by_task[stream.task_owner] += 1
        now = time.monotonic()
        self.stream_inbound_time[tp] = now
        return now

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Optional[float] = None,
    ) -> None:
        """Record how long the event took."""
        self.events_active -= 1
        if state is not None:
            runtime = time.monotonic() - state
            self.events_runtime.append(runtime)
            self.events_runtime_sum += runtime

    def on_topic_buffer_full(self, tp: TP) -> None:
        """Count a full stream buffer."""
        self.topic_buffer_full[tp] += 1

    # -- tables -------------------------------------------------------------

    def _table_state(self, table: CollectionT) -> TableState:
        state = self.tables.get(table.name)
        if state is None:
            state = self.tables[table.name] = TableState(table)
        return state

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        """Count a table read."""
        state = self.tables.get(table.name)  # _table_state(), inline
        if state is None:
            state = self._table_state(table)
        state.keys_retrieved += 1

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        """Count a table write."""
        state = self.tables.get(table.name)  # _table_state(), inline
        if state is None:
            state = self._table_state(table)
        state.keys_updated += 1

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        """Count a table delete."""
        self._table_state(table).keys_deleted += 1

    def on_table_late_event(
        self, table: CollectionT, key: Any, timestamp: float
    ) -> None:
        """Count a write a windowed table dropped (its windows had closed)."""
        self._table_state(table).late_events += 1

    def on_changelog_record_skipped(
        self, table: CollectionT, message: Message, exc: BaseException
    ) -> None:
        """Count a changelog record recovery could not apply."""
        self._table_state(table).changelog_records_skipped += 1

    # -- commits, offsets, sends ------------------------------------------------

    def on_commit_initiated(self, consumer: ConsumerT) -> Any:
        """Start timing a commit."""
        return time.monotonic()

    def on_commit_completed(self, consumer: ConsumerT, state: Any) -> None:
        """Record the commit latency."""
        if state is not None:
            self._observe(
                "commit_latency", self.commit_latency, time.monotonic() - state
            )

    def on_tp_commit(self, tp_offsets: Mapping[TP, int]) -> None:
        """Offsets were committed (called by the consumer)."""
        for tp, offset in tp_offsets.items():
            committed = self.topic_committed_offsets.get(tp.topic)
            if committed is None:
                committed = self.topic_committed_offsets[tp.topic] = {}
            committed[tp.partition] = offset

    def track_tp_end_offset(self, tp: TP, offset: int) -> None:
        """The end offset (high watermark) of ``tp`` is ``offset``."""
        ends = self.topic_end_offsets.get(tp.topic)
        if ends is None:
            ends = self.topic_end_offsets[tp.topic] = {}
        ends[tp.partition] = offset

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
        if state is not None:  # _observe(), inline: once per message sent
            seconds = time.monotonic() - state
            self.send_latency.append(seconds)
            totals = self.latency_totals["send_latency"]
            totals[0] += 1
            totals[1] += seconds

    def on_send_error(
        self, producer: ProducerT, exc: BaseException, state: Any
    ) -> None:
        """Count a failed send."""
        self.send_errors += 1

    # -- assignment and rebalances ------------------------------------------

    def on_assignment_start(self, assignor: Any) -> dict[str, Any]:
        """Start timing an assignment."""
        return {"time_start": time.monotonic()}

    def _since(self, state: Any) -> float:
        start = state.get("time_start") if isinstance(state, dict) else None
        return time.monotonic() - start if start is not None else 0.0

    def on_assignment_error(
        self, assignor: Any, state: dict[str, Any], exc: BaseException
    ) -> None:
        """Count a failed assignment."""
        self.assignments_failed += 1
        self._observe("assignment_latency", self.assignment_latency, self._since(state))

    def on_assignment_completed(self, assignor: Any, state: dict[str, Any]) -> None:
        """Count a completed assignment."""
        self.assignments_completed += 1
        self._observe("assignment_latency", self.assignment_latency, self._since(state))

    def on_rebalance_start(self, app: AppT) -> dict[str, Any]:
        """Count a rebalance."""
        self.rebalances = app.rebalancing_count
        return {"time_start": time.monotonic()}

    def on_rebalance_return(self, app: AppT, state: dict[str, Any]) -> None:
        """Record the time until the rebalance callback returned."""
        self._observe(
            "rebalance_return_latency",
            self.rebalance_return_latency,
            self._since(state),
        )

    def on_rebalance_end(self, app: AppT, state: dict[str, Any]) -> None:
        """Record the rebalance time; forget offsets of partitions now gone."""
        self._observe(
            "rebalance_end_latency", self.rebalance_end_latency, self._since(state)
        )
        if app.started and not app.producer_only and not app.client_only:
            self._prune_offsets(app.consumer.assignment())

    def _prune_offsets(self, assigned: Iterable[TP]) -> None:
        # stale gauges of partitions moved to other workers would otherwise
        # be served for ever
        keep: dict[str, set[int]] = {}
        for tp in assigned:
            keep.setdefault(tp.topic, set()).add(tp.partition)
        for offsets in (
            self.topic_read_offsets,
            self.topic_committed_offsets,
            self.topic_end_offsets,
        ):
            for topic in list(offsets):
                parts = keep.get(topic, set())
                inner = {p: o for p, o in offsets[topic].items() if p in parts}
                if inner:
                    offsets[topic] = inner
                else:
                    del offsets[topic]

    # -- web ------------------------------------------------------------------

    def on_web_request_start(self, app: AppT, request: Any, *, view: Any = None) -> Any:
        """Start timing a request."""
        return time.monotonic()

    def on_web_request_end(
        self,
        app: AppT,
        request: Any,
        response: Any,
        state: Any,
        *,
        view: Any = None,
    ) -> None:
        """Count the response status; record the latency."""
        status = getattr(response, "status", None)
        if status is not None:
            self.http_response_codes[int(status)] += 1
        if isinstance(state, float):
            self._observe(
                "http_response_latency",
                self.http_response_latency,
                time.monotonic() - state,
            )

    # -- reading ------------------------------------------------------------

    def asdict(self) -> Mapping[str, Any]:
        """Every counter, JSON-friendly (served at ``/``)."""
        return monitor_asdict(self)

    def performance(self, app: AppT) -> Mapping[str, Any]:
        """Lag, latency percentiles and throughput (``/performance/``)."""
        return monitor_performance(self, app)

    def collect_metrics(self, app: AppT) -> list[MetricFamily]:
        """Every counter as Prometheus metric families (``/metrics``)."""
        return monitor_families(self, app)
