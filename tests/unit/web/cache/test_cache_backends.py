"""Cache backends: memory storage, error mapping, the redis backend (fake)."""

from __future__ import annotations

from typing import Any, Optional
from unittest.mock import AsyncMock, Mock, patch

import pytest

from faust.exceptions import ImproperlyConfigured
from faust.web.cache import backends
from faust.web.cache.backends import base
from faust.web.cache.backends.memory import CacheBackend, CacheStorage
from faust.web.cache.backends.redis import CacheBackend as RedisBackend
from faust.web.cache.exceptions import CacheUnavailable


def test_by_url() -> None:
    assert backends.by_url("memory://") is CacheBackend
    assert backends.by_url("redis://localhost:6379/0") is RedisBackend
    assert backends.by_url("rediscluster://h:1") is RedisBackend
    with pytest.raises(ImproperlyConfigured, match="Unknown cache backend"):
        backends.by_url("nope://")


def test_storage_expiry() -> None:
    now = [100.0]
    with patch("faust.web.cache.backends.memory.time.monotonic", lambda: now[0]):
        storage: CacheStorage[str, bytes] = CacheStorage()
        storage.setex("a", 10.0, b"1")
        storage.set("b", b"2")
        assert storage.ttl("a") == 10.0 and storage.ttl("b") is None
        assert storage.last_set_ttl("a") == 10.0
        now[0] = 109.0
        assert storage.get("a") == b"1"
        now[0] = 110.0
        assert storage.get("a") is None and len(storage) == 1
        storage.setex("c", 1.0, b"3")
        now[0] = 200.0
        assert storage.purge_expired() == 1
        storage.expire("b")
        assert storage.get("b") is None
        storage.set("d", b"4")
        storage.clear()
        assert len(storage) == 0


async def test_memory_backend() -> None:
    backend = CacheBackend(app=None)
    await backend.set("k", b"v", 60.0)
    assert await backend.get("k") == b"v"
    await backend.delete("k")
    assert await backend.get("k") is None


class Flaky(base.CacheBackend):
    operational_errors = (ConnectionError,)
    invalidating_errors = (ValueError,)
    irrecoverable_errors = (PermissionError,)

    def __init__(self, error: Exception) -> None:
        super().__init__(app=None, url="flaky://")
        self.error = error
        self.deleted: list[str] = []

    async def _get(self, key: str) -> Optional[bytes]:
        raise self.error

    async def _set(self, key: str, value: bytes, timeout: Optional[float]) -> None:
        raise self.error

    async def _delete(self, key: str) -> None:
        self.deleted.append(key)


async def test_operational_errors_are_unavailable() -> None:
    backend = Flaky(ConnectionError("down"))
    with pytest.raises(CacheUnavailable):
        await backend.get("k")
    with pytest.raises(CacheUnavailable):
        await backend.set("k", b"v")
    assert backend.deleted == []


async def test_invalidating_errors_delete_the_key() -> None:
    backend = Flaky(ValueError("bad entry"))
    with pytest.raises(CacheUnavailable):
        await backend.get("k")
    assert backend.deleted == ["k"]


async def test_irrecoverable_errors_crash_the_backend() -> None:
    backend = Flaky(PermissionError("auth"))
    backend.crash = AsyncMock()  # type: ignore[method-assign]
    with pytest.raises(CacheUnavailable):
        await backend.get("k")
    backend.crash.assert_awaited_once()


async def test_other_errors_propagate() -> None:
    with pytest.raises(KeyError):
        await Flaky(KeyError("bug")).get("k")


async def test_redis_backend_with_fake_client() -> None:
    backend = RedisBackend(app=None, url="redis://h:1/0?connect_timeout=2.5")
    assert backend.connect_timeout == 2.5
    client = Mock(
        get=AsyncMock(return_value=b"v"),
        set=AsyncMock(),
        delete=AsyncMock(),
        aclose=AsyncMock(),
    )
    backend.client = client
    assert await backend.get("k") == b"v"
    await backend.set("k", b"v", 1.5)
    client.set.assert_awaited_with("k", b"v", px=1500)
    await backend.set("k", b"v")
    client.set.assert_awaited_with("k", b"v")
    await backend.delete("k")
    client.delete.assert_awaited_with("k")
    client.get.side_effect = ConnectionError("refused")
    with pytest.raises(CacheUnavailable):
        await backend.get("k")
    await backend.on_stop()
    client.aclose.assert_awaited_once()


def test_redis_backend_without_redis_package() -> None:
    backend = RedisBackend(app=None, url="redis://h:1/0")

    def missing(name: str) -> Any:
        raise ImportError(name)

    with patch("faust.web.cache.backends.redis.importlib.import_module", missing):
        with pytest.raises(ImproperlyConfigured, match="pip install"):
            backend.client  # noqa: B018


def test_redis_backend_keyword_options_win_over_the_url() -> None:
    from types import SimpleNamespace

    from faust.web.cache.backends.redis import RedisScheme

    fake = SimpleNamespace(Redis=Mock(name="Redis"))
    backend = RedisBackend(
        app=None,
        url="redis://h:1/0?connect_timeout=2.5&max_connections=3",
        connect_timeout=1.0,
        stream_timeout=4.0,
    )
    with patch("faust.web.cache.backends.redis._redis", return_value=fake):
        backend.client  # noqa: B018
    fake.Redis.from_url.assert_called_once_with(
        "redis://h:1/0",
        socket_connect_timeout=1.0,
        socket_timeout=4.0,
        max_connections=3,
    )
    assert RedisScheme("rediscluster") is RedisScheme.CLUSTER


def test_redis_cluster_pool_is_per_node() -> None:
    from types import SimpleNamespace

    cluster = SimpleNamespace(RedisCluster=Mock(name="RedisCluster"))
    backend = RedisBackend(
        app=None,
        url="rediscluster://h:1",
        max_connections=50,
        max_connections_per_node=5,
    )
    with (
        patch("faust.web.cache.backends.redis._redis"),
        patch(
            "faust.web.cache.backends.redis.importlib.import_module",
            return_value=cluster,
        ),
    ):
        backend.client  # noqa: B018
    kwargs = cluster.RedisCluster.from_url.call_args.kwargs
    assert kwargs["max_connections"] == 5
    assert backend.max_connections_per_node == 5


async def test_redis_connect_pings_the_server() -> None:
    backend = RedisBackend(app=None, url="redis://h:1/0")
    client = Mock(ping=AsyncMock(side_effect=ConnectionError("refused")))
    backend.client = client
    with pytest.raises(ConnectionError):
        await backend.connect()
    client.ping.side_effect = None
    assert await backend.connect() is client
