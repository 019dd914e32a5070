"""``/`` when statistics are not served: ``{"status": "OK"}``."""

from __future__ import annotations

from typing import Any

from ..blueprints import Blueprint
from ..views import View

__all__ = ["Index", "blueprint"]

blueprint = Blueprint("production_index")


@blueprint.route("/", name="index")
class Index(View):
    """Says the worker answers (use ``/readyz`` for readiness)."""

    serves_while_recovering = True

    overridable = True

    async def get(self, request: Any) -> Any:
        """``{"status": "OK"}``."""
        return self.json({"status": "OK"})
