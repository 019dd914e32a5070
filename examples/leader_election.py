"""Leader election: a timer that runs on one worker of the app only.

``@app.timer(interval, on_leader=True)`` (and ``@app.crontab(...,
on_leader=True)``) runs only on the worker that is the app's leader: the one
that holds partition 0 of the app's leader topic, ``{app.id}-__assignor-__leader``.
When that worker goes away, the partition moves to another worker, which
becomes the leader. ``app.is_leader()`` tells a worker whether it leads.

This demo starts two workers of one app in one process, on one embedded
broker (``memory://leader-demo``), so they form a real consumer group:

Run it (no Kafka needed)::

    python examples/leader_election.py

It prints::

    2 workers, 1 leader
    only the leader ran the timer: yes
    after the leader stopped, the other worker leads: yes
"""

import asyncio
import sys

import faust

BROKER = "memory://leader-demo"


def create_app(name: str, ticks: dict[str, int]) -> faust.App:
    app = faust.App(
        "leader-demo",
        broker=BROKER,
        web_enabled=False,
        broker_session_timeout=2.0,
        broker_heartbeat_interval=0.2,
    )

    @app.timer(interval=0.1, on_leader=True)
    async def publish_report() -> None:
        """Something that must happen once per app, not once per worker."""
        ticks[name] = ticks.get(name, 0) + 1

    return app


app = create_app("worker", {})  # for `faust -A examples.leader_election worker`


async def wait_for(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the workers did not settle")
        await asyncio.sleep(0.05)


async def demo() -> None:
    ticks: dict[str, int] = {}
    workers = {name: create_app(name, ticks) for name in ("a", "b")}
    for worker in workers.values():
        await worker.start()
    await wait_for(lambda: sum(w.is_leader() for w in workers.values()) == 1)
    leaders = [name for name, w in workers.items() if w.is_leader()]
    print(f"{len(workers)} workers, {len(leaders)} leader")
    await wait_for(lambda: ticks.get(leaders[0], 0) >= 3)
    follower = next(name for name in workers if name not in leaders)
    print(f"only the leader ran the timer: {'yes' if follower not in ticks else 'no'}")
    await workers[leaders[0]].stop()
    await wait_for(lambda: workers[follower].is_leader())
    await wait_for(lambda: ticks.get(follower, 0) >= 1)
    print("after the leader stopped, the other worker leads: yes")
    await workers[follower].stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
