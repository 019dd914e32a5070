"""The Router with fake tables, assignor and HTTP client."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import Mock

import pytest
from aiohttp import ClientConnectionError
from yarl import URL

from faust.app.router import ROUTED_HEADER, Router
from faust.exceptions import SameNode
from faust.web.exceptions import ServiceUnavailable

ME = "http://me:6066"
OTHER = "http://other:6066"


class Topic:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_topic_name(self) -> str:
        return self.name

    def prepare_key(self, key: Any, serializer: Any) -> Any:
        return f"ser:{key}".encode(), None


class Assignor:
    def __init__(self) -> None:
        self.owners = {b"ser:k1": ME, b"ser:k2": OTHER}

    def key_store(self, topic: str, key: bytes) -> URL:
        return URL(self.owners[key])

    def table_metadata(self, topic: str) -> Any:
        return {ME: {topic: [0]}}

    def tables_metadata(self) -> Any:
        return {ME: {"t-changelog": [0]}}


class FakeResponse:
    status = 202
    headers = {"Content-Type": "text/csv", "Transfer-Encoding": "chunked", "X-A": "1"}

    async def read(self) -> bytes:
        return b"a,b"

    async def __aenter__(self) -> FakeResponse:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None


class FakeClient:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.error = error

    def request(self, method: str, url: URL, **kwargs: Any) -> FakeResponse:
        if self.error is not None:
            raise self.error
        self.calls.append((method, url, kwargs))
        return FakeResponse()


class Request:
    def __init__(
        self, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        self.method = "POST"
        self.rel_url = URL("/count/k2/?x=1%202")
        self.headers = {"Host": "me:6066", "X-Token": "t", **(headers or {})}
        self.can_read_body = bool(body)
        self.body = body

    async def read(self) -> bytes:
        return self.body


@pytest.fixture
def router() -> Router:
    table = SimpleNamespace(name="t", changelog_topic=Topic("t-changelog"))
    app = SimpleNamespace(
        tables={"t": table},
        assignor=Assignor(),
        conf=SimpleNamespace(canonical_url=URL(ME)),
        http_client=FakeClient(),
    )
    return Router(app)  # type: ignore[arg-type]


def web() -> Any:
    return Mock(bytes=Mock(side_effect=lambda body, **kw: (body, kw)))


def test_key_store_and_metadata(router: Router) -> None:
    assert router.key_store("t", "k2") == URL(OTHER)
    assert router.external_topic_key_store(Topic("t-changelog"), "k1") == URL(ME)
    assert router.table_metadata("t") == {ME: {"t-changelog": [0]}}
    assert router.tables_metadata() == {ME: {"t-changelog": [0]}}
    assert router.external_topics_metadata() == {}
    with pytest.raises(KeyError):
        router.key_store("nope", "k")
    with pytest.raises(KeyError):
        router.key_store("t", "unowned")


async def test_local_key_is_same_node(router: Router) -> None:
    with pytest.raises(SameNode):
        await router.route_req("t", "k1", web(), Request())
    assert router.is_local("http://me:6066/")
    assert not router.is_local(OTHER)


async def test_unknown_owner_is_503(router: Router) -> None:
    with pytest.raises(ServiceUnavailable):
        await router.route_req("t", "unowned", web(), Request())


async def test_forwarding(router: Router) -> None:
    body, kwargs = await router.route_req("t", "k2", web(), Request(body=b"data"))
    assert body == b"a,b"
    assert kwargs["status"] == 202
    assert kwargs["headers"] == {"Content-Type": "text/csv", "X-A": "1"}
    [(method, url, options)] = router.app.http_client.calls
    assert method == "POST"
    assert str(url) == "http://other:6066/count/k2/?x=1%202"
    assert options["data"] == b"data"
    assert options["headers"] == {"X-Token": "t", ROUTED_HEADER: ME}
    assert options["allow_redirects"] is False


async def test_already_routed_request_is_not_routed_again(router: Router) -> None:
    with pytest.raises(ServiceUnavailable) as info:
        await router.route_req("t", "k2", web(), Request({ROUTED_HEADER: OTHER}))
    assert info.value.extra_context["routed_by"] == OTHER
    assert router.app.http_client.calls == []


async def test_owner_not_answering_is_503(router: Router) -> None:
    router.app.http_client = FakeClient(ClientConnectionError("refused"))
    with pytest.raises(ServiceUnavailable, match="did not answer"):
        await router.route_req("t", "k2", web(), Request())


async def test_route_topic_req(router: Router) -> None:
    with pytest.raises(SameNode):
        await router.route_topic_req(Topic("src"), "k1", web(), Request())
    with pytest.raises(ServiceUnavailable):
        await router.route_topic_req(Topic("src"), "zz", web(), Request())
