"""``@app.page`` view building and the routing decorators' key sources."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, Mock

import pytest

from faust.app import pages
from faust.exceptions import SameNode
from faust.web import View
from faust.web.exceptions import ServerError, ValidationError


def test_build_view_from_function_and_class() -> None:
    async def handler(self: Any, request: Any) -> Any: ...

    view = pages.build_view(handler, "/h/", name="named")
    assert issubclass(view, View)
    assert (view.view_path, view.view_name) == ("/h/", "named")

    class Base(View):
        pass

    assert issubclass(pages.build_view(handler, "/b/", base=Base), Base)

    class Mine(View):
        pass

    assert pages.build_view(Mine, "/m/") is Mine and Mine.view_name == "Mine"
    with pytest.raises(TypeError):
        pages.build_view(object, "/x/")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pages.build_view(handler, "/x/", base=object)


def _app(route: Any) -> Any:
    return SimpleNamespace(
        router=SimpleNamespace(route_req=route, route_topic_req=route)
    )


def _request(**kwargs: Any) -> Any:
    return SimpleNamespace(
        query=kwargs.get("query", {}), match_info=kwargs.get("match", {})
    )


async def test_table_route_routes_or_runs_locally() -> None:
    route = AsyncMock(return_value="remote")
    app = _app(route)
    handler = AsyncMock(return_value="local")
    wrapped = pages.table_route(app, "t", query_param="q")(handler)
    view = SimpleNamespace(web="web")
    request = _request(query={"q": "k"})
    assert await wrapped(view, request) == "remote"
    route.assert_awaited_with("t", "k", "web", request)
    route.side_effect = SameNode()
    assert await wrapped(view, request) == "local"
    handler.assert_awaited_once_with(view, request)


async def test_key_sources() -> None:
    route = AsyncMock(return_value="r")
    app = _app(route)
    table = SimpleNamespace(name="tbl")
    by_match = pages.table_route(app, table, match_info="w")(AsyncMock())
    await by_match(SimpleNamespace(web=None), _request(match={"w": "m"}))
    assert route.await_args.args[:2] == ("tbl", "m")
    exact = pages.table_route(app, table, exact_key="E")(AsyncMock())
    await exact(SimpleNamespace(web=None), _request())
    assert route.await_args.args[1] == "E"
    with pytest.raises(ValidationError, match="Missing query parameter"):
        await pages.table_route(app, table, query_param="q")(AsyncMock())(
            SimpleNamespace(web=None), _request()
        )
    with pytest.raises(ServerError, match="no {w} part"):
        await by_match(SimpleNamespace(web=None), _request())


async def test_topic_route() -> None:
    route = AsyncMock(return_value="r")
    topic = Mock()
    wrapped = pages.topic_route(_app(route), topic, match_info="k")(AsyncMock())
    await wrapped(SimpleNamespace(web="w"), _request(match={"k": "1"}))
    assert route.await_args.args[:2] == (topic, "1")


def test_shard_param_is_deprecated() -> None:
    with pytest.deprecated_call():
        pages.table_route(_app(None), "t", "q")
    with pytest.raises(TypeError, match="not both"), pytest.deprecated_call():
        pages.table_route(_app(None), "t", "q", query_param="q")
    with pytest.raises(TypeError, match="Need one of"):
        pages.table_route(_app(None), "t")
