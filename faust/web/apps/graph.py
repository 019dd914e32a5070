"""``/graph/``: the tree of services of this worker (``web_graph_enabled``).

A PNG when :pypi:`pydot` (and Graphviz) are installed, else the graph in
DOT text (``text/vnd.graphviz``), which any Graphviz tool renders. Ask for
DOT explicitly with ``?format=dot``.
"""

from __future__ import annotations

import importlib
import io
import logging
from typing import Any

from ..blueprints import Blueprint
from ..views import View

__all__ = ["Graph", "blueprint"]

logger = logging.getLogger(__name__)

blueprint = Blueprint("graph")


def _png(dot: str) -> bytes | None:
    try:
        pydot = importlib.import_module("pydot")
    except ImportError:
        return None
    try:
        graphs = pydot.graph_from_dot_data(dot)
        png: bytes = graphs[0].create_png()
        return png
    except Exception as exc:  # Graphviz missing or failing: fall back to DOT
        logger.warning("Cannot render the service graph as PNG: %r", exc)
        return None


@blueprint.route("/", name="index")
class Graph(View):
    """The service graph, as PNG or DOT."""

    serves_while_recovering = True

    overridable = True

    async def get(self, request: Any) -> Any:
        """Draw the graph."""
        out = io.StringIO()
        self.app.beacon.as_graph().to_dot(out)
        dot = out.getvalue()
        if request.query.get("format") != "dot":
            png = _png(dot)
            if png is not None:
                return self.bytes(png, content_type="image/png")
        return self.text(dot, content_type="text/vnd.graphviz")
