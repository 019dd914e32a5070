"""Request/reply: ask an agent for an answer, or map a batch over it.

An agent that ``yield``\\ s a value answers the request that sent the event.
``ask()`` sends one value and waits for the reply; ``map()`` sends many and
yields the replies as they come; ``join()`` sends many and returns the
replies in the order of the values; ``cast()`` sends without waiting (the
agent processes it, nobody reads the reply). Replies travel through the
app's reply topic, so an agent on another worker answers the same way.

Run it (the embedded broker, no Kafka needed)::

    python examples/rpc.py

It prints::

    ask: 7 squared is 49
    map: [1, 4, 9]
    join: [100, 400, 900]
    cast: 1 value(s) processed without a reply
"""

import asyncio
import sys

import faust

app = faust.App(
    "rpc-demo",
    broker="memory://",
    web_enabled=False,
    topic_partitions=4,
)

cast_seen: list[int] = []


@app.agent(value_type=int)
async def square(numbers):
    """Answer every number with its square."""
    async for number in numbers:
        yield number * number


@app.agent(value_type=int)
async def record(numbers):
    """A fire-and-forget target for cast()."""
    async for number in numbers:
        cast_seen.append(number)
        yield number


async def demo() -> None:
    await app.start()
    answer = await square.ask(value=7)
    print(f"ask: 7 squared is {answer}")
    replies = sorted([reply async for reply in square.map([1, 2, 3])])
    print(f"map: {replies}")
    print(f"join: {await square.join([10, 20, 30])}")
    await record.cast(value=5)
    while not cast_seen:
        await asyncio.sleep(0.01)
    print(f"cast: {len(cast_seen)} value(s) processed without a reply")
    await app.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
