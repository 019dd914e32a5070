"""The Web base service and the aiohttp driver, without a running server."""

from __future__ import annotations

import time
from typing import Any
from unittest.mock import Mock

import pytest
from aiohttp import web as aioweb

import faust
from faust.exceptions import ImproperlyConfigured
from faust.web import View
from faust.web import base as web_base
from faust.web.base import BlueprintManager
from faust.web.blueprints import Blueprint


@pytest.fixture
def fresh_app(tmp_path) -> faust.App:
    return faust.App(
        "web-unit", broker="memory://web-unit", web_enabled=False, datadir=str(tmp_path)
    )


def _view(path: str, *, name: str = "v", overridable: bool = False) -> type[View]:
    class V(View):
        async def get(self, request: Any) -> Any: ...

    V.view_path = path
    V.view_name = name
    V.overridable = overridable
    return V


def test_blueprint_manager_applies_once_and_locks() -> None:
    bp = Mock(spec=Blueprint)
    bp.name = "bp"
    web = Mock()
    manager = BlueprintManager([("/a", bp)])
    manager.add("/b", bp)
    manager.apply(web)
    manager.apply(web)
    assert bp.register.call_count == 2  # two prefixes, applied once
    bp.init_webserver.assert_called_with(web)
    assert set(manager.active) == {"/a:bp", "/b:bp"}
    with pytest.raises(RuntimeError):
        manager.add("/c", bp)


def test_add_view_clash_and_overridable(fresh_app: faust.App) -> None:
    web = fresh_app.web
    assert web.add_view(_view("/x/")) is not None
    assert web.add_view(_view("/x/", overridable=True)) is None  # gives way
    with pytest.raises(ImproperlyConfigured, match="Two views serve"):
        web.add_view(_view("/x/", name="other"))

    class PostOnly(View):
        async def post(self, request: Any) -> Any: ...

    PostOnly.view_path, PostOnly.view_name = "/x/", "post"
    assert web.add_view(PostOnly) is not None  # other methods: fine


def test_add_view_with_prefix_and_url_for(fresh_app: faust.App) -> None:
    web = fresh_app.web
    web.add_view(_view("/{id}/", name="detail"), prefix="/items/")
    assert "/items/{id}/" in web.views
    assert web.url_for("detail", id="a b/c") == "/items/a%20b%2Fc/"


@pytest.mark.parametrize(
    "conf,present,absent",
    [
        (
            {},
            {"production_index", "router", "table", "health", "metrics"},
            {"monitor", "graph"},
        ),
        (
            {"web_stats_enabled": True, "web_graph_enabled": True},
            {"monitor", "graph"},
            {"production_index"},
        ),
        (
            {"web_router_enabled": False, "web_tables_enabled": False},
            set(),
            {"router", "table"},
        ),
    ],
)
def test_builtin_blueprints(fresh_app: faust.App, conf, present, absent) -> None:
    for key, value in conf.items():
        setattr(fresh_app.conf, key, value)
    web = fresh_app.web
    web.init_server()
    names = {key.split(":")[1] for key in web.blueprints.active}
    assert present <= names
    assert not (absent & names)


def test_init_server_registers_pages_then_hook(fresh_app: faust.App) -> None:
    order = []

    @fresh_app.page("/p/")
    async def page(self: Any, request: Any) -> Any: ...

    fresh_app.on_webserver_init = lambda web: order.append(set(web.views))  # type: ignore[method-assign]
    web = fresh_app.web
    web.init_server()
    web.init_server()  # idempotent
    assert order == [set()]  # the hook runs first, then the pages
    assert "/p/" in web.views


def test_url_is_localhost_for_this_host(fresh_app: faust.App) -> None:
    import socket

    fresh_app.conf.web_host = socket.gethostname()
    fresh_app.conf.web_port = 7000
    assert str(fresh_app.web.url) == "http://localhost:7000/"
    elsewhere = faust.App("x", canonical_url="http://elsewhere:1")
    assert str(elsewhere.web.url) == "http://elsewhere:1"


def test_readiness_and_liveness(fresh_app: faust.App, monkeypatch) -> None:
    web = fresh_app.web
    ok, checks = web.readiness()
    assert not ok and checks["started"] is False
    fresh_app._started.set()
    web._recovered = True
    assert web.readiness()[0] is True
    fresh_app.rebalancing = True
    assert web.readiness() == (
        False,
        {"started": True, "recovered": True, "rebalancing": True, "tables_ready": True},
    )
    assert web.liveness()[0] is True
    web._last_beat = time.monotonic() - web_base.LIVENESS_STALL_SECONDS - 1
    ok, checks = web.liveness()
    assert not ok and checks["event_loop_stalled"] is True


def test_response_bytes_roundtrip(fresh_app: faust.App) -> None:
    web = fresh_app.web
    response = web.json({"a": [1, 2]}, status=201, headers={"X-A": "1"})
    data = web.response_to_bytes(response)
    again = web.bytes_to_response(data)
    assert again.status == 201
    assert again.body == response.body
    assert again.headers["X-A"] == "1"
    assert again.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        web.bytes_to_response(b"garbage")
    with pytest.raises(ValueError):
        web.bytes_to_response(web_base._CACHE_MAGIC + b"{}")


def test_http_exceptions_become_json(fresh_app: faust.App) -> None:
    web = fresh_app.web
    response = web.on_unhandled_error(Mock(), aioweb.HTTPForbidden())
    assert response.status == 403
    assert response.content_type == "application/json"
    with pytest.raises(aioweb.HTTPFound):
        web.on_unhandled_error(Mock(), aioweb.HTTPFound("/elsewhere"))
    assert web.on_unhandled_error(Mock(), ValueError("x")).status == 500


def test_web_application_options(fresh_app: faust.App) -> None:
    @aioweb.middleware
    async def mine(request: Any, handler: Any) -> Any:
        return await handler(request)

    fresh_app.conf.web_application_options = {
        "client_max_size": 123,
        "middlewares": [mine],
    }
    app = fresh_app.web.web_app
    assert app._client_max_size == 123
    assert mine in app.middlewares
    assert len(app.middlewares) == 3  # cors, errors, then the user's
