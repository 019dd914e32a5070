"""S9: a RocksDB table growing to ``KEYS`` distinct keys (changelog on).

The input cycles over ``KEYS`` keys (``scenarios/curve.py``), so the table
gains a key per event until it holds them all, then every event updates one
of them; the meter is read at each of ``POINTS`` events.
"""

from scenarios.common import EXTRA, TOPIC, make_app
from scenarios.curve import (
    TABLE_OPTIONS,
    CurveMeter,
    fill_memory,
    parse_points,
    rocksdb_memory,
)

POINTS, KEYS = parse_points(EXTRA)
fill_memory(TOPIC, POINTS[-1], KEYS)
app = make_app(store="rocksdb://")
source = app.topic(TOPIC, key_serializer="raw", value_serializer="raw")
counts = app.Table("counts", default=int, options=TABLE_OPTIONS)
m = CurveMeter(POINTS, probe=lambda: rocksdb_memory(counts))


@app.agent(source)
async def consume(stream):
    async for key, _value in stream.items():
        counts[key.decode()] += 1
        if m.tick():
            await m.point(app)
