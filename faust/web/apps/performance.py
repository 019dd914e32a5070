"""``/performance/``: lag, latency percentiles and throughput as JSON.

Served when ``web_metrics_enabled`` is set (off by default), whatever
``debug`` says, so it can stay on in production. The payload is the
Monitor's :meth:`~faust.sensors.Monitor.performance`, grouped by concern:

* ``throughput``: messages and events in flight, totals, per second;
* ``latency``: for events, commits, sends, assignments, rebalances and HTTP
  responses, ``count`` of recent values and their ``p50``/``p95``/``p99``/
  ``max`` in seconds (None before the first value);
* ``consumer``: ``lag_total``, ``lag_by_partition`` (end offset minus the
  committed offset, as ``faust_consumer_lag`` on ``/metrics``), the read,
  committed and end offsets, and the number of rebalances;
* ``tables``, ``errors`` and ``topic_buffer_full``.

``/metrics`` serves the same measurements in the Prometheus format.
"""

from __future__ import annotations

from typing import Any

from ..blueprints import Blueprint
from ..exceptions import ServiceUnavailable
from ..views import View

__all__ = ["Performance", "blueprint"]

blueprint = Blueprint("performance")


@blueprint.route("/", name="index")
class Performance(View):
    """The app monitor's performance report."""

    serves_while_recovering = True

    async def get(self, request: Any) -> Any:
        """Lag, latency percentiles and throughput of this worker."""
        report = getattr(self.app.monitor, "performance", None)
        if report is None:
            raise ServiceUnavailable(
                "app.monitor has no performance(): use faust.sensors.Monitor "
                "or a subclass of it"
            )
        return self.json(report(self.app))
