"""memory:// runs the app's partition assignor: standbys, globals, routing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import faust
from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types import TP


async def wait_for(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def make_worker(broker_url: str, app_id: str, n: int, tmp_path: Any) -> faust.App:
    app = faust.App(
        app_id,
        broker=broker_url,
        web_enabled=False,
        datadir=str(tmp_path / f"w{n}"),
        topic_partitions=4,
        table_standby_replicas=1,
        canonical_url=f"http://worker{n}:6066",
    )
    counts = app.Table("counts", default=int)

    @app.agent(app.topic("words", key_type=str, value_type=str))
    async def count(stream):
        async for key, _ in stream.items():
            counts[key] += 1

    return app


async def test_two_workers_get_copartitioned_actives_and_standbys(
    broker_url, tmp_path
) -> None:
    app_id = f"asg-{uuid.uuid4().hex[:8]}"
    apps = [make_worker(broker_url, app_id, n, tmp_path) for n in range(2)]
    try:
        # the source topic exists before the workers join (Kafka would
        # auto-create it; the embedded broker creates topics when asked)
        await apps[0].topic("words", partitions=4).declare()
        for app in apps:
            await app.start()
        changelog = f"{app_id}-counts-changelog"

        def mine(app: faust.App, topic: str) -> set[int]:
            return {
                tp.partition
                for tp in app.assignor.assigned_actives()
                if tp.topic == topic
            }

        await wait_for(lambda: all(mine(a, "words") for a in apps))
        await wait_for(
            lambda: sorted(p for a in apps for p in mine(a, changelog)) == [0, 1, 2, 3]
        )
        for me in apps:
            assert mine(me, changelog) == mine(me, "words")
            standbys = {
                tp.partition
                for tp in me.assignor.assigned_standbys()
                if tp.topic == changelog
            }
            assert standbys == {0, 1, 2, 3} - mine(me, "words")
            assert me.consumer.assignment() >= {TP(changelog, p) for p in range(4)}
            url = str(me.conf.canonical_url)
            assert me.assignor.tables_metadata()[url][changelog] == sorted(
                mine(me, changelog)
            )
        # stickiness: a third worker joining leaves most partitions in place
        before = [mine(a, "words") for a in apps]
        third = make_worker(broker_url, app_id, 2, tmp_path)
        apps.append(third)
        await third.start()
        await wait_for(lambda: bool(mine(third, "words")))
        after = [mine(a, "words") for a in apps[:2]]
        assert all(a <= b for a, b in zip(after, before, strict=True))
        assert sum(len(b - a) for a, b in zip(after, before, strict=True)) == len(
            mine(third, "words")
        )
    finally:
        for app in reversed(apps):
            if app.started and not app.should_stop:
                await app.stop()
        MemoryBroker.for_url(broker_url).close()
