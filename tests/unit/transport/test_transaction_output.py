"""OutputLedger: what a cut transaction may commit, and the output it holds."""

from __future__ import annotations

import asyncio

from faust.transport.transaction_output import OutputLedger
from faust.types import TP, RecordMetadata

A, B = TP("a", 0), TP("b", 0)


def metadata(offset: int) -> RecordMetadata:
    return RecordMetadata("out", 0, TP("out", 0), offset, None, None)


class Log:
    """A producer stand-in: records what was written, in order."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def writer(self, name: str):
        async def write() -> asyncio.Future[RecordMetadata]:
            self.written.append(name)
            fut = asyncio.get_running_loop().create_future()
            fut.set_result(metadata(len(self.written) - 1))
            return fut

        return write


async def test_output_is_written_at_once_and_marks_its_source_dirty() -> None:
    ledger, log = OutputLedger(), Log()
    assert not ledger.must_hold("t", (A, 5))
    await ledger.write("t", (A, 5), log.writer("a5"))
    await ledger.write("t", (A, 3), log.writer("a3"))
    assert log.written == ["a5", "a3"]
    assert ledger.dirty == {A: 5}


async def test_cut_is_past_the_last_event_with_output() -> None:
    ledger, log = OutputLedger(), Log()
    await ledger.write("t", (A, 5), log.writer("a5"))
    points = {A: 4, B: 9}
    # A has output of offset 5 (not acked: its commit point is 4)
    assert ledger.cut("t", [A, B], points.get) == {A: 6, B: 9}
    # clean partitions commit where they are
    assert OutputLedger().cut("t", [A, B], points.get) == {A: 4, B: 9}
    # nothing delivered, nothing committed: left out (its output is held)
    assert OutputLedger().cut("t", [A], {}.get) == {}


async def test_a_cut_holds_output_of_later_events_until_released() -> None:
    ledger, log = OutputLedger(), Log()
    ledger.cut("t", [A], {A: 4}.get)
    assert not ledger.must_hold("t", (A, 3))  # below the cut: goes in
    assert ledger.must_hold("t", (A, 4))
    assert ledger.must_hold("t", None)  # not output of an event
    assert ledger.must_hold("t", (B, 0))  # not a partition of the cut
    first = ledger.hold("t", (A, 4), log.writer("a4"))
    second = ledger.hold("t", None, log.writer("none"))
    assert ledger.held_count("t") == 2 and not first.done()
    ledger.on_committed("t", [A])
    await ledger.release("t")
    assert log.written == ["a4", "none"]  # in the order produced
    assert (await first).offset == 0 and (await second).offset == 1
    assert ledger.dirty == {A: 4}  # now in the next transaction
    assert not ledger.must_hold("t", (A, 9)) and ledger.held_count() == 0


async def test_dropping_an_aborted_transaction_cancels_held_output() -> None:
    ledger, log = OutputLedger(), Log()
    await ledger.write("t", (A, 1), log.writer("a1"))
    ledger.cut("t", [A], {A: 0}.get)
    held = ledger.hold("t", (A, 2), log.writer("a2"))
    ledger.drop("t", [A])
    assert held.cancelled()
    assert ledger.dirty == {} and not ledger.must_hold("t", (A, 2))


async def test_a_failed_held_write_fails_its_future() -> None:
    ledger = OutputLedger()
    ledger.cut("t", [A], {A: 0}.get)

    async def broken() -> asyncio.Future[RecordMetadata]:
        raise RuntimeError("broker gone")

    held = ledger.hold("t", (A, 0), broken)
    await ledger.release("t")
    assert isinstance(held.exception(), RuntimeError)
