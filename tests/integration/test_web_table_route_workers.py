"""Two workers on a real broker: a table key is answered whichever is asked.

Each worker counts words into a table and serves ``/count/{word}/`` with
``@app.table_route``; the partition assignor tells them which worker owns
which key (by ``canonical_url``), and a request to the wrong worker is
forwarded to the right one.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

import faust
from faust.web import View

WORDS = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "kiwi"]


def _worker(unique_id: str, options: dict[str, Any], source: str, n: int) -> faust.App:
    app = faust.App(
        unique_id,
        **{
            **options,
            "datadir": f"{options['datadir']}-{n}",
            "web_enabled": True,
            "web_port": 0,
            "web_bind": "127.0.0.1",
            "web_host": "127.0.0.1",
        },
    )
    words = app.topic(source, value_type=str, key_type=str)
    counts = app.Table("counts", default=int)

    @app.agent(words)
    async def count(stream):
        async for word in stream.group_by(lambda w: w, name="by-word"):
            counts[word] += 1

    @app.page("/count/{word}/")
    class Count(View):
        @app.table_route(table=counts, match_info="word")
        async def get(self, request, word):
            return self.json({"word": word, "count": counts[word]})

    return app


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with session.get(url) as resp:
        return resp.status, await resp.json()


async def _until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_table_route_with_two_workers(
    unique_id, kafka_app_options, unique_topic
) -> None:
    source = unique_topic("words")
    apps = [_worker(unique_id, kafka_app_options, source, n) for n in (1, 2)]
    try:
        for app in apps:
            await app.start()
        urls = [f"http://127.0.0.1:{app.conf.web_port}" for app in apps]
        async with aiohttp.ClientSession() as session:

            async def both_ready() -> bool:
                codes = [(await _get(session, f"{u}/readyz"))[0] for u in urls]
                metadata = await _get(session, f"{urls[0]}/router/")
                return codes == [200, 200] and len(metadata[1]) == 2

            await _until(both_ready)
            producer_topic = apps[0].topic(source, value_type=str, key_type=str)
            for i, word in enumerate(WORDS * 3):
                await producer_topic.send(key=f"k{i}", value=word)

            async def all_counted() -> bool:
                for url in urls:
                    for word in WORDS:
                        status, body = await _get(session, f"{url}/count/{word}/")
                        if status != 200 or body["count"] != 3:
                            return False
                return True

            await _until(all_counted)
            owners = {
                (await _get(session, f"{urls[0]}/router/counts/{w}/"))[1] for w in WORDS
            }
            assert owners == {str(app.conf.canonical_url) for app in apps}
    finally:
        for app in apps:
            if app.started and not app.should_stop:
                await app.stop()
