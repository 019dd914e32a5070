"""A task queue: run functions on whichever worker picks up the job.

Functions registered with ``@job`` are called by name: ``await
submit("resize", "cat.png", 64)`` sends a :class:`Job` to the ``jobs``
topic, and the ``run_jobs`` agent (two instances per worker) calls the
function and keeps the result in the ``job-results`` table. Start more
workers and the jobs spread over them (each takes a share of the topic's
partitions); a worker that dies leaves its unfinished jobs to the others,
since a job's offset is committed only once it ran.

``submit(..., wait=True)`` uses the agent's request/reply instead and
returns the function's result.

Run it (the embedded broker, no Kafka needed)::

    python examples/task_queue.py

It prints (the agent prints each job it runs; the first three lines come
in the order the jobs finish)::

    resize('cat.png', 64) -> 'cat.png@64px'
    add(1, 1) -> 2
    resize('dog.png', 128) -> 'dog.png@128px'
    results table: ['job-1', 'job-2', 'job-3']
    add(2, 3) -> 5
    add(2, 3) = 5
"""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import faust


class Job(faust.Record, serializer="json"):
    """A function to call by name, with its arguments."""

    id: str
    name: str
    args: list[Any]


app = faust.App(
    "task-queue-demo",
    broker="memory://",
    store="memory://",
    web_enabled=False,
    topic_partitions=4,
)
jobs = app.topic("jobs", key_type=str, value_type=Job)
results = app.Table("job-results", default=None)

JOBS: dict[str, Callable[..., Awaitable[Any]]] = {}


def job(fun: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Register ``fun`` as a job that workers can run by name."""
    JOBS[fun.__name__] = fun
    return fun


@job
async def resize(path: str, size: int) -> str:
    await asyncio.sleep(0.05)  # pretend to work
    return f"{path}@{size}px"


@job
async def add(a: int, b: int) -> int:
    return a + b


@app.agent(jobs, concurrency=2)
async def run_jobs(stream):
    """Run every job; keep its result, and reply when asked to."""
    async for item in stream:
        result = await JOBS[item.name](*item.args)
        results[item.id] = result
        print(f"{item.name}{tuple(item.args)!r} -> {result!r}")
        yield result


_ids = iter(range(1, 1_000_000))


async def submit(name: str, *args: Any, wait: bool = False) -> Any:
    """Queue a job; with ``wait`` return its result."""
    item = Job(id=f"job-{next(_ids)}", name=name, args=list(args))
    if wait:
        return await run_jobs.ask(key=item.id, value=item)
    await run_jobs.send(key=item.id, value=item)
    return item.id


async def demo() -> None:
    await app.start()
    queued = [
        await submit("resize", "cat.png", 64),
        await submit("resize", "dog.png", 128),
        await submit("add", 1, 1),
    ]
    while not all(key in results for key in queued):
        await asyncio.sleep(0.01)
    print(f"results table: {sorted(results.keys())}")
    print(f"add(2, 3) = {await submit('add', 2, 3, wait=True)}")
    await app.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
