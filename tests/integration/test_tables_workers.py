"""Tables in real worker processes (``faust -A table_app worker``) on the broker.

Each worker counts events by key into the table ``counts`` (see
``table_app.py``), logs every event it processed (after the table update) and
serves the table at ``GET /counts/``. Event ``i`` has key ``k<i % KEYS>``,
and is sent to partition ``(i % KEYS) % 4``: a key's events are all in one
partition, processed in order by whoever owns it.

The guarantees checked (at-least-once processing, the default):

- a clean run counts every event exactly once;
- after ``kill -9`` a count may include events processed again (their
  changelog record reached the broker but their offset was not committed),
  never less: for every key ``truth <= count <= times processed``;
- a standby replica taking over, and a RocksDB table restarting, read only
  the changelog records they do not hold yet (the ``Recovery complete: N
  changelog record(s)`` log line gives N).
"""

from __future__ import annotations

import asyncio
import signal

from table_helpers import (
    committed_all,
    counts_now,
    get_counts,
    lines,
    processed_by_key,
    produce,
    reached_end,
    table_workers,
    truth,
    until_async,
)
from worker_helpers import PARTITIONS, create_topic, split_between, until

tables = table_workers("kafka_url")


async def test_kill_9_and_restart_recovers_the_table(
    tables, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start(IT_DELAY="0.001")
    await until(lambda: split_between([a], tables.topic, 1), 30, "assigned", [a])
    total = 2000
    producing = asyncio.ensure_future(
        produce(kafka_url, tables.topic, range(total), pace=0.0005)
    )
    await until(lambda: len(lines(a, tables.out)) > 600, 30, "mid-stream", [a])
    a.stop(signal.SIGKILL)
    await producing
    before = len(lines(a, tables.out))
    assert before < total  # killed mid-stream

    a2 = tables.start()
    await until(lambda: reached_end(a2, tables.out, total), 30, "restart", [a2])
    recoveries = a2.recoveries()
    assert recoveries, a2.text()[-3000:]
    read, partitions = recoveries[0]
    assert partitions == PARTITIONS
    assert read > 0  # the table came back from the changelog

    counts = (await get_counts(a2))["counts"]
    expected = truth(total)
    seen = processed_by_key(tables.out)
    assert set(counts) == set(expected)
    for key, n in expected.items():
        # a changelog record is sent only after its line was logged
        assert n <= counts[key] <= seen[key], (key, n, counts[key], seen[key])
    twice = sum(counts.values()) - total
    record_property("table_counts_doubled_after_kill_9", twice)
    print(
        f"\nkill -9 after {before}/{total} events: recovered {read} changelog "
        f"records, {twice} event(s) counted twice"
    )


async def test_standby_takes_over_without_replay(
    tables, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start("a", IT_STANDBYS="1")
    b = tables.start("b", IT_STANDBYS="1")
    await until(
        lambda: split_between([a, b], tables.topic, 2), 30, "A and B share", [a, b]
    )
    total = 1000
    await produce(kafka_url, tables.topic, range(total))
    expected = dict(truth(total))

    # A holds B's keys too (standby), and B committed everything
    async def warm() -> bool:
        return await counts_now(a) == expected and await committed_all(
            kafka_url, tables.group, tables.topic, total
        )

    await until_async(warm, 30, "A's standby copy is complete", [a, b])
    generation = a.assignment(tables.topic)[0]  # type: ignore[index]
    recovered_before = len(a.recoveries())
    b.stop(signal.SIGKILL)

    await until(
        lambda: (
            split_between([a], tables.topic, 1)
            and a.assignment(tables.topic)[0] > generation  # type: ignore[index]
            and len(a.recoveries()) > recovered_before
        ),
        30,
        "A takes over",
        [a],
    )
    read, partitions = a.recoveries()[-1]
    record_property("standby_takeover_records_read", read)
    print(f"\nstandby takeover: read {read} of {total} changelog records")
    assert partitions == PARTITIONS
    # B's partitions: the standby copy was complete; A's own: the store knows
    # the offsets of what A wrote
    assert read == 0, a.text()[-3000:]

    more = 400
    await produce(kafka_url, tables.topic, range(total, total + more))
    await until(lambda: reached_end(a, tables.out, total + more), 30, "more", [a])
    assert (await get_counts(a))["counts"] == dict(truth(total + more))


async def test_rocksdb_restart_reads_only_the_tail(
    tables, kafka_url, record_property
) -> None:
    await create_topic(kafka_url, tables.topic)
    a = tables.start("a", IT_STORE="rocksdb://")
    await until(lambda: split_between([a], tables.topic, 1), 30, "assigned", [a])
    total = 1000
    await produce(kafka_url, tables.topic, range(total))
    await until(lambda: reached_end(a, tables.out, total), 30, "first run", [a])
    assert a.stop() == 0
    assert a.recoveries()[0][0] == 0  # an empty changelog at first

    a2 = tables.start("a", IT_STORE="rocksdb://")  # the same data directory
    await until(lambda: bool(a2.recoveries()), 30, "recovery", [a2])
    read, partitions = a2.recoveries()[0]
    record_property("rocksdb_restart_records_read", read)
    print(f"\nRocksDB restart: read {read} of {total} changelog records")
    assert partitions == PARTITIONS
    # a clean stop writes every change and its changelog offset to RocksDB
    assert read == 0, a2.text()[-3000:]

    more = 200
    await produce(kafka_url, tables.topic, range(total, total + more))
    await until(lambda: reached_end(a2, tables.out, total + more), 30, "more", [a2])
    # a clean stop commits after the changelog is durable: counted once
    assert (await get_counts(a2))["counts"] == dict(truth(total + more))
