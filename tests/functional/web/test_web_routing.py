"""Two workers in one process: a key is answered whichever worker is asked.

Each worker is a real App with its own aiohttp server on a loopback port
(its ``canonical_url``); a fake assignor says which worker owns which key,
as the partition assignor would after a rebalance.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import unused_port

import faust
from faust.app.router import ROUTED_HEADER
from faust.web import View


def _worker(broker_url: str, tmp_path, port: int) -> faust.App:
    return faust.App(
        "routing-test",
        broker=broker_url,
        web_enabled=False,
        datadir=str(tmp_path / f"data-{port}"),
        canonical_url=f"http://127.0.0.1:{port}",
    )


@pytest.fixture
async def workers(
    broker_url: str, tmp_path, make_table, make_assignor
) -> AsyncIterator[list[faust.App]]:
    ports = [unused_port(), unused_port()]
    apps = [_worker(broker_url, tmp_path, port) for port in ports]
    urls = [str(app.conf.canonical_url) for app in apps]
    owners = {"a": urls[0], "b": urls[1]}
    data = [{"a": 1}, {"b": 2}]  # each worker holds the keys it owns
    session = aiohttp.ClientSession()
    for app, own in zip(apps, data, strict=True):
        table = app.tables.add(make_table("counts", own))
        app.assignor = make_assignor(owners=owners)
        app.http_client = session

        @app.page("/count/{word}/")
        class Count(View):
            @app.table_route(table=table, match_info="word")
            async def get(self, request, word, table=table):
                return self.json({"word": word, "count": table[word]})

    yield apps
    await session.close()


async def test_table_route_answers_from_the_owner(workers, serve) -> None:
    a, b = workers
    port_a, port_b = (app.conf.canonical_url.port for app in workers)
    async with serve(a, port=port_a) as client_a, serve(b, port=port_b) as client_b:
        for client in (client_a, client_b):
            for word, count in (("a", 1), ("b", 2)):
                resp = await client.get(f"/count/{word}/")
                assert resp.status == 200
                assert await resp.json() == {"word": word, "count": count}
                resp = await client.get(f"/table/counts/{word}/")
                assert await resp.json() == count


async def test_routed_request_is_not_routed_again(workers, serve) -> None:
    a, b = workers
    port_a = a.conf.canonical_url.port
    async with serve(a, port=port_a) as client_a:
        # a request forwarded by b for a key a thinks b owns: no ping-pong
        resp = await client_a.get(
            "/count/b/", headers={ROUTED_HEADER: str(b.conf.canonical_url)}
        )
        assert resp.status == 503
        body = await resp.json()
        assert body["routed_by"] == str(b.conf.canonical_url)


async def test_owner_down_is_503(workers, serve) -> None:
    a, _ = workers  # b's server is not started
    async with serve(a, port=a.conf.canonical_url.port) as client_a:
        resp = await client_a.get("/count/b/")
        assert resp.status == 503
        assert "did not answer" in (await resp.json())["error"]


async def test_post_body_and_query_are_forwarded(workers, serve) -> None:
    a, b = workers
    seen = []

    @b.page("/echo/{word}/")
    class EchoB(View):
        async def post(self, request, word):
            seen.append(request.headers.get(ROUTED_HEADER))
            body = await request.read()
            return self.bytes(body + request.query_string.encode(), status=201)

    @a.page("/echo/{word}/")
    class EchoA(View):
        @a.table_route(table="counts", match_info="word")
        async def post(self, request, word):
            return self.text("local")

    port_a, port_b = (app.conf.canonical_url.port for app in workers)
    async with serve(a, port=port_a) as client_a, serve(b, port=port_b):
        resp = await client_a.post(
            "/echo/b/?x=1", data=b"payload-" + uuid.uuid4().bytes
        )
        assert resp.status == 201
        assert (await resp.read()).endswith(b"x=1")
        assert seen == [str(a.conf.canonical_url)]
        assert await (await client_a.post("/echo/a/")).text() == "local"
