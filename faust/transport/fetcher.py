"""The Fetcher: moves fetched messages from the consumer to the conductor.

Owner: the Consumer. Children: none. Tasks: ``_fetcher``, a loop that asks
the consumer for the next batch and hands it to the consumer's callback (the
conductor: the whole batch in one call, ``on_messages``), which may wait when
stream buffers are full. That wait is the back-pressure: no new batch is
fetched until there is room.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from mode import Service

from ..types import ConsumerT

__all__ = ["Fetcher"]

logger = logging.getLogger(__name__)


def _batch_callback(callback: Any) -> Any:
    """The batch form of the consumer's callback, if it has one.

    The conductor's ``on_message`` has ``on_messages``: one call per fetched
    batch instead of one coroutine per message.
    """
    owner = getattr(callback, "__self__", None)
    if owner is not None and getattr(callback, "__name__", "") == "on_message":
        return getattr(owner, "on_messages", None)
    return None


class Fetcher(Service):
    """Drains the consumer into the conductor.

    Arguments:
        consumer: the consumer to fetch from.
        timeout: seconds a fetch may wait for new messages.
    """

    mundane_level = "debug"

    def __init__(
        self, consumer: ConsumerT, *, timeout: Optional[float] = None, **kwargs: Any
    ) -> None:
        self.consumer = consumer
        self.timeout = timeout if timeout is not None else 1.0
        super().__init__(**kwargs)

    @Service.task
    async def _fetcher(self) -> None:
        consumer: Any = self.consumer
        fetch = consumer.fetch_messages
        stopped_errors = consumer.consumer_stopped_errors
        timeout = self.timeout
        try:
            while not self.should_stop:
                messages = await fetch(timeout)
                if not messages:
                    continue
                callback = consumer.callback
                deliver_many = _batch_callback(callback)
                if deliver_many is not None:
                    await deliver_many(messages)
                else:
                    for message in messages:
                        await callback(message)
        except stopped_errors:
            if not self.should_stop:
                logger.warning("Consumer stopped: fetching ends")
        except Exception as exc:
            logger.exception("Fetcher crashed: %r", exc)
            await self.crash(exc)
            raise
