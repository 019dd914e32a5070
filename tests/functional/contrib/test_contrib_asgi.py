"""faust.contrib.asgi / fastapi: an ASGI app and a faust app on one loop."""

from __future__ import annotations

import asyncio
import importlib
import socket
from typing import Any

import aiohttp
import pytest

import faust
from faust.contrib import fastapi as faust_fastapi
from faust.contrib.asgi import (
    AsgiService,
    FaustLifespanMiddleware,
    faust_app_running,
    serve_asgi,
)
from faust.exceptions import ImproperlyConfigured


class LifespanApp:
    """A minimal ASGI app: answers lifespan messages and ``GET`` with text."""

    def __init__(self) -> None:
        self.lifespan_events: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                self.lifespan_events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"hello from asgi"})


async def test_lifespan_middleware_runs_the_app_with_the_server(
    app: faust.App,
) -> None:
    asgi = LifespanApp()
    wrapped = FaustLifespanMiddleware(asgi, app)
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    server = asyncio.ensure_future(wrapped({"type": "lifespan"}, inbox.get, send))
    await inbox.put({"type": "lifespan.startup"})
    await asyncio.wait_for(started.wait(), 10)
    assert app.started and not app.should_stop
    assert app.loop is asyncio.get_running_loop()
    await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(server, 10)
    assert app.should_stop
    assert asgi.lifespan_events == ["lifespan.startup", "lifespan.shutdown"]


async def test_faust_lifespan_for_fastapi(app: faust.App) -> None:
    lifespan = faust_fastapi.faust_lifespan(app)
    async with lifespan(object()):
        assert app.started
    assert app.should_stop


async def test_faust_app_running_finalizes(broker_url: str) -> None:
    app = faust.App("", broker=broker_url)  # no id: finalize fails
    with pytest.raises(ImproperlyConfigured, match="id"):
        async with faust_app_running(app):
            pass  # pragma: no cover


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_serve_asgi_as_the_worker_web_server(broker_url: str) -> None:
    port = _free_port()
    app = faust.App("asgi-served", broker=broker_url, web_enabled=True)
    service = serve_asgi(app, LifespanApp(), host="127.0.0.1", port=port)
    assert isinstance(service, AsgiService)
    await app.start()
    try:
        await asyncio.wait_for(app.tables.wait_until_recovery_completed(), 10)
        while not service.started:
            await asyncio.sleep(0.01)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/") as resp:
                assert resp.status == 200
                assert await resp.text() == "hello from asgi"
        assert str(app.web_server_url) == f"http://127.0.0.1:{port}/"
        assert app.web_server_driver_version.startswith("uvicorn=")
    finally:
        await app.stop()


def test_missing_uvicorn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name == "uvicorn":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ImproperlyConfigured, match=r"faust-ng\[asgi\]"):
        AsgiService(LifespanApp()).driver_version  # noqa: B018
