"""LiveCheck pieces kept from Faust: patch_all, LiveCheckMiddleware, DO_NOT_SHARE."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from unittest.mock import AsyncMock

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import faust
from faust.livecheck import Case
from faust.livecheck.locals import current_test, current_test_stack
from faust.livecheck.models import State, TestExecution, TestReport
from faust.livecheck.patches import patch_all
from faust.livecheck.patches.aiohttp import LiveCheckMiddleware


def make_test() -> TestExecution:
    now = datetime.now(timezone.utc)
    return TestExecution(
        id="p1",
        case_name="c",
        timestamp=now,
        test_args=[],
        test_kwargs={},
        expires=now + timedelta(hours=1),
    )


async def _echo(request: web.Request) -> web.Response:
    test = current_test()
    return web.json_response(
        {
            "header": request.headers.get("LiveCheck-Test-Id"),
            "current": test.id if test is not None else None,
        }
    )


def _server_app() -> web.Application:
    server = web.Application(middlewares=[LiveCheckMiddleware()])
    server.router.add_get("/", _echo)
    return server


async def test_patch_all_makes_plain_sessions_send_test_headers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # restored after the test: the patch is process-wide
    monkeypatch.setattr(
        aiohttp.ClientSession, "__init__", aiohttp.ClientSession.__init__
    )
    async with TestServer(_server_app()) as server:
        url = str(server.make_url("/"))
        async with aiohttp.ClientSession() as before:
            with current_test_stack.push(make_test()):
                assert (await (await before.get(url)).json())["header"] is None
        patch_all()
        patch_all()  # idempotent
        async with aiohttp.ClientSession() as session:
            with current_test_stack.push(make_test()):
                body = await (await session.get(url)).json()
            outside = await (await session.get(url)).json()
    assert body == {"header": "p1", "current": "p1"}
    assert outside == {"header": None, "current": None}


async def test_middleware_class_makes_the_test_current() -> None:
    async with TestClient(TestServer(_server_app())) as client:
        headers = make_test().as_headers()
        assert await (await client.get("/", headers=headers)).json() == {
            "header": "p1",
            "current": "p1",
        }
        assert (await (await client.get("/")).json())["current"] is None


async def test_do_not_share_reports_are_not_posted() -> None:
    target = faust.App(
        f"lc-{uuid.uuid4().hex[:8]}", broker="memory://", web_enabled=False
    )
    livecheck = target.LiveCheck()

    @livecheck.case()
    class quiet(Case):
        async def run(self) -> None: ...

    livecheck.post_report = AsyncMock(name="post_report")  # type: ignore[method-assign]

    def report(state: State) -> TestReport:
        return TestReport(
            case_name=quiet.name,
            state=state,
            test=None,
            runtime=None,
            signal_latency={},
            error=None,
            traceback=None,
        )

    await quiet.post_report(report(State.DO_NOT_SHARE))
    livecheck.post_report.assert_not_called()
    await quiet.post_report(report(State.PASS))
    livecheck.post_report.assert_awaited_once()
    assert State.DO_NOT_SHARE.is_ok()
