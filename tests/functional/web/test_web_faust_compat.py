"""Faust-compatible web pieces: TableView helpers, optional blueprints, metrics."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest

import faust
from faust.web import Blueprint
from faust.web.apps.metrics import Metrics
from faust.web.apps.tables import TableView
from faust.web.drivers.aiohttp import Web


async def test_table_view_helpers_in_a_user_page(app: faust.App, serve, make_table):
    app.tables.add(make_table("counts", {"a": 3}))

    @app.page("/count/{table}/{word}/")
    class WordCount(TableView):
        async def get(self, request: Any, table: str, word: str) -> Any:
            found = self.get_table_or_404(table)
            return self.json({"count": self.get_table_value_or_404(found, word)})

    @app.page("/about/{table}/")
    class About(TableView):
        async def get(self, request: Any, table: str) -> Any:
            return self.table_json(self.get_table_or_404(table), status=202)

    async with serve(app) as client:
        assert await (await client.get("/count/counts/a/")).json() == {"count": 3}
        missing_key = await client.get("/count/counts/zz/")
        assert missing_key.status == 404
        assert (await missing_key.json())["error"] == "key not found"
        assert (await client.get("/count/nope/a/")).status == 404
        about = await client.get("/about/counts/")
        assert about.status == 202
        assert await about.json() == {"name": "counts", "help": "help of counts"}


extra = Blueprint("extra")


@extra.route("/hello/", name="hello")
class Hello(faust.web.View):
    async def get(self, request: Any) -> Any:
        return self.json({"hello": True})


class FlaggedWeb(Web):
    optional_blueprints = [("/extra", extra)]
    blueprint_flags = {**Web.blueprint_flags, "extra": "web_stats_enabled"}


@pytest.mark.parametrize("enabled, status", [(True, 200), (False, 404)])
async def test_optional_blueprint_follows_its_flag(
    app: faust.App, serve, enabled: bool, status: int
) -> None:
    app.conf.web_stats_enabled = enabled
    app.web = FlaggedWeb(app)
    async with serve(app) as client:
        assert (await client.get("/extra/hello/")).status == status


async def test_handler_shutdown_timeout_reaches_the_runner(app: faust.App) -> None:
    web = app.web
    web.handler_shutdown_timeout = 1.5  # type: ignore[attr-defined]
    with patch("faust.web.drivers.aiohttp.web.AppRunner") as runner_cls:
        runner_cls.return_value.setup.side_effect = RuntimeError("stop here")
        with pytest.raises(RuntimeError):
            await web.start_server()  # type: ignore[attr-defined]
    assert runner_cls.call_args.kwargs["shutdown_timeout"] == 1.5


async def test_metrics_view_renders_the_exposition_text(app: faust.App) -> None:
    app.monitor.count("orders")
    view = Metrics(app, app.web)
    text = view.metrics()
    assert isinstance(text, str) and "# TYPE" in text
