"""Timers, cron jobs and tasks: work that runs on a schedule, not on events.

* ``@app.task`` runs once, when the worker starts;
* ``@app.timer(interval)`` runs every ``interval`` seconds;
* ``@app.crontab(spec)`` runs at the times of a cron expression (a sixth
  field is seconds: ``"* * * * * */1"`` is every second); ``timezone=``
  picks the zone the expression is read in;
* ``on_leader=True`` (timers and cron jobs) runs it on one worker of the
  app only (see ``examples/leader_election.py``).

Run it (the embedded broker, no Kafka needed; it runs for about 1.5 s)::

    python examples/timers.py

It prints (the counts depend on timing: the task runs once, the timer
about seven times, the cron job once or twice)::

    task: started
    timer: tick 1
    timer: tick 2
    timer: tick 3
    cron: second 1
    timer: tick 4
    ...
    ran the task 1 time(s), the timer 7 times, the cron job 1 time(s)

Or as a worker, stopped with Ctrl-C::

    faust -A examples.timers worker -l info
"""

import asyncio
import sys
from datetime import timezone

import faust

app = faust.App("timers-demo", broker="memory://", web_enabled=False)

runs = {"task": 0, "timer": 0, "cron": 0}


@app.task
async def on_started() -> None:
    """Runs once, when the app starts."""
    runs["task"] += 1
    print("task: started")


@app.timer(interval=0.2)
async def tick() -> None:
    """Runs every 0.2 seconds."""
    runs["timer"] += 1
    print(f"timer: tick {runs['timer']}")


@app.crontab("* * * * * */1", timezone=timezone.utc)
async def every_second() -> None:
    """Runs at the start of every second (UTC)."""
    runs["cron"] += 1
    print(f"cron: second {runs['cron']}")


async def demo() -> None:
    await app.start()
    await asyncio.sleep(1.5)
    await app.stop()
    print(
        f"ran the task {runs['task']} time(s), the timer {runs['timer']} times, "
        f"the cron job {runs['cron']} time(s)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
