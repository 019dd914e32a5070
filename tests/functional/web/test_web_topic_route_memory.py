"""@app.topic_route between two workers of one group on the embedded broker.

The partition assignment is the real one (the faust assignor on memory://):
whichever worker is asked, the worker that processes the key's partition
answers.
"""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp.test_utils import unused_port

import faust
from faust.types import TP
from faust.web import View


def _worker(broker_url: str, tmp_path, port: int) -> faust.App:
    app = faust.App(
        "topic-route",
        broker=broker_url,
        web_port=port,
        web_bind="127.0.0.1",
        web_host="127.0.0.1",
        datadir=str(tmp_path / f"data-{port}"),
        topic_partitions=4,
    )
    orders = app.topic("route-orders", key_type=str, partitions=4)

    @app.agent(orders)
    async def process(stream):
        async for _ in stream:
            pass

    @app.page("/orders/{key}/")
    class Orders(View):
        @app.topic_route(topic=orders, match_info="key")
        async def get(self, request, key):
            return self.json({"served_by": str(app.conf.canonical_url)})

    return app


async def test_topic_route_reaches_the_partition_owner(broker_url, tmp_path) -> None:
    apps = [_worker(broker_url, tmp_path, unused_port()) for _ in range(2)]
    await apps[0].topic("route-orders", partitions=4).declare()
    for app in apps:
        await app.start()
    every = {TP("route-orders", p) for p in range(4)}
    for _ in range(500):
        owned = [app.consumer.assignment() & every for app in apps]
        known = apps[0].assignor.external_topics_metadata()
        if all(owned) and sum(len(o) for o in owned) == 4 and len(known) == 2:
            break
        await asyncio.sleep(0.01)
    owner = {
        tp: str(app.conf.canonical_url) for app in apps for tp in owned[apps.index(app)]
    }
    async with aiohttp.ClientSession() as session:
        for key in ("alice", "bob", "carol", "dave", "erin"):
            tp = apps[0].producer.key_partition("route-orders", key.encode())
            for app in apps:
                url = f"{app.conf.canonical_url}/orders/{key}/"
                async with session.get(url) as resp:
                    assert resp.status == 200
                    assert (await resp.json())["served_by"] == owner[tp]
    for app in apps:
        await app.stop()
