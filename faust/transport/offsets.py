"""Per-partition offset bookkeeping: what may be committed.

The rule: the committed offset of a partition never passes an offset that was
delivered to a stream and not yet acked. Every delivered offset is appended,
in fetch order, to the partition's in-flight deque; acks may arrive in any
order (``concurrency > 1``, ``take()`` batches, fan-out to several streams).
The commit point is the offset after the longest acked prefix of the deque.

Offsets that never reach a stream (removed by compaction, transaction
markers) are never tracked, so they can't hold the commit point back: the
next delivered offset simply follows them in the deque.

Every operation is O(1) amortized and allocates nothing per offset beyond
the deque slot (and a set entry for out-of-order acks).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from typing import Optional, TypeVar

__all__ = ["PartitionOffsets", "without_held"]

K = TypeVar("K")


class PartitionOffsets:
    """In-flight and acked offsets of one partition.

    Attributes:
        committed: the last committed offset (the next offset to read), if any.
        next_commit: the offset to commit now: one past the acked prefix.
    """

    __slots__ = ("inflight", "acked", "next_commit", "committed", "held", "on_move")

    def __init__(self, committed: Optional[int] = None) -> None:
        self.inflight: deque[int] = deque()
        self.acked: set[int] = set()
        self.committed = committed
        self.next_commit = committed
        #: lowest offset whose output failed: never committed past
        self.held: Optional[int] = None
        #: set whenever the commit point moves, while someone waits for it
        #: (see :meth:`wait_for`); None otherwise (nothing to do per ack)
        self.on_move: Optional[asyncio.Event] = None

    def track(self, offset: int) -> None:
        """Record that ``offset`` was delivered and awaits its ack."""
        inflight = self.inflight
        if inflight and offset <= inflight[-1]:
            raise ValueError(
                f"offset {offset} delivered after {inflight[-1]}: offsets must increase"
            )
        inflight.append(offset)

    def track_many(self, offsets: list[int]) -> None:
        """Track a fetched batch of increasing offsets (see :meth:`track`)."""
        if not offsets:
            return
        inflight = self.inflight
        previous = inflight[-1] if inflight else -1
        for offset in offsets:
            if offset <= previous:
                raise ValueError(
                    f"offset {offset} delivered after {previous}: offsets must increase"
                )
            previous = offset
        inflight.extend(offsets)

    def ack(self, offset: int) -> bool:
        """Record the ack of ``offset``; returns True if the commit point moved."""
        inflight = self.inflight
        if not inflight or offset < inflight[0]:
            return False  # unknown, or acked already: nothing to do
        if offset != inflight[0]:
            self.acked.add(offset)
            return False
        inflight.popleft()
        last = offset
        acked = self.acked
        while acked and inflight and inflight[0] in acked:
            last = inflight.popleft()
            acked.discard(last)
        self.next_commit = last + 1
        if self.on_move is not None:
            self.on_move.set()
        return True

    def committable(self) -> Optional[int]:
        """The offset to commit, or None if nothing new was acked."""
        nxt = self.commit_point()
        if nxt is None or (self.committed is not None and nxt <= self.committed):
            return None
        return nxt

    def commit_point(self) -> Optional[int]:
        """One past the acked prefix (capped at a held offset), or None."""
        nxt = self.next_commit
        held = self.held
        if held is not None and nxt is not None and nxt > held:
            return held
        return nxt

    async def wait_for(self, offset: int) -> None:
        """Wait until :meth:`commit_point` reaches ``offset``.

        Every delivered offset below ``offset`` has then been acked.
        """
        while True:
            point = self.commit_point()
            if point is not None and point >= offset:
                return
            if self.on_move is None:
                self.on_move = asyncio.Event()
            self.on_move.clear()
            await self.on_move.wait()

    def hold_back(self, offset: int) -> None:
        """Never commit past ``offset`` (its output could not be sent).

        The next owner of the partition processes it again.
        """
        if self.committed is not None and offset < self.committed:
            return  # committed already (before this owner): nothing to hold
        if self.held is None or offset < self.held:
            self.held = offset

    def on_committed(self, offset: int) -> None:
        """Record a successful commit of ``offset``."""
        if self.committed is None or offset > self.committed:
            self.committed = offset

    @property
    def pending(self) -> int:
        """Number of delivered offsets not yet covered by the commit point."""
        return len(self.inflight)

    def __repr__(self) -> str:
        return (
            f"<PartitionOffsets committed={self.committed} next={self.next_commit} "
            f"inflight={len(self.inflight)} acked_out_of_order={len(self.acked)} "
            f"held={self.held}>"
        )


def without_held(
    offsets: Mapping[K, int], partitions: Mapping[K, PartitionOffsets]
) -> dict[K, int]:
    """``offsets`` to commit, none past a held offset (see ``hold_back``).

    Partitions left with nothing new to commit are left out.
    """
    result: dict[K, int] = {}
    for tp, offset in offsets.items():
        partition = partitions.get(tp)
        if partition is None:
            result[tp] = offset
            continue
        held = partition.held
        if held is not None and offset > held:
            offset = held
        if partition.committed is None or offset > partition.committed:
            result[tp] = offset
    return result
