"""``/`` sensor statistics and ``/assignment/`` (``web_stats_enabled``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ...types import TP
from ..blueprints import Blueprint
from ..views import View

__all__ = ["Assignment", "Stats", "blueprint"]

blueprint = Blueprint("monitor")


def _by_topic(tps: Iterable[TP]) -> dict[str, list[int]]:
    topics: defaultdict[str, list[int]] = defaultdict(list)
    for tp in tps:
        topics[tp.topic].append(tp.partition)
    return {topic: sorted(parts) for topic, parts in sorted(topics.items())}


@blueprint.route("/", name="index")
class Stats(View):
    """``{"Sensor0": {...}, "Sensor1": {...}}``: each sensor's ``asdict()``."""

    serves_while_recovering = True

    overridable = True

    async def get(self, request: Any) -> Any:
        """The statistics of every sensor."""
        return self.json(
            {f"Sensor{i}": sensor.asdict() for i, sensor in enumerate(self.app.sensors)}
        )


@blueprint.route("/assignment/", name="assignment")
class Assignment(View):
    """``{"actives": {topic: [partition, ...]}, "standbys": {...}}``."""

    serves_while_recovering = True

    overridable = True

    async def get(self, request: Any) -> Any:
        """The partitions assigned to this worker."""
        assignor = self.app.assignor
        return self.json(
            {
                "actives": _by_topic(assignor.assigned_actives()),
                "standbys": _by_topic(assignor.assigned_standbys()),
            }
        )
