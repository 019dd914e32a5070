"""The app the worker-process tests run (``faust -A worker_app worker``).

Configured by environment variables (set by the tests for the subprocess):

- ``IT_BROKER``: broker URL; ``IT_APP_ID``: app id (consumer group);
- ``IT_TOPIC``: topic of integer events (raw bytes ``b"17"``);
- ``IT_OUT``: directory; every processed event is appended as a line
  ``<value>`` to ``<IT_OUT>/<pid>.log`` *before* it is acked, so the lines
  of all workers show what was processed, including twice;
- ``IT_DELAY``: seconds each event takes (default 0);
- ``IT_BLOCK_AT`` / ``IT_BLOCK_FOR``: at that event value, block the event
  loop for that many seconds (a synchronous sleep), once;
- ``IT_REQUEST_TIMEOUT``: ``broker_request_timeout`` (default 10);
- ``IT_EOS``: set to run with ``processing_guarantee='exactly_once'``;
- ``IT_SINK``: topic receiving each event's value as output, sent before
  the event's ``IT_DELAY`` (so events are in flight with their output
  written whenever a commit happens).
"""

from __future__ import annotations

import asyncio
import os
import time

import faust

app = faust.App(
    os.environ.get("IT_APP_ID", "worker-app"),
    broker=os.environ.get("IT_BROKER", "kafka://127.0.0.1:9092"),
    web_enabled=False,
    topic_partitions=4,
    broker_session_timeout=float(os.environ.get("IT_SESSION_TIMEOUT", "3")),
    broker_heartbeat_interval=0.5,
    broker_rebalance_timeout=10.0,
    broker_request_timeout=float(os.environ.get("IT_REQUEST_TIMEOUT", "10")),
    broker_commit_interval=0.2,
    processing_guarantee="exactly_once"
    if os.environ.get("IT_EOS")
    else "at_least_once",
    value_serializer="raw",
    datadir=os.path.join(os.environ.get("IT_OUT", "."), "data"),
)

events = app.topic(os.environ.get("IT_TOPIC", "events"), partitions=4)
_out = os.path.join(os.environ.get("IT_OUT", "."), f"{os.getpid()}.log")
_fd = os.open(_out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
_delay = float(os.environ.get("IT_DELAY", "0"))
_block_at = os.environ.get("IT_BLOCK_AT")
_block_for = float(os.environ.get("IT_BLOCK_FOR", "0"))
_sink = (
    app.topic(os.environ["IT_SINK"], partitions=4) if "IT_SINK" in os.environ else None
)


@app.agent(events)
async def process(stream):
    """Record each event, then (optionally) take some time over it."""
    global _block_at
    async for value in stream:
        os.write(_fd, value + b"\n")
        if _sink is not None:
            await _sink.send(value=value)
        if _block_at is not None and value == _block_at.encode():
            _block_at = None
            time.sleep(_block_for)  # blocks the whole event loop on purpose
        if _delay:
            await asyncio.sleep(_delay)
