"""Delivery reports of librdkafka, turned into completed sends.

librdkafka reports each message's delivery from ``poll()`` (or from a
blocking call that polls: ``flush``, ``commit_transaction``), by calling the
callback given to ``produce()`` with ``(err, msg)``. :class:`Deliveries`
makes those callbacks and runs them:

- In the event loop's thread (the producer's poll task) the report
  completes the send at once: ``on_done(fut, state, metadata, exc)``.
- In another thread (a blocking call in the loop's executor) the report is
  put in a queue, and the loop is woken once for everything queued until it
  drains it: one ``call_soon_threadsafe`` (a write to the loop's self-pipe)
  per burst of reports, not per message.

Per message this costs one ``functools.partial`` (the callback) and the
:class:`~faust.types.RecordMetadata`; the :class:`~faust.types.TP` of a
partition is made once. The callback is a ``partial`` rather than a closure
because a closure over five names allocates seven objects the garbage
collector tracks, which, at tens of thousands of sends per second, made the
collector run measurably more often.

This is a helper of :class:`~.producer.Producer` (not a Service).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Optional

from ....types import TP, RecordMetadata
from .client import kafka_error

__all__ = ["Deliveries", "OnDone"]

logger = logging.getLogger(__name__)

#: ``on_done(fut, state, metadata, exc)``: called once per message.
OnDone = Callable[[Any, Any, Optional[RecordMetadata], Optional[BaseException]], None]

_Report = tuple[OnDone, Any, Any, Optional[RecordMetadata], Optional[BaseException]]


class Deliveries:
    """Makes delivery callbacks and runs them in the event loop.

    Arguments:
        loop: the event loop the sends complete in.
        loop_thread: the ident of the thread running ``loop``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, loop_thread: int) -> None:
        self.loop = loop
        self.loop_thread = loop_thread
        self._tps: dict[tuple[str, int], TP] = {}
        #: reports from other threads, not yet run in the loop
        self._queued: deque[_Report] = deque()
        self._lock = threading.Lock()
        self._scheduled = False
        self._report = self.report  # one bound method, shared by every partial

    def callback(self, on_done: OnDone, fut: Any, state: Any) -> Callable[..., None]:
        """The ``on_delivery`` callback of one message."""
        return partial(self._report, on_done, fut, state)

    def metadata(self, msg: Any) -> RecordMetadata:
        """The metadata of a delivered ``confluent_kafka.Message``."""
        topic, partition = msg.topic(), msg.partition()
        tp = self._tps.get((topic, partition))
        if tp is None:
            tp = self._tps[(topic, partition)] = TP(topic, partition)
        ts_type, ts = msg.timestamp()
        return RecordMetadata(
            topic,
            partition,
            tp,
            msg.offset(),
            ts / 1000.0 if ts_type else None,
            ts_type,
        )

    def report(self, on_done: OnDone, fut: Any, state: Any, err: Any, msg: Any) -> None:
        """Complete one message from its delivery report (any thread)."""
        if err is None:
            md: Optional[RecordMetadata] = self.metadata(msg)
            exc: Optional[BaseException] = None
        else:
            md, exc = None, kafka_error(err, msg.topic())
        if threading.get_ident() == self.loop_thread:
            on_done(fut, state, md, exc)
            return
        # served by a blocking call in the executor (flush, commit)
        with self._lock:
            self._queued.append((on_done, fut, state, md, exc))
            if self._scheduled:
                return
            self._scheduled = True
        self.loop.call_soon_threadsafe(self.drain)

    def drain(self) -> None:
        """Run the reports queued by other threads (in the loop)."""
        queued = self._queued
        with self._lock:
            self._scheduled = False
            reports = list(queued)
            queued.clear()
        for on_done, fut, state, md, exc in reports:
            try:
                on_done(fut, state, md, exc)
            except Exception as error:  # one send's callback; run the others
                logger.exception("Completing a delivered send failed: %r", error)

    @property
    def queued(self) -> int:
        """Reports from other threads not run yet."""
        return len(self._queued)
