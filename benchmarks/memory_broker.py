"""Throughput of the embedded memory:// broker engine.

Run: ``python benchmarks/memory_broker.py [records] [repeats]``.  Prints the
best of ``repeats`` runs, in records/s, for produce (keyed, unkeyed, explicit
partition, transactional, compacted), fetch (batches of 500,
read_uncommitted and read_committed), compaction, and murmur2.  Each run
uses a fresh broker, so the log sizes (and garbage collector work) are those
of ``records`` records.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types.tuples import TP
from faust.utils.murmur2 import murmur2

VALUE = b"x" * 100


def best_rate(
    label: str, count: int, repeats: int, setup: Callable[[], Callable[[], object]]
) -> None:
    best = float("inf")
    for _ in range(repeats):
        run = setup()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    per_record = best * 1e9 / count
    print(f"{label:<46} {count / best:>12,.0f} records/s  ({per_record:,.0f} ns each)")


def producing(
    keys: list[bytes],
    topic: str,
    config: dict[str, str] | None = None,
    **kwargs: object,
) -> Callable[[], Callable[[], object]]:
    def setup() -> Callable[[], object]:
        broker = MemoryBroker(compaction_threshold=10_000)
        broker.create_topic(topic, 8 if "partition" not in kwargs else 1, config=config)
        produce = broker.produce

        def run() -> None:
            for key in keys:
                produce(topic, key, VALUE, **kwargs)  # type: ignore[arg-type]

        return run

    return setup


def transactional(keys: list[bytes]) -> Callable[[], object]:
    broker = MemoryBroker()
    broker.create_topic("txn", 1)
    txn = broker.init_transactions("bench")
    produce = broker.produce

    def run() -> None:
        for start in range(0, len(keys), 1000):
            txn.begin_transaction()
            for key in keys[start : start + 1000]:
                produce("txn", key, VALUE, partition=0, transaction=txn)
            txn.commit_transaction()

    return run


def fetching(
    keys: list[bytes], read_committed: bool
) -> Callable[[], Callable[[], object]]:
    broker = MemoryBroker()
    broker.create_topic("f", 1)
    txn = broker.init_transactions("bench")
    for start in range(0, len(keys), 1000):
        txn.begin_transaction()
        for key in keys[start : start + 1000]:
            broker.produce("f", key, VALUE, partition=0, transaction=txn)
        (txn.commit_transaction if start % 2000 else txn.abort_transaction)()
    tp = TP("f", 0)

    def setup() -> Callable[[], object]:
        def run() -> None:
            offset = 0
            fetch = broker.fetch
            while True:
                result = fetch(
                    tp, offset, max_records=500, read_committed=read_committed
                )
                if result.next_offset == offset:
                    break
                offset = result.next_offset

        return run

    return setup


def compacting(keys: list[bytes]) -> Callable[[], object]:
    broker = MemoryBroker(compaction_threshold=None)
    broker.create_topic("c", 1, config={"cleanup.policy": "compact"})
    for key in keys:
        broker.produce("c", key, VALUE, partition=0)
    return lambda: broker.compact("c")


def main(n: int, repeats: int) -> None:
    keys = [b"key-%d" % (i % 10_000) for i in range(n)]
    unique = [b"unique-key-%d" % i for i in range(n)]
    nones: list[bytes] = [None] * n  # type: ignore[list-item]
    best_rate(
        "produce, keyed, 10k distinct keys, 8 parts", n, repeats, producing(keys, "t")
    )
    best_rate(
        "produce, keyed, all keys distinct, 8 parts", n, repeats, producing(unique, "t")
    )
    best_rate(
        "produce, no key (round-robin), 8 parts", n, repeats, producing(nones, "t")
    )
    best_rate(
        "produce, explicit partition + timestamp",
        n,
        repeats,
        producing(keys, "t", partition=0, timestamp=1.0),
    )
    best_rate(
        "produce, compacted topic (auto-compaction)",
        n,
        repeats,
        producing(keys, "t", {"cleanup.policy": "compact"}, partition=0),
    )
    best_rate(
        "produce, transactional (1000 per txn)", n, repeats, lambda: transactional(keys)
    )
    best_rate(
        "fetch, batches of 500, read_uncommitted", n, repeats, fetching(keys, False)
    )
    best_rate(
        "fetch, batches of 500, read_committed*", n, repeats, fetching(keys, True)
    )
    best_rate("compact (10,000 distinct keys)", n, repeats, lambda: compacting(keys))
    best_rate(
        "murmur2, ~13-byte keys",
        n,
        repeats,
        lambda: lambda: [murmur2(k) for k in unique],
    )
    print("* half of the transactions aborted: read_committed returns half the records")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
