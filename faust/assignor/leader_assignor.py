"""Leader election: the worker assigned partition 0 of the leader topic leads.

Owner: the app. Children: none. Tasks: none. ``on_start`` declares the
one-partition topic ``{app.id}-__assignor-__leader`` and subscribes to it
(unless ``topic_disable_leader``); the group then assigns its only partition
to exactly one member.
"""

from __future__ import annotations

from typing import Any

from mode import Service

from ..types import TP, AppT, TopicT
from ..types.assignor import LeaderAssignorT

__all__ = ["LeaderAssignor"]


class LeaderAssignor(Service, LeaderAssignorT):
    """Elects one worker of the group as leader.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self._leader_topic: Any = None
        Service.__init__(self, **kwargs)

    async def on_start(self) -> None:
        """Declare and subscribe to the leader topic."""
        if self.app.conf.topic_disable_leader:
            return
        topic = self.leader_topic
        await topic.maybe_declare()
        self.app.topics.add(topic)
        self.app.consumer.randomly_assigned_topics.add(self.leader_topic_name())

    @property
    def leader_topic(self) -> TopicT[Any]:
        """The one-partition topic used for the election."""
        if self._leader_topic is None:
            self._leader_topic = self.app.topic(
                self.leader_topic_name(),
                partitions=1,
                acks=False,
                internal=True,
            )
        return self._leader_topic  # type: ignore[no-any-return]  # set above

    def leader_topic_name(self) -> str:
        """``{app.id}-__assignor-__leader``."""
        return f"{self.app.conf.id}-__assignor-__leader"

    def is_leader(self) -> bool:
        """True if this worker is assigned partition 0 of the leader topic."""
        return TP(self.leader_topic_name(), 0) in self.app.consumer.assignment()
