"""Blueprints record routes and register them with apps."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

from faust.web import Blueprint, View
from faust.web.cache import Cache


def test_route_register_names_and_prefix() -> None:
    bp = Blueprint("users", url_prefix="/users")

    @bp.route("/{id}/", name="detail")
    class Detail(View):
        async def get(self, request: Any, id: str) -> Any: ...

    @bp.route("//root/")
    async def root(self: Any, request: Any) -> Any: ...

    bp.static("/static/", "/tmp", name="files")
    app = MagicMock()
    bp.register(app)
    calls = app.page.call_args_list
    assert calls[0].kwargs["path"] == "/users/{id}/"
    assert calls[0].kwargs["name"] == "users:detail"
    assert calls[1].kwargs["name"] == "users:root"
    app.page.return_value.assert_any_call(Detail)
    app.web.add_static.assert_called_once()
    assert bp.static_routes[0].name == "users.files"
    bp.register(app, url_prefix="/v2/")
    assert app.page.call_args_list[2].kwargs["path"] == "/v2/{id}/"
    assert repr(bp) == "<Blueprint: users>"


def test_cache_prefix_is_blueprint_name() -> None:
    cache = Blueprint("orders").cache(timeout=5)
    assert isinstance(cache, Cache)
    assert cache.key_prefix == "orders" and cache.timeout == 5
    assert Blueprint("x").cache(key_prefix="y").key_prefix == "y"


def test_init_webserver_calls_hook() -> None:
    seen = []

    class Mine(Blueprint):
        def on_webserver_init(self, web: Any) -> None:
            seen.append(web)

    Mine("m").init_webserver("web")  # type: ignore[arg-type]
    assert seen == ["web"]
