"""Hello world: an agent greeting names, on the embedded broker.

Run the demo (starts the app in this process, sends five names, prints the
greetings, stops)::

    python examples/hello_world.py

Or run it as a worker; a timer sends the name ``timer`` every second and the
agent prints ``Hello timer!``::

    faust -A examples.hello_world worker -l info

The embedded broker (``memory://``) lives inside the worker's process, so
``faust send`` from another shell cannot reach this worker (it says so and
sends nothing); to send from another shell, use Kafka: see
``examples/word_count.py``.
"""

import asyncio
import sys

import faust

app = faust.App(
    "hello-world",
    broker="memory://",
    web_enabled=False,
    topic_partitions=4,
)

greetings = app.topic("greetings", value_type=str)
greeted = []


@app.agent(greetings)
async def greet(names):
    """Say hello to every name that arrives."""
    async for name in names:
        greeting = f"Hello {name}!"
        greeted.append(greeting)
        print(greeting)


@app.timer(interval=1.0)
async def send_names():
    await greetings.send(value="timer")


async def demo() -> None:
    names = ["Ada", "Grace", "Alan", "Edsger", "Barbara"]
    await app.start()
    for name in names:
        await greetings.send(key=name, value=name)
    while len([g for g in greeted if "timer" not in g]) < len(names):
        await asyncio.sleep(0.01)
    await app.stop()
    print(f"Greeted {len(names)} people.")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
