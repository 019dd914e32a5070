"""Push the Monitor's measurements to Datadog (needs :pypi:`datadog`).

Example:
    >>> from faust.sensors.datadog import DatadogMonitor
    >>> app.monitor = DatadogMonitor(host='localhost', port=8125, prefix='myapp')

Metrics have the statsd monitor's names without the label parts
(``messages_received``, ``read_offset``, ``events``, ``keys_retrieved``,
``http_status_code``...); labels become tags (``topic:orders``,
``partition:3``, ``stream:...``, ``table:...``, ``status:200``). Timings are
sent in milliseconds.
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..utils.extras import install_hint
from ._stats import Labels, StatsMonitor

__all__ = ["DatadogMonitor", "DatadogStatsClient"]

#: key -> metric name (keys not listed are used as they are)
NAMES: dict[str, str] = {
    "topic_messages_received": "messages_received",
    "topic_messages_sent": "messages_sent",
    "stream_events": "events",
    "table_keys_retrieved": "keys_retrieved",
    "table_keys_updated": "keys_updated",
    "table_keys_deleted": "keys_deleted",
}


def _tags(labels: Labels) -> Optional[list[str]]:
    if not labels:
        return None
    return [f"{k}:{v}" for k, v in labels.items()]


class DatadogMonitor(StatsMonitor):
    """A Monitor that also sends every measurement to DogStatsD.

    Arguments:
        host: DogStatsD host.
        port: DogStatsD UDP port.
        prefix: namespace of every metric.
        rate: sample rate.
        **kwargs: forwarded to :class:`~faust.sensors.Monitor`.
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int = 8125,
        prefix: str = "faust-app",
        rate: float = 1.0,
        **kwargs: Any,
    ) -> None:
        self.host = host
        self.port = port
        super().__init__(prefix=prefix, rate=rate, **kwargs)

    def _new_client(self) -> Any:
        try:
            datadog = importlib.import_module("datadog")
        except ImportError as exc:
            raise ImproperlyConfigured(
                "DatadogMonitor needs the datadog package: " + install_hint("datadog")
            ) from exc
        return datadog.DogStatsd(host=self.host, port=self.port, namespace=self.prefix)

    def _incr(self, key: str, value: int = 1, labels: Labels = None) -> None:
        self.client.increment(
            NAMES.get(key, key), value, tags=_tags(labels), sample_rate=self.rate
        )

    def _decr(self, key: str, value: int = 1, labels: Labels = None) -> None:
        self.client.decrement(
            NAMES.get(key, key), value, tags=_tags(labels), sample_rate=self.rate
        )

    def _gauge(self, key: str, value: float, labels: Labels = None) -> None:
        self.client.gauge(
            NAMES.get(key, key), value, tags=_tags(labels), sample_rate=self.rate
        )

    def _timing(self, key: str, seconds: float, labels: Labels = None) -> None:
        self.client.timing(
            NAMES.get(key, key),
            seconds * 1000.0,
            tags=_tags(labels),
            sample_rate=self.rate,
        )


class DatadogStatsClient:
    """A DogStatsD client taking labels as a dict (faust-streaming's API).

    Arguments:
        host: DogStatsD host.
        port: DogStatsD UDP port.
        prefix: namespace of every metric.
        rate: sample rate.
        **kwargs: more ``datadog.DogStatsd`` options.

    Raises:
        ImproperlyConfigured: the datadog package is not installed.
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int = 8125,
        prefix: str = "faust-app",
        rate: float = 1.0,
        **kwargs: Any,
    ) -> None:
        try:
            datadog = importlib.import_module("datadog")
        except ImportError as exc:
            raise ImproperlyConfigured(
                "DatadogStatsClient needs the datadog package: "
                "pip install 'faust-ng[datadog]'"
            ) from exc
        self.client = datadog.DogStatsd(
            host=host, port=port, namespace=prefix, **kwargs
        )
        self.rate = rate

    def gauge(self, metric: str, value: float, labels: Labels = None) -> None:
        """Set a gauge."""
        self.client.gauge(metric, value, tags=_tags(labels), sample_rate=self.rate)

    def increment(self, metric: str, value: float = 1.0, labels: Labels = None) -> None:
        """Add ``value`` to a counter."""
        self.client.increment(metric, value, tags=_tags(labels), sample_rate=self.rate)

    def incr(self, metric: str, count: int = 1) -> None:
        """Add ``count`` to a counter (no labels)."""
        self.increment(metric, count)

    def decrement(self, metric: str, value: float = 1.0, labels: Labels = None) -> None:
        """Subtract ``value`` from a counter."""
        self.client.decrement(metric, value, tags=_tags(labels), sample_rate=self.rate)

    def decr(self, metric: str, count: float = 1.0) -> None:
        """Subtract ``count`` from a counter (no labels)."""
        self.decrement(metric, count)

    def timing(self, metric: str, value: float, labels: Labels = None) -> None:
        """Record a timing in milliseconds."""
        self.client.timing(metric, value, tags=_tags(labels), sample_rate=self.rate)

    def timed(
        self,
        metric: Optional[str] = None,
        labels: Labels = None,
        use_ms: Optional[bool] = None,
    ) -> Any:
        """A decorator/context manager timing a block (DogStatsd's ``timed``)."""
        return self.client.timed(
            metric, tags=_tags(labels), sample_rate=self.rate, use_ms=use_ms
        )

    def histogram(self, metric: str, value: float, labels: Labels = None) -> None:
        """Record a value in a histogram."""
        self.client.histogram(metric, value, tags=_tags(labels), sample_rate=self.rate)
