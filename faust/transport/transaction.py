"""The TransactionManager: exactly-once processing with Kafka transactions.

With ``processing_guarantee='exactly_once'`` a worker keeps one transactional
producer per *active source partition*, with the stable transactional id
``{app.id}-{topic group}-{partition}`` (the topic group is the co-partitioned
group number from ``app.assignor``). Everything produced while processing an
event of that partition (``send``, ``send_soon``, ``forward``, ``group_by``,
values yielded to a sink, table changelog records) goes into that
partition's open transaction; output buffered by ``send_soon`` counts as
output of the event that buffered it. When offsets are committed the
partition's source offsets are added to the same transaction, which is then
committed: output and progress become visible together, or not at all.

The rule: a transaction commits exactly the output of the events whose
offsets it commits. Events are processed while commits happen, so an event
may have produced output and not be acked yet when a commit starts; its
output is in the transaction and its offset cannot be committed. The
manager therefore records the highest offset of every source partition with
output in the open transaction, and a commit *cuts* the transaction at one
past it (:mod:`~faust.transport.transaction_output`): output of later events
is held in memory meanwhile, the commit waits (at most
``broker_commit_interval``) until every event below the cut is acked, then
commits the transaction with the cut as offset, and writes the held output
into the next transaction. Nothing the commit waits for waits for the
commit: held output belongs to events past the cut, so an agent awaiting
its delivery gets it once the commit is done. When stopping, only
transactions that need no waiting are committed; the others are aborted and
their events processed again by the partition's next owner. ``ask()``
requests are not output of the asking event (the asker waits for the reply,
which needs the request to be visible): they are sent at once, outside any
transaction.

A worker that lost its partitions but still runs (a "zombie") is fenced by
the broker when the new owner initializes the same transactional id: its
next transactional call raises :class:`~faust.exceptions.ProducerFenced`, and
the app crashes rather than commit for partitions it no longer owns.

The manager is a :class:`~faust.types.transports.ProducerT`: in a worker with
exactly-once, ``app.maybe_start_producer()`` returns it, so sends pick their
transaction without the caller knowing. The driver's producer does the work
(``begin_transaction``, ``commit_transactions``, ``send(...,
transactional_id=...)``).

Owner: the consumer (``consumer.transactions``). Children: none (the
:class:`~faust.transport.transaction_output.OutputLedger` is a plain helper).
Tasks: none; commits run in the consumer's commit task.
``on_rebalance`` starts the transactions of new active partitions,
``on_partitions_revoked``/``on_stop`` abort and close those going away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Mapping
from functools import partial
from typing import Any, Optional

from mode import Seconds, Service

from .._context import current_event
from ..exceptions import ProducerFenced
from ..types import TP, ConsumerT, FutureMessage, ProducerT, RecordMetadata, TransportT
from ..types.core import HeadersArg
from ..types.transports import TransactionManagerT
from .transaction_output import OutputLedger, Source

__all__ = ["TransactionManager"]

logger = logging.getLogger(__name__)


class TransactionManager(Service, TransactionManagerT):
    """Routes sends and commits to one transaction per active partition.

    Arguments:
        transport: the consumer's transport.
        consumer: the consumer whose offsets are committed.
        producer: the driver's producer (it runs the transactions).
    """

    def __init__(
        self,
        transport: TransportT,
        *,
        consumer: ConsumerT,
        producer: ProducerT,
        **kwargs: Any,
    ) -> None:
        self.transport = transport
        self.app = transport.app
        self.consumer = consumer
        self.producer = producer
        self.buffer = producer.buffer
        self.client_id = producer.client_id
        self.linger_ms = producer.linger_ms
        self.max_batch_size = producer.max_batch_size
        self.acks = producer.acks
        self.max_request_size = producer.max_request_size
        self.compression_type = producer.compression_type
        self.partitioner = producer.partitioner
        self.request_timeout = producer.request_timeout
        #: Transactional ids of this worker's active partitions, by partition.
        self.transactional_ids: dict[TP, str] = {}
        #: what each open transaction may commit (see transaction_output)
        self.ledger = OutputLedger()
        Service.__init__(self, **kwargs)

    # -- transactional ids -------------------------------------------------

    def transactional_id_for(self, tp: TP) -> Optional[str]:
        """``{app.id}-{group}-{partition}`` of a partition (None: not grouped)."""
        try:
            group = self.app.assignor.group_for_topic(tp.topic)
        except KeyError:
            return None
        return f"{self.app.conf.id}-{group}-{tp.partition}"

    def _route(
        self, topic: str, key: Optional[bytes], partition: Optional[int]
    ) -> tuple[Optional[str], Optional[Source]]:
        """The transaction of a send made now, and the event it is output of."""
        # output belongs to the transaction of the event being processed...
        event = current_event()
        if event is not None:
            message = event.message
            tid = self.transactional_ids.get(message.tp)
            if tid is not None:
                return tid, (message.tp, message.offset)
        # ...changelog writes made outside any event to that of the partition
        # they go to (changelogs are co-partitioned with their source)...
        if topic not in self.app.tables.changelog_topics:
            # ...and anything else sent from outside a stream is not output
            # of an event: it is produced at once, outside any transaction
            return None, None
        dest = self.consumer.key_partition(topic, key, partition)
        if dest is None:
            return None, None
        tid = self.transactional_id_for(TP(topic, dest))
        return (tid if tid in self.transactional_ids.values() else None), None

    def _sources(self, tid: str) -> list[TP]:
        return [tp for tp, t in self.transactional_ids.items() if t == tid]

    # -- rebalancing -------------------------------------------------------

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Abort and close the transactions of partitions going away."""
        await self._stop([tp for tp in revoked if tp in self.transactional_ids])

    async def on_rebalance(
        self, assigned: set[TP], revoked: set[TP], newly_assigned: set[TP]
    ) -> None:
        """Start a transaction for every active partition of the assignment."""
        actives = self._active_sources(assigned)
        await self._stop([tp for tp in self.transactional_ids if tp not in actives])
        for tp in sorted(actives):
            if tp in self.transactional_ids:
                continue
            tid = self.transactional_id_for(tp)
            if tid is None:
                continue
            self.transactional_ids[tp] = tid
            await self._fenced_guard(self.producer.maybe_begin_transaction(tid))

    def _active_sources(self, assigned: Iterable[TP]) -> set[TP]:
        # partitions whose offsets are committed: not changelogs, standbys or
        # the leader topic (acks disabled)
        acking = self.app.topics.acks_enabled_for
        changelogs = set(self.app.tables.changelog_topics)
        try:
            actives = self.app.assignor.assigned_actives()
        except Exception:  # a custom assignor without the faust metadata
            actives = set(assigned)
        return {
            tp
            for tp in assigned
            if tp in actives and tp.topic not in changelogs and acking(tp.topic)
        }

    async def _stop(self, tps: Iterable[TP]) -> None:
        for tp in list(tps):
            tid = self.transactional_ids.pop(tp, None)
            if tid is not None:
                self.ledger.drop(tid, [tp])
            if tid is not None and tid not in self.transactional_ids.values():
                await self.producer.stop_transaction(tid)

    async def on_stop(self) -> None:
        """Abort open transactions (uncommitted work is processed again)."""
        await self._stop(list(self.transactional_ids))

    # -- committing --------------------------------------------------------

    async def commit(
        self, offsets: Mapping[TP, int], start_new_transaction: bool = True
    ) -> bool:
        """Commit ``offsets`` inside their partitions' transactions.

        Raises:
            ProducerFenced: another worker took over a transactional id.
        """
        return bool(await self.commit_output(offsets))

    async def commit_output(
        self, offsets: Mapping[TP, int], *, wait: bool = True
    ) -> Mapping[TP, int]:
        """Commit transactions holding only the output of the offsets committed.

        Every transaction with a partition in ``offsets`` is cut (see
        :mod:`~faust.transport.transaction_output`); with ``wait`` the
        events below the cut still being processed get up to
        ``broker_commit_interval`` seconds to be acked, else (and without
        ``wait``, when stopping) that transaction is not committed now.

        Returns:
            The offsets committed (at least those asked for, per committed
            transaction; none of a transaction that was not committed).

        Raises:
            ProducerFenced: another worker took over a transactional id.
        """
        tids = {self.transactional_ids.get(tp) for tp in offsets}
        for tp in offsets:
            if tp not in self.transactional_ids:
                logger.warning("No transaction for %s: its offset is not committed", tp)
        tids.discard(None)
        ledger, consumer = self.ledger, self.consumer
        cuts = {
            tid: ledger.cut(tid, self._sources(tid), consumer.commit_point)
            for tid in sorted(t for t in tids if t is not None)
        }
        by_tid: dict[str, Mapping[TP, int]] = {}
        try:
            ready = await self._wait_acked(cuts, wait)
            for tid in ready:
                await ledger.wait_written(tid)
            # buffered output of events below the cuts goes in (the rest is held)
            await self.producer.flush()
            by_tid.update((tid, cuts[tid]) for tid in ready if cuts[tid])
            if by_tid:
                await self._fenced_guard(
                    self.producer.commit_transactions(
                        by_tid, self.app.conf.id, start_new_transaction=True
                    )
                )
            for tid in by_tid:
                ledger.on_committed(tid, self._sources(tid))
        finally:
            for tid in cuts:
                await ledger.release(tid)
        return {tp: offset for cut in by_tid.values() for tp, offset in cut.items()}

    async def _wait_acked(
        self, cuts: Mapping[str, Mapping[TP, int]], wait: bool
    ) -> list[str]:
        """The cut transactions whose events below the cut are all acked."""
        consumer = self.consumer

        def acked(tid: str) -> bool:
            return all(
                (consumer.commit_point(tp) or 0) >= offset
                for tp, offset in cuts[tid].items()
            )

        pending = [tid for tid in cuts if not acked(tid)]
        if pending and wait:
            waits = [
                consumer.wait_commit_point(tp, offset)
                for tid in pending
                for tp, offset in cuts[tid].items()
            ]
            try:
                await asyncio.wait_for(
                    asyncio.gather(*waits), timeout=consumer.commit_interval
                )
            except asyncio.TimeoutError:
                pass
        ready = [tid for tid in cuts if acked(tid)]
        for tid in cuts:
            if tid not in ready:
                logger.info(
                    "Not committing %s now: events with output in its "
                    "transaction are still being processed",
                    tid,
                )
        return ready

    async def _fenced_guard(self, op: Awaitable[None]) -> None:
        try:
            await op
        except ProducerFenced as exc:
            logger.critical(
                "Producer fenced: another worker now owns these partitions; "
                "stopping so that nothing is committed twice (%s)",
                exc,
            )
            await self.app.crash(exc)
            raise

    # -- ProducerT: sends go to the right transaction -----------------------

    def _route_send(
        self,
        topic: str,
        key: Optional[bytes],
        partition: Optional[int],
        transactional_id: Optional[str],
    ) -> tuple[Optional[str], Optional[Source]]:
        if transactional_id is not None:  # the caller chose: no source event
            return transactional_id, None
        return self._route(topic, key, partition)

    async def send(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        *,
        transactional_id: Optional[str] = None,
    ) -> Awaitable[RecordMetadata]:
        """Send in the transaction of the current event's partition.

        While that transaction is being committed without the current
        event, the message is held and written into the next one.
        """
        tid, source = self._route_send(topic, key, partition, transactional_id)
        args = (topic, key, value, partition, timestamp, headers)
        write = partial(self.producer.send, *args, transactional_id=tid)
        if tid is None:
            return await write()
        if self.ledger.must_hold(tid, source):
            return self.ledger.hold(tid, source, write)
        return await self.ledger.write(tid, source, write)

    async def send_and_wait(
        self,
        topic: str,
        key: Optional[bytes],
        value: Optional[bytes],
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Optional[HeadersArg],
        *,
        transactional_id: Optional[str] = None,
    ) -> RecordMetadata:
        """Send in the current event's transaction and wait for the ack."""
        tid, source = self._route_send(topic, key, partition, transactional_id)
        args = (topic, key, value, partition, timestamp, headers)
        if tid is not None and self.ledger.must_hold(tid, source):
            # held for the next transaction, still as output of ``source``
            held = partial(self.producer.send, *args, transactional_id=tid)
            return await self.ledger.hold(tid, source, held)
        write = partial(self.producer.send_and_wait, *args, transactional_id=tid)
        if tid is None:
            return await write()
        return await self.ledger.write(tid, source, write)

    def send_soon(self, fut: FutureMessage) -> None:
        """Buffer a message (it joins a transaction when published)."""
        self.producer.send_soon(fut)

    async def flush(self) -> None:
        """Flush the underlying producer."""
        await self.producer.flush()

    async def create_topic(
        self,
        topic: str,
        partitions: int,
        replication: int,
        *,
        config: Optional[Mapping[str, Any]] = None,
        timeout: Seconds = 1000.0,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        ensure_created: bool = False,
    ) -> None:
        """Create a topic with the underlying producer."""
        await self.producer.create_topic(
            topic,
            partitions,
            replication,
            config=config,
            timeout=timeout,
            retention=retention,
            compacting=compacting,
            deleting=deleting,
            ensure_created=ensure_created,
        )

    def key_partition(self, topic: str, key: bytes) -> TP:
        """The partition ``key`` goes to."""
        return self.producer.key_partition(topic, key)

    def supports_headers(self) -> bool:
        """Whether the broker accepts headers."""
        return self.producer.supports_headers()

    async def begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction (delegated to the producer)."""
        await self.producer.begin_transaction(transactional_id)

    async def commit_transaction(self, transactional_id: str) -> None:
        """Commit a transaction (delegated to the producer)."""
        await self.producer.commit_transaction(transactional_id)

    async def abort_transaction(self, transactional_id: str) -> None:
        """Abort a transaction (delegated to the producer)."""
        await self.producer.abort_transaction(transactional_id)

    async def stop_transaction(self, transactional_id: str) -> None:
        """Abort and close a transactional producer (delegated)."""
        await self.producer.stop_transaction(transactional_id)

    async def maybe_begin_transaction(self, transactional_id: str) -> None:
        """Begin a transaction unless one is open (delegated)."""
        await self.producer.maybe_begin_transaction(transactional_id)

    async def commit_transactions(
        self,
        tid_to_offset_map: Mapping[str, Mapping[TP, int]],
        group_id: str,
        start_new_transaction: bool = True,
    ) -> None:
        """Commit several transactions with their offsets (delegated)."""
        await self.producer.commit_transactions(
            tid_to_offset_map, group_id, start_new_transaction=start_new_transaction
        )

    def _repr_info(self) -> str:
        return f"transactions={len(set(self.transactional_ids.values()))}"
