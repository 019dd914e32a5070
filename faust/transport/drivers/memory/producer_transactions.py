"""Transactions of the ``memory://`` producer (``processing_guarantee='exactly_once'``).

:class:`ProducerTransactions` keeps one broker transaction session
(:class:`~.transactions.TransactionalProducer`) per transactional id and
implements the transactional half of the producer interface on it; the
``memory://`` Producer delegates to it. Committing adds the consumer's
offsets to each transaction (checked against the consumer's group member
and generation, as Kafka's TxnOffsetCommit is) before committing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from faust.types.tuples import TP

from .broker import MemoryBroker
from .transactions import TransactionalProducer

__all__ = ["ProducerTransactions"]


class ProducerTransactions:
    """Transaction sessions by transactional id.

    Arguments:
        broker: the embedded broker.
    """

    def __init__(self, broker: MemoryBroker) -> None:
        self.broker = broker
        self.sessions: dict[str, TransactionalProducer] = {}

    def session(self, transactional_id: str) -> TransactionalProducer:
        """The session of ``transactional_id`` (fencing an older one)."""
        session = self.sessions.get(transactional_id)
        if session is None:
            session = self.broker.init_transactions(transactional_id)
            self.sessions[transactional_id] = session
        return session

    def open(self, transactional_id: str) -> TransactionalProducer:
        """The session, with a transaction open."""
        session = self.session(transactional_id)
        if not session.in_transaction:
            session.begin_transaction()
        return session

    def commit(self, transactional_id: str) -> None:
        """Commit the open transaction (if any)."""
        session = self.sessions.get(transactional_id)
        if session is not None and session.in_transaction:
            session.commit_transaction()

    def abort(self, transactional_id: str) -> None:
        """Abort the open transaction (if any)."""
        session = self.sessions.get(transactional_id)
        if session is not None and session.in_transaction:
            session.abort_transaction()

    def stop(self, transactional_id: str) -> None:
        """Abort and release the transactional id."""
        session = self.sessions.pop(transactional_id, None)
        if session is not None:
            session.close()

    def commit_offsets(
        self,
        tid_to_offset_map: Mapping[str, Mapping[TP, int]],
        group_id: str,
        member_id: Optional[str],
        generation: Optional[int],
        start_new_transaction: bool = True,
    ) -> None:
        """Commit each transaction with its offsets; begin the next ones.

        ``member_id``/``generation`` say whose work this is: if the group
        moved on, the broker refuses the offsets (``IllegalGeneration``).
        """
        for tid, offsets in tid_to_offset_map.items():
            session = self.open(tid)
            session.send_offsets_to_transaction(
                group_id, dict(offsets), member_id=member_id, generation=generation
            )
            session.commit_transaction()
            if start_new_transaction:
                session.begin_transaction()

    def close(self) -> None:
        """Abort and release every session."""
        for tid in list(self.sessions):
            self.stop(tid)
