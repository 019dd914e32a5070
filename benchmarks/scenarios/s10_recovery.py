"""S10: changelog recovery into a RocksDB table.

As S7 (``s7_recovery.py``), but the table is on RocksDB, and the changelog
(``BENCH_EXTRA`` is ``CHANGELOG:RECORDS:KEYS``) cycles over up to a million
keys: from the partitions being assigned until the trigger event arrives,
which streams see only once the table is recovered. The keys are counted
after the clock stops.
"""

import time

from scenarios.common import EXTRA, TOPIC, make_app
from scenarios.curve import TABLE_OPTIONS, fill_memory, recovery_result

changelog_name, records, keys = EXTRA.split(":")
fill_memory(changelog_name, int(records), int(keys), changelog=True)
fill_memory(TOPIC, 1, 1)
app = make_app(store="rocksdb://")
changelog = app.topic(
    changelog_name, partitions=4, key_serializer="json", value_serializer="json"
)
table = app.Table(
    "recovered", default=int, options=TABLE_OPTIONS, changelog_topic=changelog
)
trigger = app.topic(TOPIC, value_serializer="raw")
started: list[float] = []


@app.on_partitions_assigned.connect
async def on_assigned(sender, assigned, **kwargs):
    if assigned and not started:
        started.extend((time.perf_counter(), time.process_time()))


@app.agent(trigger)
async def ready(stream):
    async for _value in stream:
        t0, c0 = started or (time.perf_counter(), time.process_time())
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        keys = sum(1 for _ in table.keys())
        recovery_result(seconds, cpu, int(records), keys)
