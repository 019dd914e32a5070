"""A web view with table routing: ask any worker, the key's owner answers.

Each worker holds only the table partitions assigned to it. The view is
decorated with ``@app.table_route(table=..., match_info="word")``: when the
worker asked does not own the word's partition, it forwards the request to
the worker that does (from the partition assignment it knows) and returns
that answer. The ``served_by`` field shows which worker answered.

The demo starts two workers of one app in one process, on one embedded
broker (``memory://routing-demo``), with web servers on free local ports.

Run it (no Kafka needed)::

    python examples/table_routing.py

It prints::

    fox: 2, asked worker 1, answered by its owner: yes
    fox: 2, asked worker 2, answered by its owner: yes
    dog: 3, asked worker 1, answered by its owner: yes
    dog: 3, asked worker 2, answered by its owner: yes
    Both workers answered for keys they do not own.

As a worker with a web server (``curl localhost:6066/count/fox/``)::

    faust -A examples.table_routing worker -l info --web-port 6066
"""

import asyncio
import socket
import sys

import aiohttp

import faust
from faust.web import View

PARTITIONS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_app(port: int = 6066, broker: str = "memory://") -> faust.App:
    app = faust.App(
        "routing-demo",
        broker=broker,
        store="memory://",
        web_port=port,
        web_bind="127.0.0.1",
        web_host="127.0.0.1",
        topic_partitions=PARTITIONS,
    )
    words = app.topic("words", key_type=str, value_type=str)
    counts = app.Table("word-counts", default=int)

    @app.agent(words)
    async def count(stream):
        async for word in stream:  # keyed by word: the owner counts it
            counts[word] += 1

    @app.page("/count/{word}/")
    class WordCount(View):
        @app.table_route(table=counts, match_info="word")
        async def get(self, request, word):
            return self.json(
                {"count": counts[word], "served_by": str(app.conf.canonical_url)}
            )

    app.words = words  # for the demo
    return app


app = create_app()  # for `faust -A examples.table_routing worker`


async def wait_for(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise TimeoutError("the workers did not settle")
        await asyncio.sleep(0.05)


async def demo() -> None:
    workers = [create_app(free_port(), "memory://routing-demo") for _ in range(2)]
    await workers[0].words.declare()  # exists before the workers subscribe
    for worker in workers:
        await worker.start()

    async def settled() -> bool:  # each worker owns some of the partitions
        owned = [
            {tp for tp in w.consumer.assignment() if tp.topic == "words"}
            for w in workers
        ]
        return all(owned) and sum(map(len, owned)) == PARTITIONS

    await wait_for(settled)
    for word in ["fox", "dog", "dog", "fox", "dog"]:
        await workers[0].words.send(key=word, value=word)

    async with aiohttp.ClientSession() as session:

        async def get(worker: faust.App, word: str) -> dict:
            url = f"{worker.conf.canonical_url}/count/{word}/"
            async with session.get(url) as response:
                return await response.json()

        async def counted() -> bool:
            answers = [await get(workers[0], w) for w in ("fox", "dog")]
            return [a["count"] for a in answers] == [2, 3]

        await wait_for(counted)
        routed = set()
        for word in ("fox", "dog"):
            owner = workers[0].router.key_store("word-counts", word)
            for number, worker in enumerate(workers, 1):
                answer = await get(worker, word)
                by_owner = answer["served_by"] == str(owner)
                if answer["served_by"] != str(worker.conf.canonical_url):
                    routed.add(number)
                print(
                    f"{word}: {answer['count']}, asked worker {number}, "
                    f"answered by its owner: {'yes' if by_owner else 'no'}"
                )
    for worker in workers:
        await worker.stop()
    if routed == {1, 2}:
        print("Both workers answered for keys they do not own.")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
