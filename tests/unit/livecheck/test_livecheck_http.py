"""faust.livecheck.patches.aiohttp: test headers through HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, Mock

import aiohttp
import pytest
from multidict import CIMultiDict

from faust.livecheck.exceptions import ServiceDown
from faust.livecheck.locals import current_test, current_test_stack
from faust.livecheck.models import TestExecution
from faust.livecheck.patches.aiohttp import (
    _on_request_start,
    client_session_factory,
    livecheck_middleware,
    request_with_retries,
    trace_config,
)


def make_test() -> TestExecution:
    now = datetime.now(timezone.utc)
    return TestExecution(
        id="h1",
        case_name="c",
        timestamp=now,
        test_args=[],
        test_kwargs={},
        expires=now + timedelta(hours=1),
    )


async def test_middleware_makes_the_request_test_current() -> None:
    seen: list[Any] = []

    async def handler(request: Any) -> str:
        seen.append(current_test())
        return "response"

    headers = CIMultiDict({k.lower(): v for k, v in make_test().as_headers().items()})
    assert await livecheck_middleware(SimpleNamespace(headers=headers), handler) == (
        "response"
    )
    assert await livecheck_middleware(SimpleNamespace(headers={}), handler) == (
        "response"
    )
    assert seen[0] is not None and seen[0].id == "h1"
    assert seen[1] is None and current_test() is None


async def test_request_start_adds_headers() -> None:
    params = SimpleNamespace(headers=CIMultiDict())
    await _on_request_start(Mock(), Mock(), params)  # type: ignore[arg-type]
    assert not params.headers
    with current_test_stack.push(make_test()):
        await _on_request_start(Mock(), Mock(), params)  # type: ignore[arg-type]
    assert params.headers["livecheck-test-id"] == "h1"
    assert isinstance(trace_config(), aiohttp.TraceConfig)


def test_client_session_factory_adds_trace_config() -> None:
    base = Mock(name="ClientSession")
    create = client_session_factory(base)
    create(timeout=3, trace_configs=["mine"])
    _, kwargs = base.call_args
    assert kwargs["timeout"] == 3
    assert kwargs["trace_configs"][0] == "mine"
    assert isinstance(kwargs["trace_configs"][1], aiohttp.TraceConfig)
    assert create.livecheck_base is base  # type: ignore[attr-defined]


class _Response:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    async def __aenter__(self) -> _Response:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        return None

    def raise_for_status(self) -> None:
        pass

    async def read(self) -> bytes:
        return bytes(self.outcome)


def make_case(*outcomes: Any, retries: int = 2) -> Any:
    session = Mock(name="http_client")
    session.request.side_effect = [_Response(o) for o in outcomes]
    return SimpleNamespace(
        app=SimpleNamespace(http_client=session),
        url_timeout_total=1.0,
        url_timeout_connect=None,
        url_error_retries=retries,
        url_error_delay_min=0.1,
        url_error_delay_backoff=2.0,
        url_error_delay_max=0.15,
        log=Mock(name="log"),
        sleep=AsyncMock(name="sleep"),
    )


async def test_request_retries_with_backoff_and_test_headers() -> None:
    case = make_case(aiohttp.ClientError("down"), aiohttp.ClientError("down"), b"ok")
    with current_test_stack.push(make_test()):
        body = await request_with_retries(case, "get", "http://x/", headers={"A": "1"})
    assert body == b"ok"
    assert [c.args[0] for c in case.sleep.await_args_list] == [0.1, 0.15]
    _, kwargs = case.app.http_client.request.call_args
    assert kwargs["headers"]["A"] == "1"
    assert kwargs["headers"]["LiveCheck-Test-Id"] == "h1"


async def test_request_gives_up() -> None:
    case = make_case(aiohttp.ClientError("a"), aiohttp.ClientError("b"), retries=1)
    with pytest.raises(ServiceDown, match="Cannot send fake test request"):
        await request_with_retries(case, "post", "http://x/")
