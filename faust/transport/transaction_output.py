"""Which output a transaction may commit: the bookkeeping of exactly-once.

A transaction must commit exactly the output of the events whose offsets it
commits. Output goes into the open transaction as soon as it is produced,
so :class:`OutputLedger` remembers, for every source partition, the highest
offset of an event whose output went into the partition's open transaction
(its *dirty* offset). A transaction may be committed with offset ``c`` of a
source partition only when that dirty offset is below ``c``: every event
with output in the transaction is then acked and below the commit point.

To get there while events keep arriving, a commit *cuts* the transaction:
from then on, output of events at or past the cut (and output produced
outside any event) is *held* in memory instead of written; output of events
below the cut still goes in. Once every event below the cut is acked, the
transaction is committed with the cut as offset, and the held output is
written into the next transaction, in the order it was produced. Nothing is
ever waited for while holding: an agent awaiting delivery of held output
waits only for a commit that does not wait for it.

Not a Service: the :class:`~faust.transport.transaction.TransactionManager`
owns one and calls it; it runs no tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NamedTuple, Optional, TypeVar, cast

from ..types import TP, RecordMetadata

__all__ = ["OutputLedger", "Source", "Write"]

#: The event some output belongs to: its partition and offset.
Source = tuple[TP, int]
#: Writes one message into a transaction (the producer's send, bound).
Write = Callable[[], Awaitable[Awaitable[RecordMetadata]]]

T = TypeVar("T")


class _Held(NamedTuple):
    source: Optional[Source]
    write: Write
    future: asyncio.Future[RecordMetadata]


class OutputLedger:
    """Dirty offsets, cuts and held output, by transactional id."""

    def __init__(self) -> None:
        #: highest source offset with output in the open transaction
        self.dirty: dict[TP, int] = {}
        #: cut transactions: source partition -> first offset held back
        self.cuts: dict[str, dict[TP, int]] = {}
        self._held: dict[str, list[_Held]] = {}
        self._writing: dict[str, int] = {}
        self._quiet: dict[str, asyncio.Event] = {}

    # -- writing -----------------------------------------------------------

    def must_hold(self, tid: str, source: Optional[Source]) -> bool:
        """True if output of ``source`` must wait for ``tid``'s commit."""
        cut = self.cuts.get(tid)
        if cut is None:
            return False
        if source is None:
            return True
        first_held = cut.get(source[0])
        return first_held is None or source[1] >= first_held

    def hold(
        self, tid: str, source: Optional[Source], write: Write
    ) -> asyncio.Future[RecordMetadata]:
        """Keep ``write`` for the next transaction; returns its future."""
        future: asyncio.Future[RecordMetadata] = (
            asyncio.get_running_loop().create_future()
        )
        self._held.setdefault(tid, []).append(_Held(source, write, future))
        return future

    async def write(
        self, tid: str, source: Optional[Source], write: Callable[[], Awaitable[T]]
    ) -> T:
        """Write into ``tid``'s open transaction now, marking it dirty."""
        if source is not None:
            tp, offset = source
            if self.dirty.get(tp, -1) < offset:
                self.dirty[tp] = offset
        self._writing[tid] = self._writing.get(tid, 0) + 1
        try:
            return await write()
        finally:
            left = self._writing[tid] = self._writing[tid] - 1
            if not left and tid in self._quiet:
                self._quiet.pop(tid).set()

    async def wait_written(self, tid: str) -> None:
        """Wait until writes into ``tid`` that started are in the producer."""
        if self._writing.get(tid):
            event = self._quiet.setdefault(tid, asyncio.Event())
            await event.wait()

    # -- cutting -----------------------------------------------------------

    def cut(
        self, tid: str, sources: Iterable[TP], point: Callable[[TP], Optional[int]]
    ) -> dict[TP, int]:
        """Cut ``tid``: the offsets its transaction can be committed with.

        ``point(tp)`` is the offset a partition could be committed with now
        (one past its acked prefix); a dirty partition needs more: one past
        its dirty offset. Partitions with neither are left out.
        """
        cut: dict[TP, int] = {}
        for tp in sources:
            offset = point(tp)
            dirty = self.dirty.get(tp)
            if dirty is not None and (offset is None or offset <= dirty):
                offset = dirty + 1
            if offset is not None:
                cut[tp] = offset
        self.cuts[tid] = cut
        return cut

    def on_committed(self, tid: str, sources: Iterable[TP]) -> None:
        """The cut transaction was committed: its partitions are clean."""
        for tp in sources:
            self.dirty.pop(tp, None)

    async def release(self, tid: str) -> None:
        """End the cut of ``tid``: write the held output, in order."""
        self.cuts[tid] = {}  # output produced meanwhile queues behind
        try:
            held = self._held.get(tid)
            while held:
                item = held.pop(0)
                await self._write_held(tid, item)
        finally:
            self._held.pop(tid, None)
            self.cuts.pop(tid, None)

    async def _write_held(self, tid: str, item: _Held) -> None:
        try:
            inner = await self.write(tid, item.source, item.write)
        except Exception as exc:
            if not item.future.done():
                item.future.set_exception(exc)
            return
        _chain(inner, item.future)

    def drop(self, tid: str, sources: Iterable[TP]) -> None:
        """The transaction is aborted: forget its state, cancel held output."""
        for item in self._held.pop(tid, ()):
            item.future.cancel()
        self.cuts.pop(tid, None)
        for tp in sources:
            self.dirty.pop(tp, None)

    def held_count(self, tid: Optional[str] = None) -> int:
        """Number of held messages (of ``tid``, or in all)."""
        if tid is not None:
            return len(self._held.get(tid, ()))
        return sum(len(items) for items in self._held.values())


def _chain(
    inner: Awaitable[RecordMetadata], outer: asyncio.Future[RecordMetadata]
) -> None:
    """Complete ``outer`` when ``inner`` (a producer future) completes."""

    def done(fut: Any) -> None:
        if outer.done():
            return
        if fut.cancelled():
            outer.cancel()
        elif fut.exception() is not None:
            outer.set_exception(fut.exception())
        else:
            outer.set_result(fut.result())

    # the producers' send() returns an asyncio future (see Topic.publish_message)
    cast(asyncio.Future[RecordMetadata], inner).add_done_callback(done)
