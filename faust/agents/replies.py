"""The ReplyConsumer: receives replies to ``agent.ask()`` requests.

Owner: the app. Children: none. Tasks: none until the app sends requests.
With ``reply_create_topic`` the app's reply topic (``conf.reply_to``) is
declared and subscribed at start.
"""

from __future__ import annotations

from typing import Any

from mode import Service

from ..types import AppT

__all__ = ["ReplyConsumer"]


class ReplyConsumer(Service):
    """Consumes the reply topic of this app instance.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        Service.__init__(self, **kwargs)

    async def on_start(self) -> None:
        """Declare the reply topic when ``reply_create_topic`` is set."""
        conf = self.app.conf
        if conf.reply_create_topic:
            topic = self.app.topic(
                conf.reply_to,
                partitions=1,
                replicas=0,
                deleting=True,
                retention=conf.reply_expires,
                internal=True,
            )
            await topic.maybe_declare()
