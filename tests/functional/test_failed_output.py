"""At-least-once: an event whose output could not be sent is not committed."""

from __future__ import annotations

import asyncio

import pytest

import faust
from faust.types import TP


@pytest.mark.conf(topic_partitions=1, producer_max_request_size=1000)
async def test_failed_send_soon_holds_back_the_source_offset(
    app: faust.App, caplog: pytest.LogCaptureFixture
) -> None:
    source = app.topic("orders", value_type=int, partitions=1)
    out = app.topic("receipts", value_type=str, partitions=1)
    done = asyncio.Event()
    count = 0

    @app.agent(source)
    async def relay(stream):
        nonlocal count
        async for number in stream:
            # event 5's receipt is larger than producer_max_request_size
            out.send_soon(value="x" * (5000 if number == 5 else 10))
            count += 1
            if count == 10:
                done.set()

    await app.start()
    for i in range(10):
        await source.send(value=i, partition=0)
    await asyncio.wait_for(done.wait(), 10)
    await app.consumer.commit()
    await app.stop()
    broker = app.transport.broker  # type: ignore[attr-defined]
    committed = broker.committed_offsets(app.conf.id, [TP("orders", 0)])
    assert committed[TP("orders", 0)].offset == 5
    assert app.consumer.failed_outputs == 1
    assert "could not be sent" in caplog.text
