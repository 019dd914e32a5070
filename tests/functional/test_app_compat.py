"""App API kept from Faust: Settings, rebalance hooks, @app.web_server, traced."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, MutableMapping
from typing import Any
from unittest.mock import Mock

import pytest
from mode import Service

import faust
from faust.exceptions import ImproperlyConfigured
from faust.sensors import Sensor
from faust.transport.drivers.memory.broker import MemoryBroker
from faust.types.settings import Settings


class RecordingApp(faust.App):
    """An app subclass overriding the rebalance hooks, as Faust users do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hooks: list[str] = []
        self.recovered = asyncio.Event()

    def on_rebalance_start(self) -> None:
        self.hooks.append("start")
        super().on_rebalance_start()

    def on_rebalance_return(self) -> None:
        self.hooks.append("return")
        super().on_rebalance_return()

    def on_rebalance_end(self) -> None:
        self.hooks.append("end")
        super().on_rebalance_end()
        self.recovered.set()


class RebalanceSensor(Sensor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []

    def on_rebalance_start(self, app: Any) -> dict[str, Any]:
        self.calls.append(("start", None))
        return {"n": 1}

    def on_rebalance_return(self, app: Any, state: Any) -> None:
        self.calls.append(("return", state))

    def on_rebalance_end(self, app: Any, state: Any) -> None:
        self.calls.append(("end", state))


@pytest.fixture
async def recording_app(broker_url: str, tmp_path: Any) -> AsyncIterator[RecordingApp]:
    app = RecordingApp(
        f"test-{uuid.uuid4().hex[:8]}",
        broker=broker_url,
        web_enabled=False,
        datadir=str(tmp_path / "data"),
        topic_partitions=2,
    )
    yield app
    if app.started and not app.should_stop:
        await app.stop()
    MemoryBroker.for_url(broker_url).close()


def test_settings_class_is_an_app_attribute() -> None:
    class MySettings(Settings):
        pass

    class MyApp(faust.App):
        Settings = MySettings

    assert faust.App.Settings is Settings
    assert type(MyApp("x", broker="memory://").conf) is MySettings


def test_scan_categories() -> None:
    assert "faust.agent" in faust.App.SCAN_CATEGORIES
    assert "faust.command" in faust.App.SCAN_CATEGORIES


async def test_rebalance_hooks_run_in_order(recording_app: RecordingApp) -> None:
    app = recording_app
    app.Table("counts", default=int)

    @app.agent(app.topic("events"))
    async def count(stream):
        async for _ in stream:
            pass

    sensor = RebalanceSensor()
    app.sensors.add(sensor)
    await app.start()
    await asyncio.wait_for(app.recovered.wait(), 10)
    assert app.hooks[:3] == ["start", "return", "end"]
    assert app.rebalancing_count >= 1
    assert not app.in_recovery
    state = {"n": 1}
    assert sensor.calls[:3] == [("start", None), ("return", state), ("end", state)]


def test_in_recovery_reads_the_table_manager(app: faust.App) -> None:
    assert app.in_recovery is False  # no tables built yet
    app.tables = Mock(in_recovery=True)
    assert app.in_recovery is True


class WebService(Service):
    """Stands in for a framework's server (see faust.contrib.asgi)."""

    started_event: asyncio.Event
    driver_version = "fake-http=1.0"

    def __post_init__(self) -> None:
        self.started_event = asyncio.Event()

    async def on_start(self) -> None:
        self.started_event.set()

    def get_web_url(self) -> str:
        return "http://worker-1:8080/"


async def test_web_server_service_replaces_faust_web(broker_url: str) -> None:
    app = faust.App(f"w-{uuid.uuid4().hex[:8]}", broker=broker_url, web_enabled=True)
    assert app.web_server(WebService) is WebService
    assert app.web not in list(app.boot_strategy.server())
    await app.start()
    try:
        service = app._web_server_service_instance
        assert isinstance(service, WebService)
        await asyncio.wait_for(service.started_event.wait(), 10)
        assert str(app.web_server_url) == "http://worker-1:8080/"
        assert app.web_server_driver_version == "fake-http=1.0"
    finally:
        await app.stop()
        MemoryBroker.for_url(broker_url).close()
    assert service.should_stop


def test_only_one_web_server(app: faust.App) -> None:
    app.web_server(WebService)
    with pytest.raises(ImproperlyConfigured, match="already"):
        app.web_server(Service)


def test_web_server_url_without_service_is_the_builtin_one(app: faust.App) -> None:
    assert str(app.web_server_url) == str(app.web.url)
    assert app.web_server_driver_version.startswith("aiohttp=")


class FakeSpan:
    def __init__(self, name: str, **context: Any) -> None:
        self.name, self.context = name, context
        self.finished = False

    def finish(self) -> None:
        self.finished = True


class FakeTracer:
    def __init__(self) -> None:
        self.spans: list[FakeSpan] = []

    def trace(self, name: str, **context: Any) -> FakeSpan:
        span = FakeSpan(name, **context)
        self.spans.append(span)
        return span


async def test_traced_runs_calls_in_spans(app: faust.App) -> None:
    async def work(x: int) -> int:
        return x * 2

    traced = app.traced(work, name="work", sample_rate=1.0, table="t")
    assert await traced(2) == 4  # no tracer: plain call
    app.tracer = FakeTracer()
    assert await traced(3) == 6
    (span,) = app.tracer.spans
    assert (span.name, span.context, span.finished) == ("work", {"table": "t"}, True)


async def test_traced_sample_rate_zero_never_traces(app: faust.App) -> None:
    app.tracer = FakeTracer()
    traced = app.traced(lambda: 1, sample_rate=0.0)
    assert [traced() for _ in range(20)] == [1] * 20
    assert app.tracer.spans == []


def test_app_agents_is_a_full_mapping(app: faust.App) -> None:
    @app.agent()
    async def first(stream: Any) -> None:
        async for _ in stream:
            pass

    agents = app.agents
    assert isinstance(agents, MutableMapping)
    assert agents.copy() == {first.name: first}
    assert agents.get("nope") is None
    assert agents.pop(first.name) is first
    agents.update({first.name: first})
    assert list(agents) == [first.name]
    agents.clear()
    assert len(agents) == 0


async def test_agent_tracebacks_for_humans(app: faust.App) -> None:
    @app.agent()
    async def sleeper(stream: Any) -> None:
        async for _ in stream:
            pass

    await app.start()
    tracebacks = app.agents.actor_tracebacks()
    assert list(tracebacks) == [sleeper.name]
    assert tracebacks[sleeper.name]  # one stack per actor
    text = app.agents.human_tracebacks()
    assert text.startswith(app.agents.traceback_header)
    assert f"{sleeper.name}:" in text
