"""LiveCheck end to end on memory://: the tested app and LiveCheck in one loop."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web as aioweb
from aiohttp.test_utils import TestServer

import faust
from faust.livecheck import Case, LiveCheck, Signal, State, TestReport
from faust.livecheck.locals import current_test

ROOT = Path(__file__).resolve().parents[3]


class Order(faust.Record):
    id: str
    side: str


@pytest.fixture
async def system(app: faust.App) -> AsyncIterator[dict[str, Any]]:
    """An order app with two agents, its LiveCheck app and one case."""
    livecheck = app.LiveCheck()
    orders = app.topic("orders", value_type=Order)
    shipped = app.topic("shipped", value_type=Order)
    reports: list[TestReport] = []
    received = asyncio.Event()

    @app.agent(orders)
    async def accept(stream: Any) -> None:
        async for order in stream:
            await test_ship.accepted.send(order)
            await shipped.send(key=order.id, value=order)

    @app.agent(shipped)
    async def ship(stream: Any) -> None:
        async for _order in stream:  # the test is current: send its id
            await test_ship.shipped.send(current_test().id)  # type: ignore[union-attr]

    @livecheck.case(probability=1.0)
    class test_ship(Case):
        accepted: Signal[Order]
        shipped: Signal[str]

        async def run(self, side: str) -> None:
            order = await self.accepted.wait(timeout=5.0)
            assert order.side == side, f"{order.side} != {side}"
            assert await self.shipped.wait(timeout=5.0) == order.id

    @livecheck.agent(livecheck.reports)
    async def collect(stream: Any) -> None:
        async for report in stream:
            reports.append(report)
            received.set()

    await livecheck.start()
    await app.start()
    yield {
        "app": app,
        "livecheck": livecheck,
        "orders": orders,
        "case": test_ship,
        "reports": reports,
        "received": received,
    }
    await app.stop()
    await livecheck.stop()


async def _wait_reports(system: dict[str, Any], count: int) -> list[TestReport]:
    reports: list[TestReport] = system["reports"]
    while len(reports) < count:
        system["received"].clear()
        await asyncio.wait_for(system["received"].wait(), timeout=10.0)
    return reports


async def test_tests_follow_the_messages(system: dict[str, Any]) -> None:
    case, orders = system["case"], system["orders"]
    for side, sent_side in (("sell", "sell"), ("buy", "sell")):
        async with case.maybe_trigger(f"order-{side}", side=side) as test:
            assert test is not None
            await orders.send(key=test.id, value=Order(id=test.id, side=sent_side))
    reports = await _wait_reports(system, 2)
    by_id = {r.test.id: r for r in reports}
    assert by_id["order-sell"].state is State.PASS
    assert set(by_id["order-sell"].signal_latency) == {"accepted", "shipped"}
    failed = by_id["order-buy"]
    assert failed.state is State.FAIL
    assert failed.error.startswith("sell != buy")  # type: ignore[union-attr]
    assert case.total_by_state[State.PASS] == 1
    assert case.total_by_state[State.FAIL] == 1


async def test_messages_outside_a_test_send_no_signals(system: dict[str, Any]) -> None:
    case, orders = system["case"], system["orders"]
    await orders.send(key="plain", value=Order(id="plain", side="sell"))
    async with case.maybe_trigger("after", side="sell") as test:
        await orders.send(key=test.id, value=Order(id=test.id, side="sell"))
    (report,) = await _wait_reports(system, 1)
    assert report.test.id == "after" and report.state is State.PASS  # type: ignore[union-attr]
    assert not system["livecheck"]._resolved


async def test_http_requests_carry_the_test(app: faust.App) -> None:
    livecheck: LiveCheck = app.LiveCheck()
    seen: list[Any] = []

    async def handler(request: aioweb.Request) -> aioweb.Response:
        seen.append(request.headers.get("LiveCheck-Test-Id"))
        return aioweb.Response(text="ok")

    server_app = aioweb.Application()
    server_app.router.add_get("/", handler)

    @livecheck.case(probability=1.0)
    class test_http(Case):
        async def run(self) -> None: ...

    async with TestServer(server_app) as server:
        url = str(server.make_url("/"))
        sent = []

        async def fake_send(**kwargs: Any) -> None:
            sent.append(kwargs)

        livecheck.pending_tests.send = fake_send  # type: ignore[method-assign]
        async with test_http.maybe_trigger("web-1"):
            async with app.http_client.get(url) as response:
                assert response.status == 200
        async with app.http_client.get(url) as response:
            assert response.status == 200
        await app.http_client.close()
    assert seen == ["web-1", None]
    assert sent[0]["key"] == "web-1"


def test_example_demo_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/livecheck.py: the demo command runs the tests, which pass."""
    from faust.cli import call_command

    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("examples.livecheck", None)
    example = importlib.import_module("examples.livecheck")
    try:
        code, out, err = call_command("demo", ["--orders", "2"], app=example.app)
        assert code == 0, err.getvalue()
        assert "| PASS    | 2     |" in out.getvalue()
    finally:
        sys.modules.pop("examples.livecheck", None)
