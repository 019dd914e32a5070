"""Replies to ``agent.ask()``, ``map()`` and ``join()`` requests.

A request carries the name of a reply topic (``conf.reply_to``, one per app
instance) and a correlation id. The agent, when it yields a value for the
request's event, sends a :class:`~faust.agents.models.ReqRepResponse` there.
The :class:`ReplyConsumer` reads the reply topics this app waits on and
resolves the promise registered for each correlation id.

Owner: the app. Children: none. Tasks: one future per reply topic, draining
it (added when the first request using that topic is registered).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Optional

from mode import Service

from ..models import maybe_model
from ..types import AppT, TopicT
from ..types.agents import ReplyConsumerT
from .models import ReqRepResponse

__all__ = ["BarrierState", "ReplyConsumer", "ReplyPromise"]

logger = logging.getLogger(__name__)

W_LATE_REPLY_TOPIC = (
    "Subscribing to reply topic %r at the first request: the consumer group "
    "rebalances now, and a request made while processing an event waits for "
    "it. Set reply_create_topic=True to subscribe at start."
)


def _in_process(conf: Any) -> bool:
    return all(url.scheme == "memory" for url in conf.broker)


class ReplyPromise(asyncio.Future):  # type: ignore[type-arg]  # result is any reply value
    """The reply to one request; ``await`` it for the value.

    Arguments:
        reply_to: the reply topic.
        correlation_id: identifies the request.
    """

    def __init__(self, reply_to: str, correlation_id: str = "", **kwargs: Any) -> None:
        self.reply_to = reply_to
        self.correlation_id = correlation_id
        super().__init__(**kwargs)

    def fulfill(self, correlation_id: str, value: Any) -> None:
        """Resolve with ``value`` (the reply to ``correlation_id``)."""
        if not self.done():
            self.set_result(value)


class BarrierState(ReplyPromise):
    """Collects the replies to several requests (``map``/``join``).

    Requests are added with :meth:`add`; :meth:`finalize` says no more will
    come. The promise resolves once every reply arrived; :meth:`iterate`
    yields ``(correlation_id, value)`` pairs in arrival order.
    """

    def __init__(self, reply_to: str, correlation_id: str = "", **kwargs: Any) -> None:
        super().__init__(reply_to, correlation_id, **kwargs)
        self.pending: set[str] = set()
        self.size = 0
        self.total = 0
        self.fulfilled = 0
        self.finalized = False
        self.results: dict[str, Any] = {}
        self._arrived: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def add(self, p: ReplyPromise) -> None:
        """Expect a reply to ``p.correlation_id`` (counted in ``total``)."""
        self.pending.add(p.correlation_id)
        self.size += 1
        self.total += 1

    def finalize(self) -> None:
        """No more requests: resolve when the last reply arrives."""
        self.finalized = True
        self._maybe_done()

    def fulfill(self, correlation_id: str, value: Any) -> None:
        """Record the reply to one of the requests."""
        if correlation_id in self.pending:
            self.pending.discard(correlation_id)
            self.results[correlation_id] = value
            self.fulfilled += 1
            self._arrived.put_nowait((correlation_id, value))
            self._maybe_done()

    def _maybe_done(self) -> None:
        if self.finalized and not self.pending and not self.done():
            self.set_result(None)

    def get_nowait(self) -> tuple[str, Any]:
        """Return the next ``(correlation_id, value)`` that arrived.

        Raises:
            asyncio.QueueEmpty: no reply is waiting; ``await`` the barrier
                or use :meth:`iterate` to wait for replies.
        """
        return self._arrived.get_nowait()

    async def iterate(self) -> AsyncIterator[tuple[str, Any]]:
        """Yield ``(correlation_id, value)`` as the replies arrive."""
        received = 0
        while not self.finalized or received < self.size:
            yield await self._arrived.get()
            received += 1


class ReplyConsumer(Service, ReplyConsumerT):
    """Reads reply topics and resolves waiting promises.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self._waiting: dict[str, set[ReplyPromise]] = defaultdict(set)
        self._topics: dict[str, TopicT[Any]] = {}
        Service.__init__(self, **kwargs)

    async def on_start(self) -> None:
        """Start reading this app's reply topic if it will be needed.

        With ``reply_create_topic``; and on the in-process ``memory://``
        broker whenever the app has agents (a topic costs nothing there).
        Subscribing later, at the first ``ask()``, makes the group rebalance
        while the asking event is in flight.
        """
        conf = self.app.conf
        if conf.reply_create_topic or (self.app.agents and _in_process(conf)):
            await self._start_fetcher(conf.reply_to)

    async def add(self, correlation_id: str, promise: Any) -> None:
        """Wait for the reply to ``correlation_id`` on ``promise.reply_to``."""
        self._waiting[correlation_id].add(promise)
        promise.add_done_callback(lambda _: self._forget(correlation_id, promise))
        if promise.reply_to not in self._topics:
            logger.warning(W_LATE_REPLY_TOPIC, promise.reply_to)
            await self._start_fetcher(promise.reply_to)

    def _forget(self, correlation_id: str, promise: ReplyPromise) -> None:
        waiting = self._waiting.get(correlation_id)
        if waiting is not None:
            waiting.discard(promise)
            if not waiting:
                del self._waiting[correlation_id]

    def _reply_topic(self, name: str) -> TopicT[Any]:
        conf = self.app.conf
        return self.app.topic(
            name,
            partitions=1,
            replicas=0,
            deleting=True,
            retention=conf.reply_expires,
            value_type=ReqRepResponse,
            internal=True,
        )

    async def _start_fetcher(self, name: str) -> None:
        topic = self._topics[name] = self._reply_topic(name)
        await topic.maybe_declare()
        # iterating registers the subscription with the conductor now, so
        # replies sent from here on are read
        self.add_future(self._drain(self.app.stream(topic)))

    async def _drain(self, stream: Any) -> None:
        async for reply in stream:
            self.on_reply(reply)

    def on_reply(self, reply: Any) -> None:
        """Resolve the promises waiting for this reply."""
        if not isinstance(reply, ReqRepResponse):
            logger.warning("Ignoring unexpected value on a reply topic: %r", reply)
            return
        value = maybe_model(reply.value)
        for promise in list(self._waiting.get(reply.correlation_id, ())):
            promise.fulfill(reply.correlation_id, value)

    def waiting(self, correlation_id: str) -> Optional[set[ReplyPromise]]:
        """The promises waiting for ``correlation_id`` (for debugging)."""
        return self._waiting.get(correlation_id)
