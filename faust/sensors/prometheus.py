"""Serve the Monitor through :pypi:`prometheus_client` (optional).

Every worker already serves ``/metrics`` in the Prometheus text format with
no extra package (see :mod:`faust.web.apps.metrics`). Use this module when
the process also has its own ``prometheus_client`` metrics, to serve them
and faust's from one registry, or to keep Faust's APIs:

    >>> from faust.sensors.prometheus import PrometheusMonitor
    >>> app.monitor = PrometheusMonitor(app, pattern='/metrics')   # Faust 1.x

    >>> from faust.sensors.prometheus import setup_prometheus_sensors
    >>> setup_prometheus_sensors(app, pattern='/metrics')          # faust-streaming

The Monitor's counters are read at scrape time by a registry collector:
no per-event work is added. The page at ``pattern`` replaces the built-in
``/metrics`` view.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any, Optional

from ..exceptions import ImproperlyConfigured
from ..types import AppT
from ..web.apps.metrics import MetricFamily
from .monitor import Monitor

__all__ = ["PrometheusMonitor", "FaustCollector", "setup_prometheus_sensors"]


def _prometheus_client() -> Any:
    try:
        return importlib.import_module("prometheus_client")
    except ImportError as exc:
        raise ImproperlyConfigured(
            "PrometheusMonitor needs prometheus_client: pip install 'faust[prometheus]'"
        ) from exc


class FaustCollector:
    """A ``prometheus_client`` collector reading a Monitor at scrape time.

    Arguments:
        app: the app.
        monitor: the monitor to read.
        name_prefix: replaces the ``faust`` prefix of metric names.
    """

    def __init__(
        self, app: AppT, monitor: Monitor, name_prefix: Optional[str] = None
    ) -> None:
        self.app = app
        self.monitor = monitor
        self.name_prefix = name_prefix

    def _name(self, name: str) -> str:
        if self.name_prefix and name.startswith("faust_"):
            return f"{self.name_prefix}_{name[len('faust_') :]}"
        return name

    def collect(self) -> Iterator[Any]:
        """Yield ``prometheus_client`` metrics (called by the registry)."""
        metric_cls = _prometheus_client().Metric
        families: list[MetricFamily] = self.monitor.collect_metrics(self.app)
        for family in families:
            name = self._name(family.name)
            metric = metric_cls(name, family.help, family.type)
            for suffix, labels, value in family.samples:
                metric.add_sample(name + suffix, dict(labels), value)
            yield metric


class PrometheusMonitor(Monitor):
    """A Monitor whose counters are served by ``prometheus_client``.

    Arguments:
        app: the app (its web server serves the metrics at ``pattern``).
        pattern: URL path of the metrics page.
        registry: the ``prometheus_client`` registry (default: the global one).
        name_prefix: replaces the ``faust`` prefix of metric names.
        **kwargs: forwarded to :class:`~faust.sensors.Monitor`.
    """

    def __init__(
        self,
        app: AppT,
        pattern: str = "/metrics",
        *,
        registry: Any = None,
        name_prefix: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        client = _prometheus_client()
        super().__init__(**kwargs)
        self.app = app
        self.pattern = pattern
        self.registry = registry if registry is not None else client.REGISTRY
        self.collector = FaustCollector(app, self, name_prefix)
        self.registry.register(self.collector)
        self._expose(app, pattern)

    def _expose(self, app: AppT, pattern: str) -> None:
        registry = self.registry

        @app.page(pattern, name="prometheus_metrics")
        async def metrics_handler(view: Any, request: Any) -> Any:
            client = _prometheus_client()
            return view.bytes(
                client.generate_latest(registry),
                headers={"Content-Type": client.CONTENT_TYPE_LATEST},
            )

    def unregister(self) -> None:
        """Remove this monitor's collector from the registry."""
        self.registry.unregister(self.collector)


def setup_prometheus_sensors(
    app: AppT,
    pattern: str = "/metrics",
    registry: Any = None,
    name_prefix: Optional[str] = None,
) -> PrometheusMonitor:
    """Make a :class:`PrometheusMonitor` the app's monitor (faust-streaming API)."""
    monitor = PrometheusMonitor(
        app, pattern, registry=registry, name_prefix=name_prefix
    )
    app.monitor = monitor
    return monitor
