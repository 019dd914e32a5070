"""View dispatch, method discovery and the model decorators (no server)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock

import pytest

import faust
from faust.web import View, gives_model, takes_model
from faust.web import exceptions as exc


class FakeWeb:
    recovered = True

    def __init__(self) -> None:
        self.unhandled: list[Exception] = []

    def json(self, value: Any, **kwargs: Any) -> Any:
        return SimpleNamespace(kind="json", value=value, status=kwargs["status"])

    def text(self, value: str, **kwargs: Any) -> Any:
        return SimpleNamespace(kind="text", value=value, status=kwargs["status"])

    def on_unhandled_error(self, request: Any, error: Exception) -> Any:
        self.unhandled.append(error)
        return SimpleNamespace(kind="json", value={"error": "x"}, status=500)

    async def read_request_content(self, request: Any) -> bytes:
        return request.body


def _request(method: str = "GET", body: bytes = b"", **match: str) -> Any:
    return SimpleNamespace(method=method, match_info=match, body=body)


@pytest.fixture
def app() -> Any:
    return SimpleNamespace(sensors=Mock(name="sensors"), conf=Mock())


class Order(faust.Record):
    id: str
    amount: int


def test_get_methods() -> None:
    class OnlyGet(View):
        async def get(self, request: Any) -> Any: ...

    class PostPut(View):
        async def post(self, request: Any) -> Any: ...

        async def put(self, request: Any) -> Any: ...

    assert OnlyGet.get_methods() == {"GET", "HEAD"}
    assert PostPut.get_methods() == {"POST", "PUT"}
    assert View.get_methods() == set()


def test_from_handler() -> None:
    async def handler(self: Any, request: Any) -> Any:
        """Doc."""

    view = View.from_handler(handler)
    assert issubclass(view, View) and view.__name__ == "handler"
    assert view.__doc__ == "Doc."
    assert view.get_methods() == {"GET", "HEAD"}
    with pytest.raises(TypeError):
        View.from_handler("nope")  # type: ignore[arg-type]


async def test_dispatch_calls_method_with_match_info_and_sensors(app: Any) -> None:
    class V(View):
        async def get(self, request: Any, id: str) -> Any:
            return self.json({"id": id})

    view = V(app, FakeWeb())  # type: ignore[arg-type]
    request = _request(id="7")
    response = await view(request)
    assert response.value == {"id": "7"}
    app.sensors.on_web_request_start.assert_called_once_with(app, request, view=view)
    state = app.sensors.on_web_request_start.return_value
    app.sensors.on_web_request_end.assert_called_once_with(
        app, request, response, state, view=view
    )


async def test_dispatch_web_error_and_unknown_method(app: Any) -> None:
    class V(View):
        async def get(self, request: Any) -> Any:
            raise self.NotFound("gone", thing=1)

    view = V(app, FakeWeb())  # type: ignore[arg-type]
    response = await view(_request())
    assert (response.status, response.value) == (404, {"error": "gone", "thing": 1})
    response = await view(_request("POST"))
    assert response.status == 405
    assert response.value == {"error": "Method POST not allowed."}
    response = await view(_request("BREW"))
    assert response.status == 405


async def test_dispatch_unhandled_error_goes_to_web(app: Any) -> None:
    web = FakeWeb()

    class V(View):
        async def get(self, request: Any) -> Any:
            raise KeyError("bug")

    response = await V(app, web)(_request())  # type: ignore[arg-type]
    assert response.status == 500
    assert isinstance(web.unhandled[0], KeyError)
    end = app.sensors.on_web_request_end.call_args
    assert end.args[2] is response


def test_url_helpers(app: Any) -> None:
    web = Mock(url_for=Mock(return_value="/a/1/"))
    app.conf.canonical_url = "http://w:6066/"
    view = View(app, web)
    assert view.path_for("a", id=1) == "/a/1/"
    assert str(view.url_for("a", id=1)) == "http://w:6066/a/1/"
    assert str(view.url_for("a", _base_url="http://x", id=1)) == "http://x/a/1/"


def test_error_and_notfound(app: Any) -> None:
    view = View(app, FakeWeb())  # type: ignore[arg-type]
    assert view.error(409, "conflict", id=1).value == {"error": "conflict", "id": 1}
    assert view.notfound().status == 404


async def test_takes_model(app: Any) -> None:
    class V(View):
        @takes_model(Order)
        async def post(self, request: Any, order: Order) -> Any:
            return self.json({"id": order.id, "amount": order.amount})

    view = V(app, FakeWeb())  # type: ignore[arg-type]
    ok = await view(_request("POST", b'{"id": "a", "amount": 2}'))
    assert ok.value == {"id": "a", "amount": 2}
    for body, status in [
        (b"", 400),
        (b"{", 400),
        (b'"str"', 400),
        (b'{"id": "a"}', 400),
    ]:
        response = await view(_request("POST", body))
        assert response.status == status, body


async def test_gives_model(app: Any) -> None:
    class V(View):
        @gives_model(Order)
        async def get(self, request: Any) -> Any:
            return Order(id="z", amount=1)

    response = await V(app, FakeWeb())(_request())  # type: ignore[arg-type]
    assert isinstance(response.value, Order)


def test_view_error_classes() -> None:
    assert View.NotFound is exc.NotFound
    assert View.ValidationError is exc.ValidationError
