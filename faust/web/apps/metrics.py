"""``/metrics``: every sensor's metrics in the Prometheus text format.

The exposition format (version 0.0.4) is written here, by hand: no
dependency. Any sensor in ``app.sensors`` that has a
``collect_metrics(app)`` method returning :class:`MetricFamily` objects
contributes (the Monitor does: messages, events, latencies, tables,
offsets and lag, rebalances, HTTP). When two sensors give a family of the
same name, the first one registered wins.

Example of adding your own metric from a custom sensor:

    >>> class QueueDepth(faust.Sensor):
    ...     def collect_metrics(self, app):
    ...         family = MetricFamily('myapp_queue_depth', 'gauge', 'Jobs queued.')
    ...         family.add(len(queue))
    ...         return [family]
    >>> app.sensors.add(QueueDepth())
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Optional, Protocol, runtime_checkable

from ...types import AppT
from ..blueprints import Blueprint
from ..views import View

__all__ = [
    "CONTENT_TYPE",
    "MetricFamily",
    "MetricsCollector",
    "Sample",
    "blueprint",
    "collect",
    "render",
]

#: The ``Content-Type`` of the text exposition format.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

METRIC_TYPES = frozenset({"counter", "gauge", "summary", "histogram", "untyped"})
_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

blueprint = Blueprint("metrics")


class Sample(NamedTuple):
    """One line: ``{family}{suffix}{labels} value``."""

    suffix: str
    labels: tuple[tuple[str, str], ...]
    value: float


class MetricFamily:
    """A metric and its samples.

    Arguments:
        name: the metric name (``[a-zA-Z_:][a-zA-Z0-9_:]*``); counters are
            named without ``_total``, which their samples get.
        type: ``counter``, ``gauge``, ``summary``, ``histogram`` or
            ``untyped``.
        help: one line describing the metric.

    Raises:
        ValueError: invalid name or type.
    """

    __slots__ = ("name", "type", "help", "samples")

    def __init__(self, name: str, type: str, help: str) -> None:
        if not _NAME_RE.match(name):
            raise ValueError(f"Invalid metric name: {name!r}")
        if type not in METRIC_TYPES:
            raise ValueError(f"Invalid metric type: {type!r}")
        self.name = name
        self.type = type
        self.help = help
        self.samples: list[Sample] = []

    def add(
        self,
        value: float,
        labels: Optional[Mapping[str, Any]] = None,
        suffix: Optional[str] = None,
    ) -> MetricFamily:
        """Add a sample (counters get the ``_total`` suffix by default)."""
        if suffix is None:
            suffix = "_total" if self.type == "counter" else ""
        pairs = tuple((k, str(v)) for k, v in (labels or {}).items())
        for key, _ in pairs:
            if not _LABEL_RE.match(key) or key.startswith("__"):
                raise ValueError(f"Invalid label name: {key!r}")
        self.samples.append(Sample(suffix, pairs, float(value)))
        return self

    def __repr__(self) -> str:
        return f"<MetricFamily {self.type} {self.name}: {len(self.samples)} samples>"


@runtime_checkable
class MetricsCollector(Protocol):
    """Anything that contributes metrics to ``/metrics``."""

    def collect_metrics(self, app: AppT) -> Iterable[MetricFamily]:
        """The metric families to serve now."""
        ...


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def render(families: Iterable[MetricFamily]) -> str:
    """The families in the text exposition format (one name, one family)."""
    lines: list[str] = []
    seen: set[str] = set()
    for family in families:
        if family.name in seen:
            continue
        seen.add(family.name)
        # counters are announced under their sample name (``x_total``), as
        # Prometheus's own client writes the 0.0.4 text format
        head = f"{family.name}_total" if family.type == "counter" else family.name
        lines.append(f"# HELP {head} {_escape_help(family.help)}")
        lines.append(f"# TYPE {head} {family.type}")
        for suffix, labels, value in family.samples:
            if labels:
                inner = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels)
                label_text = "{" + inner + "}"
            else:
                label_text = ""
            lines.append(f"{family.name}{suffix}{label_text} {_format_value(value)}")
    return "\n".join(lines) + "\n" if lines else ""


def _app_families(app: AppT, web_ready: Optional[bool]) -> list[MetricFamily]:
    info = MetricFamily("faust_app_info", "gauge", "The app and its version.")
    info.add(1, {"app": app.conf.id, "worker": str(app.conf.canonical_url)})
    families = [info]
    if web_ready is not None:
        ready = MetricFamily(
            "faust_ready", "gauge", "1 when the worker is ready (see /readyz)."
        )
        families.append(ready.add(1 if web_ready else 0))
    rebalancing = MetricFamily(
        "faust_rebalancing", "gauge", "1 while a rebalance is in progress."
    )
    families.append(rebalancing.add(1 if app.rebalancing else 0))
    return families


def collect(app: AppT, web_ready: Optional[bool] = None) -> list[MetricFamily]:
    """The app's own families, then those of every collecting sensor."""
    families = _app_families(app, web_ready)
    for sensor in app.sensors:
        if isinstance(sensor, MetricsCollector):
            families.extend(sensor.collect_metrics(app))
    return families


@blueprint.route("/metrics", name="metrics")
class Metrics(View):
    """Prometheus scrape endpoint."""

    serves_while_recovering = True

    overridable = True

    def metrics(self) -> str:
        """The current metrics, in the Prometheus text exposition format."""
        ready, _ = self.web.readiness()
        return render(collect(self.app, ready))

    async def get(self, request: Any) -> Any:
        """The metrics, in the text exposition format."""
        body = self.metrics()
        return self.bytes(body.encode(), headers={"Content-Type": CONTENT_TYPE})
