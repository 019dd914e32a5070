"""The Producer base and the buffer behind ``send_soon``.

``topic.send()`` hands a serialized message to the producer and returns a
future; ``topic.send_soon()`` (usable from synchronous code, e.g. table
writes) puts it in the :class:`ProducerBuffer`, which a background task
publishes in order. Before offsets are committed the producer is flushed, so
output is never lost behind a commit. A buffered message is published as
output of the event that was being processed when it was buffered
(:func:`faust.current_event` is set again while it is published): with
exactly-once it goes into that event's transaction.

Owner: the app. Children: the ProducerBuffer. Tasks: those of the buffer.
Drivers subclass :class:`Producer` and implement the broker operations.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from mode import Service, ServiceT

from .._context import get_current_event, reset_current_event, set_current_event
from ..types import TP, FutureMessage, TransportT
from ..types.transports import ProducerBufferT, ProducerT

__all__ = ["Producer", "ProducerBuffer"]

logger = logging.getLogger(__name__)


class ProducerBuffer(ProducerBufferT, Service):
    """Publishes buffered ``send_soon`` messages in the background.

    Owner: the producer. Tasks: ``_handle_pending``.
    """

    max_messages = 100

    def __post_init__(self) -> None:
        self.pending: deque[FutureMessage] = deque()
        # every message is taken from the queue while holding this lock, so
        # the background task and flush() never publish out of order
        self._send_lock = asyncio.Lock()
        self._sending = False  # the lock is held (idle is read per write)
        self._has_pending = asyncio.Event()

    def put(self, fut: FutureMessage) -> None:
        """Buffer a message for publishing (as output of the current event)."""
        fut.source_event = get_current_event()
        self.pending.append(fut)
        self._has_pending.set()

    async def flush(self) -> None:
        """Publish every buffered message now."""
        await self.flush_atmost(-1)

    async def flush_atmost(self, n: int) -> int:
        """Publish at most ``n`` buffered messages (all: -1); returns how many."""
        sent = 0
        async with self._send_lock:
            self._sending = True
            try:
                pending = self.pending
                while sent != n and pending:
                    fut = pending.popleft()
                    if not self._publish_now(fut):
                        await self._send_pending(fut)
                    sent += 1
            finally:
                self._sending = False
        return sent

    async def wait_until_ebb(self) -> None:
        """Publish until no more than ``max_messages`` are buffered."""
        while self.size > self.max_messages:
            await self.flush_atmost(self.max_messages)

    def _publish_now(self, fut: FutureMessage) -> bool:
        """Publish without a coroutine if the channel's producer takes it now.

        False: nothing happened (:meth:`_send_pending` publishes it).
        """
        publish = getattr(fut.message.channel, "publish_nowait", None)
        if publish is None:
            return False
        token = set_current_event(fut.source_event)
        try:
            return bool(publish(fut))
        except Exception as exc:
            logger.exception("Failed to publish buffered message: %r", exc)
            if not fut.done():
                fut.set_exception(exc)
            return True
        finally:
            reset_current_event(token)

    async def _send_pending(self, fut: FutureMessage) -> None:
        token = set_current_event(fut.source_event)
        try:
            await fut.message.channel.publish_message(fut, wait=False)
        except Exception as exc:
            logger.exception("Failed to publish buffered message: %r", exc)
            if not fut.done():
                fut.set_exception(exc)
        finally:
            reset_current_event(token)

    @Service.task
    async def _handle_pending(self) -> None:
        has_pending = self._has_pending
        while not self.should_stop:
            await self.wait_for_stopped(has_pending.wait())
            if self.should_stop:
                break
            await self.flush()
            if not self.pending:
                has_pending.clear()

    @property
    def size(self) -> int:
        """Number of buffered messages."""
        return len(self.pending)

    @property
    def idle(self) -> bool:
        """True if nothing is buffered or being published (may be bypassed)."""
        return not self.pending and not self._sending


class Producer(Service, ProducerT):
    """Base class of every driver's producer.

    Arguments:
        transport: the transport that created this producer.
    """

    logger = logger

    def __init__(
        self,
        transport: TransportT,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Any,
    ) -> None:
        self.transport = transport
        self.app = transport.app
        conf = self.app.conf
        self.client_id = conf.broker_client_id
        self.linger_ms = int(conf.producer_linger * 1000)
        self.max_batch_size = conf.producer_max_batch_size
        self.acks = conf.producer_acks
        self.max_request_size = conf.producer_max_request_size
        self.compression_type = conf.producer_compression_type
        self.request_timeout = conf.producer_request_timeout
        self.partitioner = conf.producer_partitioner
        Service.__init__(self, loop=loop, **kwargs)
        self.buffer = ProducerBuffer(loop=loop, beacon=self.beacon)

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The send_soon buffer starts with the producer."""
        return [self.buffer]

    def send_soon(self, fut: FutureMessage) -> None:
        """Buffer a message; it is published in the background."""
        self.buffer.put(fut)

    async def flush(self) -> None:
        """Publish buffered messages and wait until the broker has them all."""
        await self.buffer.flush()

    def supports_headers(self) -> bool:
        """True if the broker accepts message headers."""
        return True

    async def begin_transaction(self, transactional_id: str) -> None:
        """Transactions need ``processing_guarantee='exactly_once'``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support transactions"
        )

    async def commit_transaction(self, transactional_id: str) -> None:
        """See :meth:`begin_transaction`."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support transactions"
        )

    async def abort_transaction(self, transactional_id: str) -> None:
        """See :meth:`begin_transaction`."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support transactions"
        )

    async def stop_transaction(self, transactional_id: str) -> None:
        """See :meth:`begin_transaction`."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support transactions"
        )

    async def maybe_begin_transaction(self, transactional_id: str) -> None:
        """See :meth:`begin_transaction`."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support transactions"
        )

    async def commit_transactions(
        self,
        tid_to_offset_map: Mapping[str, Mapping[TP, int]],
        group_id: str,
        start_new_transaction: bool = True,
    ) -> None:
        """See :meth:`begin_transaction`."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support transactions"
        )

    def _repr_info(self) -> str:
        return f"client_id={self.client_id}"
