"""Windowed tables: tumbling, hopping and sliding windows, and closing them.

Page views are counted three ways, by event time (the timestamp each view is
sent with):

* ``per_minute``: tumbling windows of 60 s, one count per page and minute;
  when a window closes (its minute is 60 s in the past), ``on_window_close``
  prints the final count of that minute;
* ``last_5_min``: hopping windows of 5 minutes starting every minute, so a
  view is counted in five overlapping windows;
* ``around``: sliding windows, one per view, from 30 s before to 30 s after
  it; as in Faust, each view is counted in its own window only.

Run it (the embedded broker, no Kafka needed; it sends views at made-up
times, waits for the closed windows, prints them and the current counts,
then stops)::

    python examples/windows.py

It prints::

    closed: /about 12:00-12:01 -> 1 view(s)
    closed: /home 12:00-12:01 -> 3 view(s)
    closed: /home 12:01-12:02 -> 2 view(s)
    /home: 6 view(s) in the hopping window 12:00-12:05
    /home: 1 view(s) in the sliding window 12:00:40-12:01:40
    Closed 3 windows.

(The closing order of windows that close together may differ.)
"""

import asyncio
import sys
from datetime import datetime, timezone

import faust

app = faust.App(
    "windows-demo",
    broker="memory://",
    store="memory://",
    web_enabled=False,
    topic_partitions=1,
    table_cleanup_interval=0.1,
)

views = app.topic("page-views", key_type=str, value_type=str)
closed: list[str] = []


def hhmm(seconds: float) -> str:
    return datetime.fromtimestamp(round(seconds), timezone.utc).strftime("%H:%M")


def window_closed(key, count) -> None:
    """Called once per (page, window) when the window expires."""
    page, (start, end) = key
    closed.append(page)
    print(f"closed: {page} {hhmm(start)}-{hhmm(end)} -> {count} view(s)")


per_minute = app.Table(
    "views-per-minute", default=int, on_window_close=window_closed
).tumbling(60, expires=60)
last_5_min = app.Table("views-last-5-min", default=int).hopping(300, 60, expires=600)
around = app.Table("views-around", default=int).sliding(30, 30, expires=600)


@app.agent(views)
async def count(stream):
    """Count every view in each of the three tables."""
    async for page in stream:
        per_minute[page] += 1
        last_5_min[page] += 1
        around[page] += 1


NOON = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc).timestamp()
VIEWS = [  # (seconds after noon, page)
    (5, "/home"),
    (20, "/about"),
    (40, "/home"),
    (55, "/home"),
    (70, "/home"),
    (95, "/home"),
    (190, "/home"),  # moves event time on: the first two minutes close
]


async def demo() -> None:
    await app.start()
    for offset, page in VIEWS:
        await views.send(key=page, value=page, timestamp=NOON + offset)
    while len(closed) < 3:
        await asyncio.sleep(0.05)
    hop = last_5_min["/home"][(NOON, NOON + 300 - 0.1)]
    print(f"/home: {hop} view(s) in the hopping window 12:00-12:05")
    slide = around["/home"][(NOON + 70 - 30, NOON + 70 + 30)]
    print(f"/home: {slide} view(s) in the sliding window 12:00:40-12:01:40")
    await app.stop()
    print(f"Closed {len(closed)} windows.")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
