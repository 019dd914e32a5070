"""Push the Monitor's measurements to statsd (needs :pypi:`statsd`).

Example:
    >>> from faust.sensors.statsd import StatsdMonitor
    >>> app.monitor = StatsdMonitor(host='localhost', port=8125, prefix='myapp')

Labels become parts of the dotted name, as in Faust:
``topic.{topic}.messages_received``, ``read_offset.{topic}.{partition}``,
``stream.{stream}.events``, ``table.{table}.keys_retrieved``,
``http_status_code.{status}``; timings are sent in milliseconds.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..exceptions import ImproperlyConfigured
from ..utils.extras import install_hint
from ._stats import Labels, StatsMonitor

__all__ = ["StatsdMonitor"]

#: key -> dotted name template (keys not listed are used as they are)
NAMES: dict[str, str] = {
    "topic_messages_received": "topic.{topic}.messages_received",
    "topic_messages_sent": "topic.{topic}.messages_sent",
    "read_offset": "read_offset.{topic}.{partition}",
    "committed_offset": "committed_offset.{topic}.{partition}",
    "end_offset": "end_offset.{topic}.{partition}",
    "stream_events": "stream.{stream}.events",
    "table_keys_retrieved": "table.{table}.keys_retrieved",
    "table_keys_updated": "table.{table}.keys_updated",
    "table_keys_deleted": "table.{table}.keys_deleted",
    "http_status_code": "http_status_code.{status}",
}


def _name(key: str, labels: Labels) -> str:
    template = NAMES.get(key)
    if template is None or not labels:
        return key
    return template.format(**labels)


class StatsdMonitor(StatsMonitor):
    """A Monitor that also sends every measurement to statsd.

    Arguments:
        host: statsd host.
        port: statsd UDP port.
        prefix: prefix of every metric name.
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
            statsd = importlib.import_module("statsd")
        except ImportError as exc:
            raise ImproperlyConfigured(
                "StatsdMonitor needs the statsd package: " + install_hint("statsd")
            ) from exc
        return statsd.StatsClient(host=self.host, port=self.port, prefix=self.prefix)

    def _incr(self, key: str, value: int = 1, labels: Labels = None) -> None:
        self.client.incr(_name(key, labels), count=value, rate=self.rate)

    def _decr(self, key: str, value: int = 1, labels: Labels = None) -> None:
        self.client.decr(_name(key, labels), count=value, rate=self.rate)

    def _gauge(self, key: str, value: float, labels: Labels = None) -> None:
        self.client.gauge(_name(key, labels), value, rate=self.rate)

    def _timing(self, key: str, seconds: float, labels: Labels = None) -> None:
        self.client.timing(_name(key, labels), seconds * 1000.0, rate=self.rate)
