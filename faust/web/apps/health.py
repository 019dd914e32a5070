"""``/livez`` and ``/readyz``: health probes (e.g. for Kubernetes).

``/livez`` answers 200 while the app has not crashed and its event loop
keeps turning (checked by a timer of the web service, so a loop blocked
for 30 s fails the probe even when the server runs in its own thread).

``/readyz`` answers 200 once the worker started and its tables recovered,
and 503 while they recover (again after each rebalance): route traffic to a
worker only when it can answer from up-to-date tables.

Both answer JSON with the individual checks.
"""

from __future__ import annotations

from typing import Any

from ..blueprints import Blueprint
from ..views import View

__all__ = ["Liveness", "Readiness", "blueprint"]

blueprint = Blueprint("health")


@blueprint.route("/livez", name="livez")
class Liveness(View):
    """200 ``{"status": "alive"}`` or 503 ``{"error": "not alive"}``."""

    serves_while_recovering = True

    overridable = True

    async def get(self, request: Any) -> Any:
        """Probe liveness."""
        ok, checks = self.web.liveness()
        if ok:
            return self.json({"status": "alive", "checks": checks})
        return self.error(503, "not alive", checks=checks)


@blueprint.route("/readyz", name="readyz")
class Readiness(View):
    """200 ``{"status": "ready"}`` or 503 ``{"error": "not ready"}``."""

    serves_while_recovering = True

    overridable = True

    async def get(self, request: Any) -> Any:
        """Probe readiness."""
        ok, checks = self.web.readiness()
        if ok:
            return self.json({"status": "ready", "checks": checks})
        return self.error(503, "not ready", checks=checks)
