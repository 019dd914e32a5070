"""Consumer.commit: concurrent calls commit everything acked before them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from consumer_fakes import CannedConsumer

import faust
from faust.transport.consumer import Consumer
from faust.types import TP, Message

TP0 = TP("src", 0)


class SlowCommitConsumer(CannedConsumer):
    """A driver whose commits wait until the test lets them finish."""

    def __init__(self, app: faust.App) -> None:
        super().__init__(app)
        self.commits: list[dict[TP, int]] = []
        self.started_commit = asyncio.Event()
        self.release = asyncio.Event()

    def assignment(self) -> set[TP]:
        return {TP0}

    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        self.started_commit.set()
        await self.release.wait()
        self.commits.append(dict(offsets))
        return True


@pytest.fixture
def app() -> faust.App:
    return faust.App("unit-commit", broker="memory://unit-commit")


def delivered(consumer: Consumer, offset: int) -> Message:
    message = consumer._to_message(TP0, offset)
    consumer.track_message(message)
    return message


async def test_commit_during_a_commit_waits_then_commits_later_acks(
    app: faust.App,
) -> None:
    # a rebalance or shutdown commits while the periodic commit is running:
    # what was acked meanwhile must be committed before it returns, or the
    # next owner of the partition processes those events again
    consumer = SlowCommitConsumer(app)
    first, second = delivered(consumer, 0), delivered(consumer, 1)
    consumer.ack(first)
    periodic = asyncio.ensure_future(consumer.commit())
    await consumer.started_commit.wait()
    consumer.ack(second)  # acked after the periodic commit took its offsets
    final = asyncio.ensure_future(consumer.commit())
    await asyncio.sleep(0)
    assert not final.done()  # waits for the running commit
    consumer.release.set()
    assert await periodic is True
    assert await final is True
    assert consumer.commits == [{TP0: 1}, {TP0: 2}]
    assert consumer.committed_offset(TP0) == 2


async def test_commit_with_nothing_new_does_not_call_the_broker(
    app: faust.App,
) -> None:
    consumer = SlowCommitConsumer(app)
    consumer.release.set()
    consumer.ack(delivered(consumer, 0))
    assert await consumer.commit() is True
    assert await consumer.commit() is False  # nothing acked since
    assert consumer.commits == [{TP0: 1}]


class OrderedConsumer(CannedConsumer):
    """Records the order of the broker calls made at an assignment."""

    def __init__(self, app: faust.App, calls: list[str]) -> None:
        super().__init__(app)
        self.calls = calls

    async def _committed_offsets(self, tps: set[TP]) -> Mapping[TP, int | None]:
        self.calls.append("read committed offsets")
        return {TP0: 7}


async def test_exactly_once_starts_transactions_before_reading_offsets(
    app: faust.App,
) -> None:
    # starting a partition's transaction completes its previous one (ours,
    # committed while revoking, or the last owner's); offsets read before
    # that may predate it, and its events would be processed twice
    calls: list[str] = []
    app.in_worker = True
    app.conf.processing_guarantee = "exactly_once"
    consumer = OrderedConsumer(app, calls)

    class Transactions:
        async def on_rebalance(self, *args: object) -> None:
            calls.append("start transactions")

    consumer.transactions = Transactions()  # type: ignore[assignment]
    await consumer.on_partitions_assigned({TP0})
    assert calls == ["start transactions", "read committed offsets"]
    assert consumer.committed_offset(TP0) == 7
