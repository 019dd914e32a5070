"""The real server, started with the app: TCP, Unix socket and own thread."""

from __future__ import annotations

import asyncio
import socket
import threading

import aiohttp
import pytest

import faust
from faust.exceptions import ImproperlyConfigured


async def _wait_ready(session: aiohttp.ClientSession, url: str) -> dict:
    # readiness flips right after recovery completes, in the web service
    for _ in range(200):
        async with session.get(url) as resp:
            body = await resp.json()
            if resp.status == 200:
                return body
        await asyncio.sleep(0.01)
    raise AssertionError(f"never ready: {body}")


@pytest.mark.conf(web_enabled=True, web_port=0, web_bind="127.0.0.1")
async def test_server_on_any_free_port(app: faust.App) -> None:
    await app.start()
    port = app.conf.web_port
    assert port != 0  # the OS picked one, and canonical_url follows
    assert app.conf.canonical_url.port == port
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/livez") as resp:
            assert resp.status == 200
        assert await app.tables.wait_until_recovery_completed() is False
        body = await _wait_ready(session, f"{base}/readyz")
        assert body["checks"] == {
            "started": True,
            "recovered": True,
            "rebalancing": False,
            "tables_ready": True,
        }
        async with session.get(f"{base}/") as resp:
            assert await resp.json() == {"status": "OK"}
    await app.stop()


@pytest.mark.conf(web_enabled=True)
async def test_server_on_unix_socket(app: faust.App, tmp_path) -> None:
    path = tmp_path / "web.sock"
    app.conf.web_transport = f"unix://{path}"
    await app.start()
    connector = aiohttp.UnixConnector(path=str(path))
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get("http://localhost/livez") as resp:
            assert resp.status == 200
    await app.stop()


@pytest.mark.conf(
    web_enabled=True, web_port=0, web_bind="127.0.0.1", web_in_thread=True
)
async def test_server_in_its_own_thread(app: faust.App) -> None:
    @app.page("/where/")
    async def where(self, request):
        return self.json({"thread": threading.current_thread().name})

    await app.start()
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{app.conf.web_port}/where/"
        async with session.get(url) as resp:
            body = await resp.json()
    assert body["thread"] != threading.current_thread().name
    await app.stop()


@pytest.mark.conf(web_enabled=True, web_bind="127.0.0.1")
async def test_port_in_use_is_a_clear_error(app: faust.App) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        app.conf.web_port = taken.getsockname()[1]
        with pytest.raises(ImproperlyConfigured, match="cannot listen"):
            await app.start()
    await app.stop()


@pytest.mark.conf(web_enabled=True, web_port=0, web_bind="127.0.0.1")
async def test_readyz_waits_for_table_recovery(app: faust.App) -> None:
    counts = app.Table("counts", default=int, help="Word counts")
    await app.start()
    base = f"http://127.0.0.1:{app.conf.web_port}"
    async with aiohttp.ClientSession() as session:
        await app.tables.wait_until_recovery_completed()
        body = await _wait_ready(session, f"{base}/readyz")
        assert body["checks"]["tables_ready"] is True
        async with session.get(f"{base}/table/") as resp:
            assert await resp.json() == [{"name": counts.name, "help": "Word counts"}]
    await app.stop()
