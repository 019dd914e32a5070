"""User pages: views, blueprints, models, errors, cache and CORS over HTTP."""

from __future__ import annotations

import pytest

import faust
from faust.exceptions import ImproperlyConfigured
from faust.web import Blueprint, ResourceOptions, View, gives_model, takes_model
from faust.web import exceptions as web_exceptions


class Order(faust.Record, serializer="json"):
    id: str
    amount: int


async def _json(resp):
    assert resp.content_type == "application/json", await resp.text()
    return await resp.json()


async def test_function_page_and_match_info(app: faust.App, serve) -> None:
    @app.page("/hello/{name}/")
    async def hello(self, request, name):
        return self.json({"hello": name})

    assert issubclass(hello, View)  # @app.page returns the View class
    async with serve(app) as client:
        resp = await client.get("/hello/world/")
        assert resp.status == 200
        assert await _json(resp) == {"hello": "world"}
        head = await client.head("/hello/world/")
        assert head.status == 200


async def test_class_view_methods_and_wrong_method(app: faust.App, serve) -> None:
    @app.page("/items/")
    class Items(View):
        async def get(self, request):
            return self.text("all items")

        async def post(self, request):
            return self.json({"created": True}, status=201)

    async with serve(app) as client:
        assert await (await client.get("/items/")).text() == "all items"
        resp = await client.post("/items/")
        assert resp.status == 201
        resp = await client.delete("/items/")
        assert resp.status == 405
        assert await _json(resp) == {"error": "Method DELETE not allowed."}
        assert set(resp.headers["Allow"].split(",")) == {"GET", "HEAD", "POST"}


async def test_unknown_path_is_json_404(app: faust.App, serve) -> None:
    async with serve(app) as client:
        resp = await client.get("/no/such/page")
        assert resp.status == 404
        assert await _json(resp) == {"error": "Not Found"}


async def test_takes_and_gives_model(app: faust.App, serve) -> None:
    @app.page("/orders/")
    class Orders(View):
        @takes_model(Order)
        async def post(self, request, order):
            assert isinstance(order, Order)
            return self.json({"id": order.id, "doubled": order.amount * 2})

        @gives_model(Order)
        async def get(self, request):
            return Order(id="o1", amount=3)

    async with serve(app) as client:
        resp = await client.post("/orders/", data='{"id": "o9", "amount": 4}')
        assert await _json(resp) == {"id": "o9", "doubled": 8}
        body = await _json(await client.get("/orders/"))
        assert body["id"] == "o1" and body["amount"] == 3


@pytest.mark.parametrize(
    "body,error",
    [
        ("{not json", "Request body is not valid JSON"),
        ("", "Request body is empty"),
        ("[1, 2]", "Expected a JSON object for Order"),
        ('{"id": "o1"}', "Invalid Order"),
    ],
)
async def test_bad_model_bodies_are_400(app: faust.App, serve, body, error) -> None:
    received = []

    @app.page("/orders/")
    class Orders(View):
        @takes_model(Order)
        async def post(self, request, order):
            received.append(order)
            return self.json({})

    async with serve(app) as client:
        resp = await client.post("/orders/", data=body)
        assert resp.status == 400
        assert (await _json(resp))["error"].startswith(error)
    assert received == []  # the handler never saw the bad input


async def test_web_errors_keep_status_and_extra_fields(app: faust.App, serve) -> None:
    @app.page("/order/{id}/")
    class OrderView(View):
        async def get(self, request, id):
            raise self.NotFound("no such order", order_id=id)

        async def put(self, request, id):
            raise web_exceptions.Throttled()

        async def delete(self, request, id):
            raise web_exceptions.WebError("teapot", code=418)

    async with serve(app) as client:
        resp = await client.get("/order/7/")
        assert resp.status == 404
        assert await _json(resp) == {"error": "no such order", "order_id": "7"}
        resp = await client.put("/order/7/")
        assert resp.status == 429
        assert await _json(resp) == {"error": "Request was throttled."}
        resp = await client.delete("/order/7/")
        assert resp.status == 418


async def test_crashing_view_is_json_500_without_traceback(
    app: faust.App, serve, caplog
) -> None:
    monitor = app.monitor

    @app.page("/boom/")
    async def boom(self, request):
        raise RuntimeError("secret internals")

    async with serve(app) as client:
        resp = await client.get("/boom/")
        assert resp.status == 500
        text = await resp.text()
    assert "secret internals" not in text and "Traceback" not in text
    assert resp.content_type == "application/json"
    assert any("secret internals" in r.getMessage() for r in caplog.records)
    assert monitor.http_response_codes[500] == 1


async def test_body_too_large_is_json_413(app: faust.App, serve) -> None:
    app.conf.web_application_options = {"client_max_size": 10}

    @app.page("/upload/")
    class Upload(View):
        async def post(self, request):
            return self.json({"size": len(await self.read_request_content(request))})

    async with serve(app) as client:
        resp = await client.post("/upload/", data=b"x" * 100)
        assert resp.status == 413
        assert "error" in await _json(resp)


async def test_blueprint_prefix_names_and_url_for(app: faust.App, serve) -> None:
    bp = Blueprint("users")

    @bp.route("/{user_id}/", name="detail")
    class UserView(View):
        async def get(self, request, user_id):
            return self.json(
                {"user": user_id, "self": self.path_for("users:detail", user_id="a/b")}
            )

    bp.register(app, url_prefix="/users/")
    async with serve(app) as client:
        body = await _json(await client.get("/users/42/"))
    assert body == {"user": "42", "self": "/users/a%2Fb/"}
    assert app.web.url_for("users:detail", user_id=1) == "/users/1/"
    with pytest.raises(KeyError, match="No view with name"):
        app.web.url_for("users:nope")


async def test_blueprint_added_to_web_and_locked_after_start(
    app: faust.App, serve
) -> None:
    bp = Blueprint("extra")

    @bp.route("/ping/", name="ping")
    async def ping(self, request):
        return self.text("pong")

    app.web.blueprints.add("/extra", bp)
    async with serve(app) as client:
        assert await (await client.get("/extra/ping/")).text() == "pong"
        with pytest.raises(RuntimeError):
            app.web.blueprints.add("/late", bp)


async def test_page_defined_after_init_server_is_served(app: faust.App, serve) -> None:
    app.web.init_server()

    @app.page("/late/")
    async def late(self, request):
        return self.text("late")

    async with serve(app) as client:
        assert await (await client.get("/late/")).text() == "late"
        with pytest.raises(ImproperlyConfigured, match="web server has started"):

            @app.page("/too-late/")
            async def too_late(self, request):
                return self.text("never")


async def test_user_page_replaces_builtin_but_not_another_user_page(
    app: faust.App, serve
) -> None:
    @app.page("/metrics")
    async def my_metrics(self, request):
        return self.text("mine")

    async with serve(app) as client:
        assert await (await client.get("/metrics")).text() == "mine"
        with pytest.raises(ImproperlyConfigured, match="Two views serve GET"):

            @app.page("/metrics")
            async def again(self, request):
                return self.text("again")


async def test_page_on_a_non_view_class_is_type_error(app: faust.App) -> None:
    with pytest.raises(TypeError, match="View subclass"):

        @app.page("/x/")
        class NotAView:
            pass


async def test_cached_view(app: faust.App, serve) -> None:
    bp = Blueprint("cached")
    cache = bp.cache(timeout=60.0)
    calls = []

    @bp.route("/value/", name="value")
    class Value(View):
        @cache.view()
        async def get(self, request):
            calls.append(1)
            return self.json({"calls": len(calls)}, headers={"X-Extra": "1"})

    @bp.route("/fails/", name="fails")
    class Fails(View):
        @cache.view()
        async def get(self, request):
            calls.append(1)
            raise self.NotFound()

    bp.register(app)
    async with serve(app) as client:
        first = await client.get("/value/")
        second = await client.get("/value/")
        assert await _json(first) == await _json(second) == {"calls": 1}
        assert second.headers["X-Extra"] == "1"
        other = await client.get("/value/?page=2")  # another URL, another entry
        assert await _json(other) == {"calls": 2}
        await client.get("/fails/")
        await client.get("/fails/")
    assert len(calls) == 4  # errors are never cached


@pytest.mark.conf(
    web_cors_options={
        "http://ok.example": ResourceOptions(
            allow_headers=["X-Token"], expose_headers=["X-Count"], max_age=600
        )
    }
)
async def test_cors(app: faust.App, serve) -> None:
    @app.page("/data/")
    class Data(View):
        async def get(self, request):
            return self.json({"ok": True}, headers={"X-Count": "3"})

    async with serve(app) as client:
        resp = await client.get("/data/", headers={"Origin": "http://ok.example"})
        assert resp.headers["Access-Control-Allow-Origin"] == "http://ok.example"
        assert resp.headers["Access-Control-Expose-Headers"] == "X-Count"
        resp = await client.get("/data/", headers={"Origin": "http://evil.example"})
        assert "Access-Control-Allow-Origin" not in resp.headers
        preflight = await client.options(
            "/data/",
            headers={
                "Origin": "http://ok.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-Token",
            },
        )
        assert preflight.status == 200
        assert preflight.headers["Access-Control-Max-Age"] == "600"
        assert preflight.headers["Access-Control-Allow-Headers"] == "X-Token"
        refused = await client.options(
            "/data/",
            headers={
                "Origin": "http://ok.example",
                "Access-Control-Request-Method": "DELETE",
            },
        )
        assert refused.status == 403
        assert "refused" in (await _json(refused))["error"]
        missing = await client.get("/nope", headers={"Origin": "http://ok.example"})
        assert missing.status == 404  # errors carry CORS headers too
        assert missing.headers["Access-Control-Allow-Origin"] == "http://ok.example"


async def test_table_route_query_param(
    app: faust.App, serve, make_table, make_assignor
):
    table = app.tables.add(make_table("counts", {"a": 5}))
    app.assignor = make_assignor(owners={"a": str(app.conf.canonical_url)})

    @app.page("/count/")
    class Count(View):
        @app.table_route(table=table, query_param="word")
        async def get(self, request):
            return self.json(table[request.query["word"]])

    async with serve(app) as client:
        assert await _json(await client.get("/count/", params={"word": "a"})) == 5
        resp = await client.get("/count/")
        assert resp.status == 400
        assert await _json(resp) == {
            "error": "Missing query parameter 'word'",
            "parameter": "word",
        }


def test_table_route_needs_a_key_source(app: faust.App) -> None:
    with pytest.raises(TypeError, match="Need one of"):
        app.table_route("counts")
    with pytest.deprecated_call():
        app.table_route("counts", "word")
    with pytest.raises(TypeError), pytest.deprecated_call():
        app.table_route("counts", "word", query_param="w")


async def test_raw_route_and_static_files(app: faust.App, serve, tmp_path) -> None:
    (tmp_path / "hello.txt").write_text("static hello")
    monitor = app.monitor

    async def raw(request):
        from aiohttp import web

        return web.Response(text=f"raw {request.method}")

    def on_webserver_init(web) -> None:
        web.route("/raw", raw)
        web.add_static("/files/", tmp_path)

    app.on_webserver_init = on_webserver_init  # type: ignore[method-assign]
    async with serve(app) as client:
        assert await (await client.put("/raw")).text() == "raw PUT"
        assert await (await client.get("/files/hello.txt")).text() == "static hello"
        assert (await client.get("/files/nope.txt")).status == 404
        assert (await client.get("/raw/nope")).status == 404
    # requests outside views are counted too
    assert monitor.http_response_codes[404] >= 1
    assert monitor.http_response_codes[200] >= 2


async def test_only_pages_reading_tables_wait_for_recovery(app, serve) -> None:
    # As in Faust, pages are served as soon as the server is up; only one
    # that reads a table still being recovered answers 503.
    counts = app.Table("counts", default=int)

    @app.page("/hello/")
    async def hello(self, request):
        return self.json({"hello": "world"})

    @app.page("/count/")
    async def count(self, request):
        return self.json({"a": counts["a"]})

    async with serve(app, recovered=False) as client:
        resp = await client.get("/hello/")
        assert resp.status == 200
        assert await resp.json() == {"hello": "world"}
        resp = await client.get("/count/")
        assert resp.status == 503
        assert "recovering" in (await resp.json())["error"]
        assert (await client.get("/livez")).status == 200
        assert (await client.get("/readyz")).status == 503
        app.web._recovered = True
        resp = await client.get("/count/")
        assert resp.status == 200
        assert await resp.json() == {"a": 0}
    # outside views tables are read as ever
    assert counts["a"] == 0


async def test_request_and_response_are_faust_web_classes(
    app: faust.App, serve
) -> None:
    seen: list[bool] = []

    @app.page("/kinds/")
    class Kinds(View):
        @takes_model(Model=Order)  # Faust's parameter name
        async def post(self, request, order):
            seen.append(isinstance(request, faust.web.Request))
            response = self.json({"id": order.id})
            seen.append(isinstance(response, faust.web.Response))
            return response

    async with serve(app) as client:
        resp = await client.post("/kinds/", data='{"id": "o1", "amount": 1}')
        assert await _json(resp) == {"id": "o1"}
    assert seen == [True, True]


def test_request_can_be_subclassed() -> None:
    class FakeRequest(faust.web.Request):
        method = "GET"
        match_info: dict[str, str] = {}
        query: dict[str, str] = {}
        cookies: dict[str, str] = {}

        def can_read_body(self) -> bool:
            return False

        async def read(self) -> bytes:
            return b""

        async def text(self) -> str:
            return ""

        async def json(self) -> object:
            return None

        async def post(self) -> dict[str, str]:
            return {}

    assert isinstance(FakeRequest(), faust.web.Request)
    assert not isinstance(object(), faust.web.Request)
