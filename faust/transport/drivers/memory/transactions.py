"""Transactions (exactly-once) in the in-memory broker.

``MemoryBroker.init_transactions(transactional_id)`` returns a
:class:`TransactionalProducer` with a producer id and an epoch.  Calling it
again with the same id bumps the epoch: the older producer is *fenced* (its
open transaction is aborted and each later call raises
:class:`~faust.exceptions.ProducerFenced`), exactly like a zombie worker in
Kafka.

A transaction::

    txn = broker.init_transactions("app-0")
    txn.begin_transaction()
    broker.produce("out", b"k", b"v", transaction=txn)
    txn.send_offsets_to_transaction("group", {TP("in", 0): 43},
                                    member_id=m.member_id,
                                    generation=m.generation)
    txn.commit_transaction()        # or txn.abort_transaction()

Ending a transaction writes a control marker (one offset, no record) to each
partition it wrote to.  Until then the partition's last stable offset stays at
the transaction's first record, so ``read_committed`` consumers see nothing
from there on.  After an abort the records stay in the log (``read_uncommitted``
consumers have seen them) but ``read_committed`` fetches skip them, and the
offsets sent to the transaction are discarded; after a commit they are stored.

An open transaction older than its timeout is aborted, and its producer
fenced, by ``MemoryBroker.expire_transactions()``.
"""

from __future__ import annotations

from collections.abc import Callable

from faust.exceptions import ProducerFenced
from faust.types.tuples import TP

from .broker_errors import InvalidRequest, InvalidTransactionState
from .broker_types import OffsetAndMetadata
from .groups import GroupCoordinator, OffsetsArg
from .log import PartitionLog

__all__ = ["TransactionalProducer", "TransactionCoordinator"]

_READY = "ready"
_IN_TXN = "in_transaction"
_FENCED = "fenced"
_CLOSED = "closed"


class TransactionalProducer:
    """A transactional producer session (one epoch of one transactional id).

    Pass it as ``transaction=`` to ``MemoryBroker.produce``.
    """

    def __init__(
        self,
        coordinator: TransactionCoordinator,
        transactional_id: str,
        producer_id: int,
        epoch: int,
        timeout: float,
    ) -> None:
        self.transactional_id = transactional_id
        self.producer_id = producer_id
        self.epoch = epoch
        #: Seconds an open transaction may last before it is expired.
        self.timeout = timeout
        #: When the open transaction began (broker clock), else None.
        self.started_at: float | None = None
        self._coordinator = coordinator
        self._state = _READY
        self._fenced_by = ""
        self._written: dict[PartitionLog, list[int]] = {}
        self._offsets: dict[str, dict[TP, OffsetAndMetadata]] = {}

    def __repr__(self) -> str:
        return (
            f"<TransactionalProducer {self.transactional_id!r} "
            f"pid={self.producer_id} epoch={self.epoch} {self._state}>"
        )

    @property
    def in_transaction(self) -> bool:
        """True between ``begin_transaction`` and commit/abort."""
        return self._state == _IN_TXN

    @property
    def fenced(self) -> bool:
        """True once a newer producer (or a timeout) fenced this one."""
        return self._state == _FENCED

    @property
    def partitions(self) -> frozenset[TP]:
        """The partitions written to in the open transaction."""
        return frozenset(log.tp for log in self._written)

    def _check(self) -> None:
        if self._state == _FENCED:
            raise ProducerFenced(
                f"transactional producer {self.transactional_id!r} (epoch "
                f"{self.epoch}) was fenced: {self._fenced_by}; stop using it"
            )
        if self._state == _CLOSED:
            raise InvalidTransactionState(
                f"transactional producer {self.transactional_id!r} is closed"
            )

    def _check_in_transaction(self, action: str) -> None:
        self._check()
        if self._state != _IN_TXN:
            raise InvalidTransactionState(
                f"cannot {action}: producer {self.transactional_id!r} has no "
                f"open transaction (call begin_transaction() first)"
            )

    def check_can_produce(self) -> None:
        """Raise unless a transaction is open (called before each produce)."""
        if self._state != _IN_TXN:
            self._check_in_transaction("produce")

    def on_append(self, log: PartitionLog, offset: int) -> None:
        """Record that ``offset`` of ``log`` belongs to the open transaction."""
        written = self._written.get(log)
        if written is None:
            self._written[log] = [offset]
            log.open_txns.setdefault(self.producer_id, offset)
        else:
            written.append(offset)

    def begin_transaction(self) -> None:
        """Open a transaction.

        Raises:
            ProducerFenced: a newer producer took over.
            InvalidTransactionState: a transaction is already open.
        """
        self._check()
        if self._state == _IN_TXN:
            raise InvalidTransactionState(
                f"producer {self.transactional_id!r} already has an open transaction"
            )
        self._state = _IN_TXN
        self.started_at = self._coordinator.clock()

    def send_offsets_to_transaction(
        self,
        group_id: str,
        offsets: OffsetsArg,
        *,
        member_id: str | None = None,
        generation: int | None = None,
    ) -> None:
        """Commit consumer offsets if (and only if) the transaction commits.

        Arguments:
            group_id: the consumer group.
            offsets: ``{tp: next_offset}`` or ``{tp: OffsetAndMetadata}``.
            member_id: the committing member (checked now, like Kafka's
                TxnOffsetCommit); None for a group without members.
            generation: the generation the work belongs to.

        Raises:
            IllegalGeneration: the group rebalanced since (drop the work).
            UnknownMemberId: the member is not in the group.
            UnknownTopicOrPartition: a partition does not exist.
            ProducerFenced: a newer producer took over.
            InvalidTransactionState: no transaction is open.
        """
        self._check_in_transaction("send offsets")
        groups = self._coordinator.groups
        normalized = groups.normalize_offsets(offsets)
        groups.get_or_create(group_id).check_member(member_id, generation)
        self._offsets.setdefault(group_id, {}).update(normalized)

    def commit_transaction(self) -> None:
        """Commit: make the records visible and store the offsets sent.

        Raises:
            ProducerFenced: a newer producer took over (the transaction was
                aborted).
            InvalidTransactionState: no transaction is open.
        """
        self._check_in_transaction("commit")
        self._coordinator.complete(self, commit=True)

    def abort_transaction(self) -> None:
        """Abort: hide the records from ``read_committed`` and drop the offsets.

        Raises:
            ProducerFenced: a newer producer took over (it already aborted).
            InvalidTransactionState: no transaction is open.
        """
        self._check_in_transaction("abort")
        self._coordinator.complete(self, commit=False)

    def close(self) -> None:
        """Abort any open transaction and release the transactional id."""
        if self._state == _IN_TXN:
            self._coordinator.complete(self, commit=False)
        if self._state != _FENCED:
            self._state = _CLOSED
        self._coordinator.release(self)


class TransactionCoordinator:
    """Producer ids, epochs and the completion of transactions.

    Arguments:
        groups: where committed transactions store their offsets.
        clock: the broker clock (seconds).
    """

    def __init__(self, groups: GroupCoordinator, clock: Callable[[], float]) -> None:
        self.groups = groups
        self.clock = clock
        self.producers: dict[str, TransactionalProducer] = {}
        self._next_pid = 1000

    def init(self, transactional_id: str, timeout: float) -> TransactionalProducer:
        """Return a new session for ``transactional_id``, fencing the old one."""
        if not isinstance(transactional_id, str) or not transactional_id:
            raise InvalidRequest(f"invalid transactional id {transactional_id!r}")
        if timeout <= 0:
            raise InvalidRequest(f"transaction timeout must be > 0, not {timeout!r}")
        old = self.producers.get(transactional_id)
        if old is not None:
            self.fence(old, f"producer epoch {old.epoch + 1} was initialized")
            producer_id, epoch = old.producer_id, old.epoch + 1
        else:
            self._next_pid += 1
            producer_id, epoch = self._next_pid, 0
        producer = TransactionalProducer(
            self, transactional_id, producer_id, epoch, timeout
        )
        self.producers[transactional_id] = producer
        return producer

    def fence(self, producer: TransactionalProducer, reason: str) -> None:
        """Abort the producer's open transaction and fence it."""
        if producer.in_transaction:
            self.complete(producer, commit=False)
        producer._state = _FENCED
        producer._fenced_by = reason

    def release(self, producer: TransactionalProducer) -> None:
        """Forget a closed producer (its id may be initialized again)."""
        if self.producers.get(producer.transactional_id) is producer:
            del self.producers[producer.transactional_id]

    def complete(self, producer: TransactionalProducer, *, commit: bool) -> None:
        """Write the control markers and commit or discard the offsets."""
        pid = producer.producer_id
        for log, offsets in producer._written.items():
            if not commit:
                log.aborted.update(offsets)
            log.open_txns.pop(pid, None)
            log.append_marker()
        if commit:
            for group_id, committed in producer._offsets.items():
                self.groups.get_or_create(group_id).offsets.update(committed)
        producer._written = {}
        producer._offsets = {}
        producer._state = _READY
        producer.started_at = None

    def expire(self, now: float) -> int:
        """Abort (and fence) transactions open longer than their timeout."""
        expired = [
            p
            for p in self.producers.values()
            if p.started_at is not None and now - p.started_at > p.timeout
        ]
        for producer in expired:
            self.fence(
                producer, f"its transaction exceeded the {producer.timeout}s timeout"
            )
        return len(expired)

    def close(self) -> None:
        """Abort every open transaction and fence every producer."""
        for producer in list(self.producers.values()):
            self.fence(producer, "the broker was closed")
        self.producers.clear()
