"""Reading a Monitor: as a dict (``/``) and as Prometheus families (``/metrics``).

Everything read is copied first (``dict(...)``, ``list(...)``: single C
calls, atomic under the GIL), so a web server running in its own thread
never iterates a dict the event loop is changing.

Metric names (all prefixed ``faust_``; counters get ``_total`` samples):

============================================  =========  ====================
metric                                        type       labels
============================================  =========  ====================
messages_received / messages_sent             counter    topic
messages_active, events_active                gauge
send_errors, assignments_completed/failed     counter
rebalances                                    counter
events                                        counter    stream
messages_per_second, events_per_second        gauge
event_runtime_seconds, commit_latency_seconds,  summary  (quantile)
send_latency_seconds, assignment_latency_seconds,
rebalance_return_latency_seconds,
rebalance_end_latency_seconds,
http_response_latency_seconds
topic_buffer_full                             counter    topic, partition
table_operations                              counter    table, operation
table_late_events                             counter    table
table_changelog_records_skipped               counter    table
custom_count                                  counter    name
topic_partition_{read,committed,end}_offset   gauge      topic, partition
consumer_lag                                  gauge      topic, partition
http_responses                                counter    status
============================================  =========  ====================

``consumer_lag`` is the end offset minus the committed offset (or minus
the next offset to read when nothing was committed yet): messages not yet
processed and committed. End offsets come from ``track_tp_end_offset`` and,
at scrape time, from the consumer's high watermarks.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..types import TP, AppT
from ..web.apps.metrics import MetricFamily

if TYPE_CHECKING:  # pragma: no cover
    from .monitor import Monitor

__all__ = [
    "consumer_offsets",
    "latency_summaries",
    "monitor_asdict",
    "monitor_performance",
    "monitor_families",
]

logger = logging.getLogger(__name__)

PREFIX = "faust_"
QUANTILES = (0.5, 0.95, 0.99)

#: Monitor attribute -> (metric name, help) of the latency summaries.
LATENCIES: dict[str, tuple[str, str]] = {
    "events_runtime": ("event_runtime_seconds", "Time streams took per event."),
    "commit_latency": ("commit_latency_seconds", "Time offset commits took."),
    "send_latency": ("send_latency_seconds", "Time until a send was acked."),
    "assignment_latency": (
        "assignment_latency_seconds",
        "Time partition assignments took.",
    ),
    "rebalance_return_latency": (
        "rebalance_return_latency_seconds",
        "Time until the rebalance callback returned.",
    ),
    "rebalance_end_latency": (
        "rebalance_end_latency_seconds",
        "Time until a rebalance finished (tables recovered).",
    ),
    "http_response_latency": (
        "http_response_latency_seconds",
        "Time web views took to answer.",
    ),
}


def _avg(values: deque[float]) -> float:
    snapshot = list(values)
    return sum(snapshot) / len(snapshot) if snapshot else 0.0


def _copy_offsets(
    offsets: Mapping[str, Mapping[int, int]],
) -> dict[str, dict[int, int]]:
    return {topic: dict(parts) for topic, parts in dict(offsets).items()}


def monitor_asdict(m: Monitor) -> Mapping[str, Any]:
    """Every counter of ``m``, JSON-friendly."""
    return {
        "messages_active": m.messages_active,
        "messages_received_total": m.messages_received_total,
        "messages_sent": m.messages_sent,
        "messages_sent_by_topic": dict(m.messages_sent_by_topic),
        "messages_s": m.messages_s,
        "messages_received_by_topic": dict(m.messages_received_by_topic),
        "events_active": m.events_active,
        "events_total": m.events_total,
        "events_s": m.events_s,
        "events_runtime_avg": _avg(m.events_runtime),
        "events_by_task": dict(m.events_by_task),
        "events_by_stream": dict(m.events_by_stream),
        "commit_latency": list(m.commit_latency),
        "send_latency": list(m.send_latency),
        "assignment_latency": list(m.assignment_latency),
        "assignments_completed": m.assignments_completed,
        "assignments_failed": m.assignments_failed,
        "send_errors": m.send_errors,
        "topic_buffer_full": {
            f"{tp.topic}:{tp.partition}": n
            for tp, n in dict(m.topic_buffer_full).items()
        },
        "metric_counts": dict(m.metric_counts),
        "tables": {name: state.asdict() for name, state in dict(m.tables).items()},
        "topic_committed_offsets": _copy_offsets(m.topic_committed_offsets),
        "topic_read_offsets": _copy_offsets(m.topic_read_offsets),
        "topic_end_offsets": _copy_offsets(m.topic_end_offsets),
        "rebalances": m.rebalances,
        "rebalance_return_latency": list(m.rebalance_return_latency),
        "rebalance_end_latency": list(m.rebalance_end_latency),
        "rebalance_return_avg": _avg(m.rebalance_return_latency),
        "rebalance_end_avg": _avg(m.rebalance_end_latency),
        "http_response_codes": dict(m.http_response_codes),
        "http_response_latency": list(m.http_response_latency),
        "http_response_latency_avg": _avg(m.http_response_latency),
    }


def _family(name: str, type_: str, help_: str) -> MetricFamily:
    return MetricFamily(PREFIX + name, type_, help_)


def _quantile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def latency_summaries(m: Monitor) -> Mapping[str, Mapping[str, Any]]:
    """Per latency kind: percentiles of the recent values, in seconds.

    ``{"commit_latency": {"count": 12, "p50": ..., "p95": ..., "p99": ...,
    "max": ...}, ...}``: ``count`` is how many recent values were kept;
    the percentiles are None when there is none yet.
    """
    found: dict[str, Mapping[str, Any]] = {}
    for attr in LATENCIES:
        ordered = sorted(list(getattr(m, attr)))
        summary: dict[str, Any] = {"count": len(ordered)}
        for q in QUANTILES:
            summary[f"p{round(q * 100)}"] = _quantile(ordered, q) if ordered else None
        summary["max"] = ordered[-1] if ordered else None
        found[attr] = summary
    return found


def _summary(m: Monitor, attr: str) -> MetricFamily:
    name, help_ = LATENCIES[attr]
    family = _family(name, "summary", f"{help_} Quantiles over recent values.")
    ordered = sorted(list(getattr(m, attr)))
    for q in QUANTILES:
        family.add(_quantile(ordered, q), {"quantile": q})
    count, total = m.latency_total(attr)
    family.add(count, suffix="_count")
    family.add(total, suffix="_sum")
    return family


def _by_label(
    name: str, type_: str, help_: str, label: str, values: Mapping[Any, float]
) -> MetricFamily:
    family = _family(name, type_, help_)
    for key, value in sorted(dict(values).items(), key=lambda kv: str(kv[0])):
        family.add(value, {label: key})
    return family


def _scalars(m: Monitor) -> list[MetricFamily]:
    return [
        _family("messages_active", "gauge", "Messages received, not yet done.").add(
            m.messages_active
        ),
        _family("events_active", "gauge", "Events being processed.").add(
            m.events_active
        ),
        _family("messages_per_second", "gauge", "Messages received last second.").add(
            m.messages_s
        ),
        _family("events_per_second", "gauge", "Events processed last second.").add(
            m.events_s
        ),
        _family("send_errors", "counter", "Sends that failed.").add(m.send_errors),
        _family("assignments_completed", "counter", "Assignments done.").add(
            m.assignments_completed
        ),
        _family("assignments_failed", "counter", "Assignments failed.").add(
            m.assignments_failed
        ),
        _family("rebalances", "counter", "Rebalances of the group.").add(m.rebalances),
    ]


def _labelled(m: Monitor) -> list[MetricFamily]:
    buffers = _family("topic_buffer_full", "counter", "Times a stream buffer was full.")
    for tp, n in sorted(dict(m.topic_buffer_full).items()):
        buffers.add(n, {"topic": tp.topic, "partition": tp.partition})
    tables = _family("table_operations", "counter", "Table key reads/writes/deletes.")
    late = _family(
        "table_late_events", "counter", "Writes dropped: their windows had closed."
    )
    skipped = _family(
        "table_changelog_records_skipped",
        "counter",
        "Changelog records recovery could not apply.",
    )
    for name, state in sorted(dict(m.tables).items()):
        tables.add(state.keys_retrieved, {"table": name, "operation": "get"})
        tables.add(state.keys_updated, {"table": name, "operation": "set"})
        tables.add(state.keys_deleted, {"table": name, "operation": "del"})
        late.add(state.late_events, {"table": name})
        skipped.add(state.changelog_records_skipped, {"table": name})
    return [
        late,
        skipped,
        _by_label(
            "messages_received",
            "counter",
            "Messages received.",
            "topic",
            m.messages_received_by_topic,
        ),
        _by_label(
            "messages_sent",
            "counter",
            "Messages sent.",
            "topic",
            m.messages_sent_by_topic,
        ),
        _by_label(
            "events", "counter", "Events processed.", "stream", m.events_by_stream
        ),
        _by_label(
            "custom_count",
            "counter",
            "Monitor.count() counters.",
            "name",
            m.metric_counts,
        ),
        _by_label(
            "http_responses",
            "counter",
            "Web responses by status.",
            "status",
            m.http_response_codes,
        ),
        buffers,
        tables,
    ]


def _end_offsets(m: Monitor, app: AppT) -> dict[TP, int]:
    ends = {
        TP(topic, p): o
        for topic, parts in _copy_offsets(m.topic_end_offsets).items()
        for p, o in parts.items()
    }
    if not app.started or app.producer_only or app.client_only:
        return ends
    consumer = app.consumer
    try:
        for tp in consumer.assignment():
            ends[tp] = consumer.highwater(tp)
    except Exception as exc:  # a driver without high watermarks yet
        logger.debug("No high watermarks for /metrics: %r", exc)
    return ends


def _offsets(m: Monitor, app: AppT) -> list[MetricFamily]:
    read = _copy_offsets(m.topic_read_offsets)
    committed = _copy_offsets(m.topic_committed_offsets)
    ends = _end_offsets(m, app)
    families = []
    for kind, source in (("read", read), ("committed", committed)):
        family = _family(
            f"topic_partition_{kind}_offset", "gauge", f"Last {kind} offset."
        )
        for topic, parts in sorted(source.items()):
            for p, offset in sorted(parts.items()):
                family.add(offset, {"topic": topic, "partition": p})
        families.append(family)
    end = _family("topic_partition_end_offset", "gauge", "End offset (high watermark).")
    lag = _family("consumer_lag", "gauge", "Messages not yet processed and committed.")
    lags = _lag(read, committed, ends)
    for tp, offset in sorted(ends.items()):
        labels = {"topic": tp.topic, "partition": tp.partition}
        end.add(offset, labels)
        if tp in lags:
            lag.add(lags[tp], labels)
    return [*families, end, lag]


def _lag(
    read: Mapping[str, Mapping[int, int]],
    committed: Mapping[str, Mapping[int, int]],
    ends: Mapping[TP, int],
) -> dict[TP, int]:
    lags: dict[TP, int] = {}
    for tp, offset in ends.items():
        done = committed.get(tp.topic, {}).get(tp.partition)
        if done is None:
            last_read = read.get(tp.topic, {}).get(tp.partition)
            done = last_read + 1 if last_read is not None else None
        if done is not None:  # unknown: not reported (neither 0 nor everything)
            lags[tp] = max(offset - done, 0)
    return lags


def consumer_offsets(m: Monitor, app: AppT) -> Mapping[str, Any]:
    """Read, committed and end offsets and the lag, as ``/metrics`` has them.

    Offsets are ``{topic: {partition: offset}}``; ``lag`` (same shape) is the
    end offset minus the committed one (minus the next to read when nothing
    was committed); partitions whose progress is unknown are left out.
    """
    read = _copy_offsets(m.topic_read_offsets)
    committed = _copy_offsets(m.topic_committed_offsets)
    ends = _end_offsets(m, app)
    lag: dict[str, dict[int, int]] = {}
    for tp, behind in sorted(_lag(read, committed, ends).items()):
        lag.setdefault(tp.topic, {})[tp.partition] = behind
    end: dict[str, dict[int, int]] = {}
    for tp, offset in sorted(ends.items()):
        end.setdefault(tp.topic, {})[tp.partition] = offset
    return {
        "read_offsets": read,
        "committed_offsets": committed,
        "end_offsets": end,
        "lag": lag,
    }


def monitor_families(m: Monitor, app: AppT) -> list[MetricFamily]:
    """Every counter of ``m`` as metric families."""
    return [
        *_scalars(m),
        *_labelled(m),
        *(_summary(m, attr) for attr in LATENCIES),
        *_offsets(m, app),
    ]


def monitor_performance(m: Monitor, app: AppT) -> Mapping[str, Any]:
    """The ``/performance/`` payload: ``m``'s measurements grouped by concern.

    ``throughput``, ``latency`` (percentiles, see :func:`latency_summaries`),
    ``consumer`` (offsets and lag, see :func:`consumer_offsets`; with
    ``lag_total``), ``tables``, ``errors`` and ``topic_buffer_full``.
    """
    consumer = dict(consumer_offsets(m, app))
    lag = consumer.pop("lag")
    return {
        "app": {"id": app.conf.id, "web_port": app.conf.web_port},
        "throughput": {
            "messages_active": m.messages_active,
            "messages_received_total": m.messages_received_total,
            "messages_s": m.messages_s,
            "messages_sent": m.messages_sent,
            "events_active": m.events_active,
            "events_total": m.events_total,
            "events_s": m.events_s,
        },
        "latency": latency_summaries(m),
        "consumer": {
            "lag_total": sum(n for parts in lag.values() for n in parts.values()),
            "lag_by_partition": lag,
            **consumer,
            "rebalances": m.rebalances,
        },
        "tables": {name: state.asdict() for name, state in dict(m.tables).items()},
        "errors": {
            "send_errors": m.send_errors,
            "assignments_completed": m.assignments_completed,
            "assignments_failed": m.assignments_failed,
            "http_response_codes": dict(m.http_response_codes),
        },
        "topic_buffer_full": {
            f"{tp.topic}:{tp.partition}": n
            for tp, n in dict(m.topic_buffer_full).items()
        },
    }
