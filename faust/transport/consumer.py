"""The Consumer base: fetching, ack bookkeeping, commits and flow control.

Data flow: the :class:`~faust.transport.fetcher.Fetcher` asks the consumer
for the next batch of messages (:meth:`Consumer.fetch_messages`), which the
driver reads from the broker (``_getmany``); messages of topics that have
acks enabled are *tracked* (their offsets enter the partition's in-flight
bookkeeping, :class:`~faust.transport.offsets.PartitionOffsets`) and handed to
the conductor. When every stream has acked a message, :meth:`Consumer.ack`
moves the partition's commit point, and the commit task commits it every
``broker_commit_interval`` seconds, after ``broker_commit_every`` acks, on
rebalance and on stop, flushing the producer first.

Diverted partitions (table recovery) are handled by the
:class:`~faust.transport.divert.Diverting` mixin.

Owner: the app. Children: the Fetcher. Tasks: ``_commit_handler``.
Drivers (``memory://``, ``kafka://``) subclass this and implement the
``_``-prefixed broker operations.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from typing import Any, ClassVar, Optional

from mode import Service, ServiceT

from ..exceptions import ProducerSendError
from ..types import TP, AppT, ConsumerT, Message, TransactionManagerT, TransportT
from ..types.transports import (
    ConsumerCallback,
    PartitionsAssignedCallback,
    PartitionsRevokedCallback,
    RecordMap,
    TPorTopicSet,
)
from .divert import DivertHandler, Diverting
from .offsets import PartitionOffsets, without_held
from .utils import DefaultSchedulingStrategy, round_robin

__all__ = ["Consumer", "DivertHandler"]

logger = logging.getLogger(__name__)

class Consumer(Diverting, Service, ConsumerT):
    """Base class of every driver's consumer.

    Arguments:
        transport: the transport that created this consumer.
        callback: called for every fetched message (``app.topics.on_message``).
        on_partitions_revoked: called (awaited) on every rebalance first.
        on_partitions_assigned: called (awaited) with the new assignment.
        commit_interval: seconds between commits (``broker_commit_interval``).
    """

    logger = logger
    #: Driver exceptions meaning "the consumer was stopped": end fetching quietly.
    consumer_stopped_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    #: True if ``_getmany`` can read partitions outside the group assignment
    #: (diverted ones, e.g. every partition of a global table's changelog).
    reads_unassigned_partitions: ClassVar[bool] = False

    def __init__(
        self,
        transport: TransportT,
        callback: ConsumerCallback,
        on_partitions_revoked: PartitionsRevokedCallback,
        on_partitions_assigned: PartitionsAssignedCallback,
        *,
        commit_interval: Optional[float] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Any,
    ) -> None:
        self.transport = transport
        self.app: AppT = transport.app
        conf = self.app.conf
        self.callback = callback
        self._on_partitions_revoked = on_partitions_revoked
        self._on_partitions_assigned = on_partitions_assigned
        self.commit_interval = commit_interval or conf.broker_commit_interval
        self.commit_every = conf.broker_commit_every
        self.randomly_assigned_topics = set()
        self.in_transaction = False
        self.scheduler = conf.ConsumerScheduler()
        self._offsets: dict[TP, PartitionOffsets] = {}
        self._unacked_messages: set[Message] = set()
        self._acks_since_commit = 0
        #: sends that failed for an event being processed (see on_output_failed)
        self.failed_outputs = 0
        self._paused: set[TP] = set()
        self._diverted: dict[TP, DivertHandler] = {}
        self._flow_active = True
        self._commit_lock: Optional[asyncio.Lock] = None
        self._commit_wakeup: Optional[asyncio.Event] = None
        self._fetch_wakeup: Optional[asyncio.Event] = None
        self._empty: Optional[asyncio.Event] = None
        self._transactions: Optional[TransactionManagerT] = None
        Service.__init__(self, loop=loop, **kwargs)
        fetcher_cls: Any = transport.Fetcher
        self.fetcher: ServiceT = fetcher_cls(self, beacon=self.beacon)

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The fetcher starts after the consumer (and exactly-once transactions)."""
        if self.app.in_transaction:
            return [self.transactions, self.fetcher]
        return [self.fetcher]

    @property
    def transactions(self) -> TransactionManagerT:
        """The exactly-once transaction manager (created on first use)."""
        if self._transactions is None:
            self._transactions = self.transport.create_transaction_manager(
                consumer=self, producer=self.app.producer, beacon=self.beacon
            )
        return self._transactions

    @transactions.setter
    def transactions(self, manager: TransactionManagerT) -> None:
        self._transactions = manager

    # -- Driver operations -------------------------------------------------

    @abc.abstractmethod
    async def _getmany(self, active_partitions: set[TP], timeout: float) -> RecordMap:
        """Fetch records of ``active_partitions`` (wait at most ``timeout``)."""

    @abc.abstractmethod
    def _to_message(self, tp: TP, record: Any) -> Message:
        """Convert a driver record into a :class:`~faust.types.ConsumerMessage`."""

    def _to_message_list(self, tp: TP, records: list[Any]) -> list[Message]:
        """Convert a partition's fetched records (drivers may do it inline)."""
        to_message = self._to_message
        return [to_message(tp, record) for record in records]

    @abc.abstractmethod
    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        """Commit offsets to the broker; True on success."""

    @abc.abstractmethod
    async def _committed_offsets(self, tps: set[TP]) -> Mapping[TP, Optional[int]]:
        """Read the committed offsets of ``tps`` from the broker."""

    # -- Fetching ----------------------------------------------------------

    def _active_partitions(self) -> set[TP]:
        assignment = self.assignment()
        if self._diverted and self.reads_unassigned_partitions:
            assignment |= self._diverted.keys()
        if self._paused:
            return assignment - self._paused
        return assignment

    async def fetch_messages(self, timeout: float) -> list[Message]:
        """Fetch the next batch of messages, in delivery order; may be empty."""
        if not self._flow_active:
            await self._wait_flow(timeout)
            return []
        active = self._active_partitions()
        if not active:
            await self._idle(timeout)
            return []
        records = await self._getmany(active, timeout)
        if not records or self.should_stop:
            return []
        if not self._flow_active:
            # a rebalance began while the fetch waited; the read position
            # moved past these records: move it back, or they are never read
            # (the new assignment's seek may already be behind us)
            await self._rewind(records)
            return []
        if self._paused:
            await self._rewind(records, self._paused)
        if self._diverted:
            records = await self._deliver_diverted(records)
        return self._to_messages(records)

    async def _rewind(
        self, records: RecordMap, only: Optional[Collection[TP]] = None
    ) -> None:
        """Fetched records that are not delivered now are read again later.

        The read position already moved past them: seek back to the first
        one (of every partition, or of those in ``only``: paused during the
        fetch). Records are never dropped without this, or they would be
        skipped for good and their offsets committed past.
        """
        for tp, batch in records.items():
            if batch and (only is None or tp in only):
                await self.seek(tp, self._to_message(tp, batch[0]).offset)

    def _to_messages(self, records: RecordMap) -> list[Message]:
        """Convert and track a fetched batch, in the scheduler's order.

        Works a partition at a time (conversion in a comprehension, offsets
        tracked in bulk), then orders the messages across partitions.
        """
        generation = self.app.consumer_generation_id
        acking = self.app.topics.acks_enabled_for
        to_messages = self._to_message_list
        paused = self._paused
        by_tp: dict[TP, list[Message]] = {}
        for tp, batch in records.items():
            if not batch or tp in paused:
                continue
            messages = to_messages(tp, batch)
            for message in messages:
                message.generation_id = generation
            if acking(tp.topic):
                self._track_many(tp, messages)
            by_tp[tp] = messages
        if len(by_tp) == 1:
            for only in by_tp.values():
                return only
        if type(self.scheduler) is DefaultSchedulingStrategy:
            return round_robin(by_tp)
        return [message for _tp, message in self.scheduler.iterate(by_tp)]

    def _track_many(self, tp: TP, messages: list[Message]) -> None:
        offsets = self._offsets.get(tp)
        if offsets is None:
            offsets = self._offsets[tp] = PartitionOffsets()
        offsets.track_many([message.offset for message in messages])
        for message in messages:
            message.tracked = True
        self._unacked_messages.update(messages)

    async def _wait_flow(self, timeout: float) -> None:
        await self._wait_for_work(timeout)

    async def _idle(self, timeout: float) -> None:
        await self._wait_for_work(timeout)

    async def _wait_for_work(self, timeout: float) -> None:
        """Wait until flow resumes or partitions change (no fixed sleep).

        :meth:`_wake_fetcher` ends the wait; a short timeout still bounds
        it, for state changed by a driver behind the base class's back.
        """
        wakeup = self._fetch_wakeup
        if wakeup is None:
            wakeup = self._fetch_wakeup = asyncio.Event()
        if not wakeup.is_set():
            await self.wait_for_stopped(wakeup.wait(), timeout=min(timeout, 0.25))
        wakeup.clear()

    def _wake_fetcher(self) -> None:
        if self._fetch_wakeup is not None:
            self._fetch_wakeup.set()

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        """Fetch one batch and iterate over ``(tp, message)`` pairs."""
        for message in await self.fetch_messages(timeout):
            yield message.tp, message

    # -- Acks --------------------------------------------------------------

    def track_message(self, message: Message) -> None:
        """Start tracking a delivered message: its offset awaits an ack."""
        tp = message.tp
        offsets = self._offsets.get(tp)
        if offsets is None:
            offsets = self._offsets[tp] = PartitionOffsets()
        offsets.track(message.offset)
        message.tracked = True
        self._unacked_messages.add(message)

    def ack(self, message: Message) -> bool:
        """Record that every stream is done with ``message``."""
        if not message.tracked:
            return False
        message.tracked = False
        unacked = self._unacked_messages
        unacked.discard(message)
        if not unacked and self._empty is not None:
            self._empty.set()
        offsets = self._offsets.get(message.tp)
        if offsets is None or not offsets.ack(message.offset):
            return True
        self._acks_since_commit += 1
        if (
            self._acks_since_commit >= self.commit_every
            and self._commit_wakeup is not None
        ):
            self._commit_wakeup.set()
        return True

    def release(self, message: Message) -> None:
        """Stop waiting for ``message`` at rebalance/stop, without acking it.

        A ``noack()`` stream hands its events to the user, who acks them
        whenever they like: once the loop body moved on, nothing is in
        progress any more, but the offset must stay uncommitted until the
        user acks it.
        """
        unacked = self._unacked_messages
        if message in unacked:
            unacked.discard(message)
            if not unacked and self._empty is not None:
                self._empty.set()

    def discard(self, message: Message) -> None:
        """Forget a delivered message that will not be processed.

        Used when buffered events are dropped at a rebalance: the offset stays
        unacked (so it is never committed) and nothing waits for it any more.
        """
        if message.tracked:
            message.tracked = False
            self._unacked_messages.discard(message)
            if not self._unacked_messages and self._empty is not None:
                self._empty.set()

    def on_output_failed(self, message: Message, exc: BaseException) -> None:
        """Output produced for ``message`` could not be sent: hold its offset.

        The partition's offset is never committed past ``message`` from now
        on (at-least-once: the output is not lost, the event is processed
        again by the partition's next owner). Counted in
        :attr:`failed_outputs` and logged.
        """
        self.failed_outputs += 1
        offsets = self._offsets.get(message.tp)
        if offsets is None:
            return
        first = offsets.held is None
        offsets.hold_back(message.offset)
        if first and offsets.held is not None:
            logger.error(
                "Output of the event at %s offset %d could not be sent (%r): "
                "offsets of %s are not committed past it from now on, and "
                "the partition's next owner processes it again. Check the "
                "broker and the producer settings, then restart the worker.",
                message.tp,
                message.offset,
                exc,
                message.tp,
            )

    @property
    def unacked(self) -> set[Message]:
        """Tracked messages that are not acked yet."""
        return self._unacked_messages

    async def wait_empty(self) -> None:
        """Wait until every tracked message was acked or discarded."""
        timeout = self.app.conf.broker_session_timeout * 0.6
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._unacked_messages and not self.should_stop:
            if self._empty is None:
                self._empty = asyncio.Event()
            self._empty.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                logger.warning(
                    "Gave up waiting for %d event(s) still being processed; "
                    "their offsets are not committed and will be read again",
                    len(self._unacked_messages),
                )
                return
            try:
                await asyncio.wait_for(self._empty.wait(), timeout=min(remaining, 10.0))
            except asyncio.TimeoutError:
                logger.info(
                    "Waiting for %d event(s) to be processed before rebalancing",
                    len(self._unacked_messages),
                )

    def commit_point(self, tp: TP) -> Optional[int]:
        """One past the longest acked prefix of ``tp``'s delivered offsets."""
        offsets = self._offsets.get(tp)
        return offsets.commit_point() if offsets is not None else None

    async def wait_commit_point(self, tp: TP, offset: int) -> None:
        """Wait until every delivered offset of ``tp`` below ``offset`` is acked.

        Callers bound the wait (a revoked partition never gets there).
        """
        offsets = self._offsets.get(tp)
        if offsets is None:
            offsets = self._offsets[tp] = PartitionOffsets()
        await offsets.wait_for(offset)

    # -- Commits -----------------------------------------------------------

    def _committable_offsets(
        self, topics: Optional[TPorTopicSet] = None
    ) -> dict[TP, int]:
        assignment = self.assignment()
        result: dict[TP, int] = {}
        for tp, offsets in self._offsets.items():
            if tp not in assignment:
                continue
            if topics is not None and tp not in topics and tp.topic not in topics:
                continue
            offset = offsets.committable()
            if offset is not None:
                result[tp] = offset
        return result

    async def commit(
        self, topics: Optional[TPorTopicSet] = None, start_new_transaction: bool = True
    ) -> bool:
        """Commit the acked offsets (of ``topics``, or of every partition).

        Only one commit runs at a time; a call made meanwhile waits for it,
        then commits what was acked since (a rebalance or shutdown must not
        leave acked offsets behind: the next owner would process them again).
        Returns False if there was nothing to commit or the commit failed.
        """
        if self._commit_lock is None:
            self._commit_lock = asyncio.Lock()
        async with self._commit_lock:
            return await self.force_commit(topics)

    async def force_commit(self, topics: Optional[TPorTopicSet] = None) -> bool:
        """Commit now (callers hold the commit lock)."""
        offsets = self._committable_offsets(topics)
        if not offsets:
            return False
        sensors = self.app.sensors
        state = sensors.on_commit_initiated(self)
        try:
            await self.app.attachments.publish_up_to(offsets)
        except ProducerSendError as exc:
            logger.error("Not committing: %s", exc)
            return False
        # output produced for these events must be durable before we commit
        await self.app.maybe_flush_producer()
        # a send that failed while flushing reports it in a done callback of
        # its future (scheduled, not run yet): let it run before deciding
        await asyncio.sleep(0)
        offsets = without_held(offsets, self._offsets)
        if not offsets:
            sensors.on_commit_completed(self, state)
            return False
        if self.app.in_transaction:  # offsets go into the output's transactions
            offsets = dict(
                await self.transactions.commit_output(
                    offsets, wait=not self.should_stop
                )
            )
            ok = bool(offsets)
        else:
            ok = await self._commit(offsets)
        if ok:
            self._acks_since_commit = 0
            for tp, offset in offsets.items():
                self._offsets[tp].on_committed(offset)
            self.app.tables.on_commit(dict(offsets))
            on_tp_commit = getattr(self.app.monitor, "on_tp_commit", None)
            if on_tp_commit is not None:
                on_tp_commit(offsets)
        sensors.on_commit_completed(self, state)
        return ok

    @Service.task
    async def _commit_handler(self) -> None:
        wakeup = self._commit_wakeup = asyncio.Event()
        interval = self.commit_interval
        while not self.should_stop:
            await self.wait_for_stopped(wakeup.wait(), timeout=interval)
            wakeup.clear()
            if self.should_stop:
                break
            try:
                await self.commit()
            except Exception as exc:
                logger.exception("Committing offsets failed: %r", exc)

    async def on_task_error(self, exc: BaseException) -> None:
        """An agent failed: commit what was acked so far."""
        await self.commit()

    async def on_stop(self) -> None:
        """Commit the acked offsets one last time."""
        try:
            await self.commit()
        except Exception as exc:  # the broker may be gone: say so and move on
            logger.warning("Final commit failed: %r", exc)

    # -- Rebalancing -------------------------------------------------------

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Call the app's revoke handler, then forget the revoked partitions."""
        await self._on_partitions_revoked(revoked)
        if self.app.in_transaction:
            await self.transactions.on_partitions_revoked(revoked)
        self.app.attachments.discard(revoked)
        for tp in revoked:
            self._offsets.pop(tp, None)
            self._paused.discard(tp)
            self._diverted.pop(tp, None)
        self._unacked_messages = {
            m for m in self._unacked_messages if m.tp not in revoked
        }

    async def on_partitions_assigned(
        self, assigned: set[TP], generation_id: int = 0
    ) -> None:
        """Reset bookkeeping to the committed offsets, then call the app's handler.

        With exactly-once, the partitions' transactions start first:
        starting one completes the partition's previous transaction (this
        worker's own, committed while revoking, or a previous owner's), so
        the committed offsets read next include it. Read before that, an
        offset committed in a transaction whose markers are still being
        written is the older one, and its events would be processed again.
        """
        if self.app.in_transaction:  # transactions open before processing resumes
            await self.transactions.on_rebalance(assigned, set(), set(assigned))
        committed = await self._committed_offsets(assigned)
        for tp in assigned:
            offset = committed.get(tp)
            self._offsets[tp] = PartitionOffsets(offset)
        await self.seek_to_committed(assigned, committed)
        await self._on_partitions_assigned(assigned, generation_id)
        self._wake_fetcher()

    @abc.abstractmethod
    async def seek_to_committed(
        self,
        tps: Optional[set[TP]] = None,
        committed: Optional[Mapping[TP, Optional[int]]] = None,
    ) -> Mapping[TP, int]:
        """Move the read position of ``tps`` to their committed offsets."""

    # -- Flow control ------------------------------------------------------

    def stop_flow(self) -> None:
        """Stop fetching (during a rebalance)."""
        self._flow_active = False

    def resume_flow(self) -> None:
        """Fetch again."""
        self._flow_active = True
        self._wake_fetcher()

    def pause_partitions(self, tps: Iterable[TP]) -> None:
        """Stop fetching from ``tps``."""
        self._paused.update(tps)

    def resume_partitions(self, tps: Iterable[TP]) -> None:
        """Fetch from ``tps`` again."""
        self._paused.difference_update(tps)
        self._wake_fetcher()

    async def verify_event_path(self, now: float, tp: TP) -> None:
        """Check a partition is making progress (livelock detection hook)."""

    def committed_offset(self, tp: TP) -> Optional[int]:
        """The last offset committed by this consumer for ``tp``."""
        offsets = self._offsets.get(tp)
        return offsets.committed if offsets is not None else None

    def _repr_info(self) -> str:
        return f"assigned={len(self.assignment())}"
