"""The Redis cache backend (``cache='redis://host:port/db'``).

``rediscluster://host:port`` talks to a Redis Cluster. Needs the optional
:pypi:`redis` package (``pip install 'faust-ng[redis]'``), imported when the
backend first connects. The client connects on first use, so a Redis that
is down at start only makes cached views run uncached.

Options, as keyword arguments of the backend or URL query options
(``redis://host/0?connect_timeout=2``; a keyword argument wins):
``connect_timeout`` and ``stream_timeout`` (seconds), ``max_connections``
(the pool size), and for Redis Cluster ``max_connections_per_node`` (the
pool size of each node; ``max_connections`` when not given).
"""

from __future__ import annotations

import importlib
import math
from enum import Enum
from typing import Any, ClassVar, Optional, TypeVar

from ....exceptions import ImproperlyConfigured
from ....utils.extras import install_hint
from .base import CacheBackend as BaseCacheBackend
from .base import ErrorTypes

__all__ = ["CacheBackend", "RedisScheme"]

T = TypeVar("T")


def _redis() -> Any:
    try:
        return importlib.import_module("redis.asyncio")
    except ImportError as exc:
        raise ImproperlyConfigured(
            "The redis:// cache needs the redis package: " + install_hint("redis")
        ) from exc


def _errors(*names: str) -> ErrorTypes:
    try:
        module = importlib.import_module("redis.exceptions")
    except ImportError:
        return ()
    return tuple(getattr(module, name) for name in names if hasattr(module, name))


class RedisScheme(Enum):
    """The URL schemes of the backend."""

    #: ``redis://``: one Redis server.
    SINGLE_NODE = "redis"
    #: ``rediscluster://``: a Redis Cluster.
    CLUSTER = "rediscluster"


class CacheBackend(BaseCacheBackend):
    """Cache entries in Redis (or Redis Cluster).

    Arguments:
        app: the app.
        url: ``redis://host:port/db`` or ``rediscluster://host:port``.
        connect_timeout: seconds to wait for a connection.
        stream_timeout: seconds to wait for an answer.
        max_connections: size of the connection pool.
        max_connections_per_node: pool size of each cluster node.
        **kwargs: passed to the base backend.
    """

    operational_errors: ClassVar[ErrorTypes] = (
        *_errors("ConnectionError", "TimeoutError", "BusyLoadingError"),
        ConnectionError,
        TimeoutError,
    )
    invalidating_errors: ClassVar[ErrorTypes] = _errors("DataError", "ResponseError")
    irrecoverable_errors: ClassVar[ErrorTypes] = _errors("AuthenticationError")

    def __init__(
        self,
        app: Any,
        url: Any = "redis://",
        *,
        connect_timeout: Optional[float] = None,
        stream_timeout: Optional[float] = None,
        max_connections: Optional[int] = None,
        max_connections_per_node: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(app, url, **kwargs)
        query = self.url.query
        self.connect_timeout = _given(
            connect_timeout, _float(query.get("connect_timeout"))
        )
        self.stream_timeout = _given(
            stream_timeout, _float(query.get("stream_timeout"))
        )
        self.max_connections = _given(
            max_connections, _int(query.get("max_connections"))
        )
        self.max_connections_per_node = _given(
            max_connections_per_node, _int(query.get("max_connections_per_node"))
        )
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The redis client (created on first use)."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    @client.setter
    def client(self, client: Any) -> None:
        self._client = client

    async def connect(self) -> Any:
        """Create the client now and check that the server answers.

        Returns:
            The redis client.

        Raises:
            ConnectionError: ``redis.exceptions.ConnectionError``: the
                server cannot be reached (check the cache URL and that
                Redis runs).
        """
        client = self.client
        await client.ping()
        return client

    def _new_client(self) -> Any:
        redis = _redis()
        url = self.url.with_query(None)
        options: dict[str, Any] = {
            "socket_connect_timeout": self.connect_timeout,
            "socket_timeout": self.stream_timeout,
        }
        is_cluster = self.url.scheme == RedisScheme.CLUSTER.value
        pool = self.max_connections
        if is_cluster and self.max_connections_per_node is not None:
            pool = self.max_connections_per_node
        if pool is not None:
            options["max_connections"] = pool
        if is_cluster:
            cluster = importlib.import_module("redis.asyncio.cluster")
            return cluster.RedisCluster.from_url(
                str(url.with_scheme("redis")), **options
            )
        return redis.Redis.from_url(str(url), **options)

    async def _get(self, key: str) -> Optional[bytes]:
        value = await self.client.get(key)
        return bytes(value) if value is not None else None

    async def _set(self, key: str, value: bytes, timeout: Optional[float]) -> None:
        if timeout is not None:
            # Redis expiry has whole-second (EX) or millisecond (PX) steps
            await self.client.set(key, value, px=max(1, math.ceil(timeout * 1000)))
        else:
            await self.client.set(key, value)

    async def _delete(self, key: str) -> None:
        await self.client.delete(key)

    async def on_stop(self) -> None:
        """Close the connections."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _given(value: Optional[T], default: Optional[T]) -> Optional[T]:
    return value if value is not None else default


def _float(value: Optional[str]) -> Optional[float]:
    return float(value) if value is not None else None


def _int(value: Optional[str]) -> Optional[int]:
    return int(value) if value is not None else None
