"""Agent concurrency: several instances of one agent share its stream.

``@app.agent(topic, concurrency=4)`` starts four instances of the agent
(actors). Each event goes to one of them, so an agent that waits on I/O (a
web request, a database) handles up to four events at once. Offsets are
still committed in order: a commit never passes an event that an instance
is still working on.

Here each "lookup" waits 0.2 s. Twelve lookups take about 0.6 s with four
instances instead of 2.4 s with one.

Run it (the embedded broker, no Kafka needed)::

    python examples/concurrency.py

It prints::

    12 lookups done by 4 instances
    at most 4 at once
    faster than one instance: yes
"""

import asyncio
import sys
import time

import faust

app = faust.App(
    "concurrency-demo",
    broker="memory://",
    web_enabled=False,
    topic_partitions=1,
)

lookups = app.topic("lookups", value_type=int)
done: list[int] = []
instances: set[int] = set()
running = 0
peak = 0


@app.agent(lookups, concurrency=4)
async def lookup(stream):
    """Pretend to call a slow service for every value."""
    global running, peak
    async for value in stream:
        instances.add(id(asyncio.current_task()))
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.2)  # the slow call
        running -= 1
        done.append(value)


async def demo() -> None:
    await app.start()
    started = time.monotonic()
    for i in range(12):
        await lookups.send(value=i)
    while len(done) < 12:
        await asyncio.sleep(0.01)
    elapsed = time.monotonic() - started
    await app.stop()
    print(f"{len(done)} lookups done by {len(instances)} instances")
    print(f"at most {peak} at once")
    print(f"faster than one instance: {'yes' if elapsed < 12 * 0.2 else 'no'}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
