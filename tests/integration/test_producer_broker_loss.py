"""Sends while the brokers go away: they fail in time, nothing hangs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import faust


@pytest.mark.kafka_only
async def test_sends_fail_within_the_timeout_when_the_broker_goes(
    cluster, tmp_path: Path, unique_id: str, unique_topic
) -> None:
    # the 3-node cluster: this test stops every node (the fixture starts
    # them again)
    app = faust.App(
        unique_id,
        broker=cluster.url,
        web_enabled=False,
        datadir=str(tmp_path / "data"),
        producer_request_timeout=3.0,
        broker_request_timeout=3.0,
        broker_session_timeout=3.0,
    )
    name = unique_topic("gone")
    producer = await app.maybe_start_producer()
    try:
        await producer.create_topic(name, 2, 3)
        topic = app.topic(name, value_type=bytes)
        first = await topic.send(key=b"k", value=b"before")
        assert (await asyncio.wait_for(first, 10)).offset == 0

        cluster.stop()
        started = time.monotonic()
        sent = [await topic.send(key=b"k%d" % i, value=b"after") for i in range(20)]
        buffered = topic.send_soon(key=b"k", value=b"buffered")
        results = await asyncio.wait_for(
            asyncio.gather(*sent, buffered, return_exceptions=True), 30
        )
        # each send reports the failure on its own future, none is lost
        # silently and none waits forever
        assert len(results) == 21
        assert all(isinstance(r, Exception) for r in results), results
        assert time.monotonic() - started < 30
        # and a flush (as before a commit) returns instead of hanging
        await asyncio.wait_for(producer.batcher.flush(), 10)
    finally:
        await asyncio.wait_for(producer.stop(), 30)
