"""The view cache decorator, on fake views and a memory backend."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock

import pytest
from yarl import URL

from faust.web.cache import Cache
from faust.web.cache.backends.memory import CacheBackend
from faust.web.cache.exceptions import CacheUnavailable


class FakeView:
    def __init__(self, backend: Any) -> None:
        self.app = SimpleNamespace(cache=backend)

    def response_to_bytes(self, response: Any) -> bytes:
        return f"{response.status}:{response.body}".encode()

    def bytes_to_response(self, data: bytes) -> Any:
        status, _, body = data.decode().partition(":")
        if not status.isdigit():
            raise ValueError("corrupt")
        return SimpleNamespace(status=int(status), body=body, cached=True)


def _request(method: str = "GET", url: str = "http://w/x/", **headers: str) -> Any:
    return SimpleNamespace(method=method, url=URL(url), headers=headers)


@pytest.fixture
def backend() -> CacheBackend:
    return CacheBackend(app=None, url="memory://")


def _handler(calls: list, status: int = 200):
    async def get(view: Any, request: Any) -> Any:
        calls.append(request)
        return SimpleNamespace(status=status, body=f"n{len(calls)}", cached=False)

    return get


async def test_hit_and_miss(backend: CacheBackend) -> None:
    calls: list = []
    get = Cache(timeout=10).view()(_handler(calls))
    view = FakeView(backend)
    first = await get(view, _request())
    second = await get(view, _request())
    assert not first.cached and second.cached and second.body == "n1"
    third = await get(view, _request(url="http://w/x/?p=2"))
    assert third.body == "n2"
    head = await get(view, _request("HEAD"))  # HEAD served from the GET entry
    assert head.cached
    assert len(calls) == 2


async def test_only_get_head_and_200_cached(backend: CacheBackend) -> None:
    calls: list = []
    post = Cache().view()(_handler(calls))
    view = FakeView(backend)
    await post(view, _request("POST"))
    await post(view, _request("POST"))
    failing = Cache().view()(_handler(calls, status=404))
    await failing(view, _request())
    await failing(view, _request())
    assert len(calls) == 4
    assert len(backend.storage) == 0


async def test_headers_in_key_only_when_asked(backend: CacheBackend) -> None:
    cache = Cache(key_prefix="bp")
    plain = cache.key_for_request(_request(A="1"))
    assert plain == cache.key_for_request(_request(A="2"))
    assert plain.startswith("faustweb.cache.view.bp.GET.")
    with_headers = cache.key_for_request(_request(A="1"), include_headers=True)
    assert with_headers != cache.key_for_request(_request(A="2"), include_headers=True)


async def test_unavailable_backend_is_bypassed() -> None:
    broken = SimpleNamespace(
        get=AsyncMock(side_effect=CacheUnavailable("down")),
        set=AsyncMock(side_effect=CacheUnavailable("down")),
    )
    calls: list = []
    get = Cache(backend=broken).view()(_handler(calls))
    response = await get(FakeView(None), _request())
    assert response.body == "n1" and calls
    broken.set.assert_awaited()


async def test_corrupt_entry_is_a_miss(backend: CacheBackend) -> None:
    cache = Cache()
    calls: list = []
    get = cache.view()(_handler(calls))
    key = cache.key_for_request(_request(), None, "GET")
    await backend.set(key, b"garbage")
    response = await get(FakeView(backend), _request())
    assert response.body == "n1" and not response.cached


async def test_uncacheable_response_body_is_skipped(backend: CacheBackend) -> None:
    class StreamingView(FakeView):
        def response_to_bytes(self, response: Any) -> bytes:
            raise NotImplementedError()

    calls: list = []
    get = Cache().view()(_handler(calls))
    await get(StreamingView(backend), _request())
    assert len(backend.storage) == 0
