"""Fixtures of the web functional tests: a test client and fakes.

``serve(app)`` registers the app's views (``app.web.init_server()``) and
yields an aiohttp test client on the app's aiohttp application: real views,
real middlewares, no port 6066. The app counts as recovered unless
``recovered=False`` is given. ``FakeTable``/``FakeAssignor`` stand in for
tables and the partition assignor where the real ones are not needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

import faust
from faust.types import TP


class FakeTopic:
    def __init__(self, name: str) -> None:
        self.topics = [name]

    def get_topic_name(self) -> str:
        return self.topics[0]

    def prepare_key(self, key: Any, key_serializer: Any, *args: Any) -> Any:
        return str(key).encode(), None


class FakeTable:
    """A dict with the attributes the web views and the router read."""

    is_global = False

    def __init__(self, name: str, data: Optional[dict[str, Any]] = None) -> None:
        self.name = name
        self.help = f"help of {name}"
        self.data = dict(data or {})
        self.changelog_topic = FakeTopic(f"app-{name}-changelog")

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        return key in self.data


class FakeAssignor:
    """Owners of keys by worker URL; metadata as given."""

    def __init__(
        self,
        owners: Optional[Mapping[str, str]] = None,
        metadata: Optional[dict[str, dict[str, list[int]]]] = None,
        actives: Optional[set[TP]] = None,
        standbys: Optional[set[TP]] = None,
    ) -> None:
        self.owners = dict(owners or {})
        self.metadata = metadata or {}
        self.actives = actives or set()
        self.standbys = standbys or set()

    def key_store(self, topic: str, key: bytes) -> URL:
        return URL(self.owners[key.decode()])

    def tables_metadata(self) -> dict[str, dict[str, list[int]]]:
        return self.metadata

    def table_metadata(self, topic: str) -> dict[str, dict[str, list[int]]]:
        return {
            url: {t: p for t, p in topics.items() if t == topic}
            for url, topics in self.metadata.items()
        }

    def assigned_actives(self) -> set[TP]:
        return set(self.actives)

    def assigned_standbys(self) -> set[TP]:
        return set(self.standbys)


ServeFactory = Callable[..., Any]


@pytest.fixture
def serve() -> ServeFactory:
    @asynccontextmanager
    async def _serve(
        app: faust.App, port: Optional[int] = None, recovered: bool = True
    ) -> AsyncIterator[TestClient]:
        web = app.web
        # the app is not started: say whether its tables count as recovered
        web._recovered = recovered
        web.init_server()
        server = TestServer(web.web_app, port=port) if port else TestServer(web.web_app)
        async with TestClient(server) as client:
            yield client

    return _serve


@pytest.fixture
def make_table() -> Callable[..., FakeTable]:
    return FakeTable


@pytest.fixture
def make_assignor() -> Callable[..., FakeAssignor]:
    return FakeAssignor
