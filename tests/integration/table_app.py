"""The app the table worker tests run (``faust -A table_app worker``).

Counts events by key into the table ``counts``; configured by environment
variables (set by the tests for the subprocess):

- ``IT_BROKER``: broker URL; ``IT_APP_ID``: app id (consumer group);
- ``IT_TOPIC``: source topic (key: ``b"k<n>"``, value: an event number);
- ``IT_OUT``: directory; every processed event is appended as a line
  ``<value> <key>`` to ``<IT_OUT>/<pid>.log`` right after the table was
  updated for it (no await in between: a changelog record of an event is
  never sent before its line is written);
- ``IT_DATADIR``: the worker's data directory (RocksDB tables live there);
- ``IT_STORE``: table store URL (default ``memory://``);
- ``IT_STANDBYS``: ``table_standby_replicas`` (default 0);
- ``IT_DELAY``: seconds each event takes (default 0);
- ``IT_REPLICATION``: ``topic_replication_factor`` (default 1; 3 on the
  3-node cluster);
- ``IT_CHANGELOG_CONFIG``: JSON topic configuration of the changelog
  (``extra_topic_configs``), e.g. to make compaction run within a test;
- ``IT_GLOBAL_SET``: if set, every key is also added to the
  ``SetGlobalTable`` ``seen`` (kept in full by every worker).

An event whose value is ``del`` deletes its key from the table (a
changelog tombstone) instead of counting it.

``GET /counts/`` answers ``{"counts": {key: count}, "seen": [key, ...],
"ready": bool}``: the tables as this worker holds them (actives and
standbys) and whether its active partitions are recovered.
"""

from __future__ import annotations

import asyncio
import json
import os

import faust

app = faust.App(
    os.environ.get("IT_APP_ID", "table-app"),
    broker=os.environ.get("IT_BROKER", "kafka://127.0.0.1:9092"),
    topic_partitions=4,
    broker_session_timeout=3.0,
    broker_heartbeat_interval=0.5,
    broker_rebalance_timeout=10.0,
    broker_request_timeout=10.0,
    broker_commit_interval=0.2,
    store=os.environ.get("IT_STORE", "memory://"),
    table_standby_replicas=int(os.environ.get("IT_STANDBYS", "0")),
    topic_replication_factor=int(os.environ.get("IT_REPLICATION", "1")),
    datadir=os.environ.get("IT_DATADIR", "data"),
    web_bind="127.0.0.1",
    web_host="127.0.0.1",
)

events = app.topic(
    os.environ.get("IT_TOPIC", "events"),
    partitions=4,
    key_serializer="raw",
    value_serializer="raw",
)
counts = app.Table(
    "counts",
    default=int,
    key_type=str,
    value_type=int,
    extra_topic_configs=json.loads(os.environ.get("IT_CHANGELOG_CONFIG", "{}")),
)
seen = (
    app.SetGlobalTable("seen", key_type=str, value_type=str)
    if os.environ.get("IT_GLOBAL_SET")
    else None
)

_out = os.path.join(os.environ.get("IT_OUT", "."), f"{os.getpid()}.log")
_fd = os.open(_out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
_delay = float(os.environ.get("IT_DELAY", "0"))


@app.agent(events)
async def count(stream):
    """Count each event under its key, then record it."""
    async for event in stream.events():
        key = event.key.decode()
        if event.value == b"del":
            counts.pop(key, None)
        else:
            counts[key] += 1
        if seen is not None:
            seen["keys"].add(key)
        os.write(_fd, event.value + b" " + event.key + b"\n")
        if _delay:
            await asyncio.sleep(_delay)


@app.page("/counts/")
async def show_counts(view, request):
    """The table as this worker holds it."""
    return view.json(
        {
            "counts": dict(counts.items()),
            "seen": sorted(seen["keys"]) if seen is not None else [],
            "ready": app.tables.actives_ready,
        }
    )
