"""Worker performance metrics for any web framework.

:func:`performance_metrics` builds the payload ``/performance/`` serves
(with ``web_metrics_enabled``): throughput, latency percentiles, consumer
lag, tables and errors, as JSON-compatible values. Use it to serve the same
report from another web framework::

    from faust.sensors import performance_metrics

    @fastapi_app.get("/performance")
    def performance():
        return performance_metrics(faust_app)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import ImproperlyConfigured
from ..types import AppT

__all__ = ["performance_metrics"]


def performance_metrics(app: AppT) -> Mapping[str, Any]:
    """The worker's performance report (the ``/performance/`` payload).

    Arguments:
        app: the app whose monitor measured the worker.

    Raises:
        ImproperlyConfigured: ``app.monitor`` is not a
            :class:`faust.sensors.Monitor`; use Monitor or a subclass of it.
    """
    report = getattr(app.monitor, "performance", None)
    if report is None:
        raise ImproperlyConfigured(
            f"app.monitor ({type(app.monitor).__name__}) has no performance(): "
            "use faust.sensors.Monitor or a subclass of it"
        )
    payload: Mapping[str, Any] = report(app)
    return payload
