"""faust.livecheck.runners and case: outcomes, reports, suite state."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest.mock import AsyncMock

import pytest

import faust
from faust.livecheck import Case, LiveCheck, Signal, State, TestReport
from faust.livecheck.exceptions import (
    LiveCheckTestFailed,
    LiveCheckTestRaised,
    LiveCheckTestSkipped,
    LiveCheckTestTimeout,
    ServiceDown,
    SuiteFailed,
)
from faust.livecheck.models import SignalEvent, TestExecution


@pytest.fixture
def livecheck() -> LiveCheck:
    app = faust.App(
        f"lc-{uuid.uuid4().hex[:8]}", broker="memory://unit-runners", web_enabled=False
    )
    lc = app.LiveCheck()
    lc.post_report = AsyncMock(name="post_report")  # type: ignore[method-assign]
    return lc


def make_test(
    test_id: str = "t1", *, expired: bool = False, **kw: Any
) -> TestExecution:
    now = datetime.now(timezone.utc)
    expires = now - timedelta(seconds=1) if expired else now + timedelta(hours=1)
    return TestExecution(
        id=test_id,
        case_name="c",
        timestamp=now,
        test_args=kw.pop("args", []),
        test_kwargs=kw.pop("kwargs", {}),
        expires=expires,
    )


def make_case(livecheck: LiveCheck, run: Any, **options: Any) -> Case:
    @livecheck.case(**options)
    class test_case(Case):
        step: Signal[str]

    test_case.run = run  # type: ignore[method-assign]
    return test_case


def last_report(livecheck: LiveCheck) -> TestReport:
    report: TestReport = livecheck.post_report.call_args[0][0]  # type: ignore[attr-defined]
    return report


async def test_pass_with_signal_and_arguments(livecheck: LiveCheck) -> None:
    got: list[Any] = []

    async def run(side: str, qty: int = 0) -> None:
        got.append((side, qty, await case.step.wait(timeout=1.0)))  # type: ignore[attr-defined]

    case = make_case(livecheck, run)
    event = SignalEvent(signal_name="step", case_name=case.name, key="t1", value="v")
    await case.resolve_signal("t1", event)
    await case.execute(make_test(args=["sell"], kwargs={"qty": 2}))
    assert got == [("sell", 2, "v")]
    report = last_report(livecheck)
    assert (report.state, report.error, report.test.id) == (State.PASS, None, "t1")  # type: ignore[union-attr]
    assert "step" in report.signal_latency
    assert case.status is State.PASS
    assert not livecheck._resolved  # forgotten once the test ended


@pytest.mark.parametrize(
    ("raised", "expected", "state"),
    [
        (AssertionError("side"), LiveCheckTestFailed, State.FAIL),
        (KeyError("x"), LiveCheckTestRaised, State.ERROR),
        (LiveCheckTestTimeout("late"), LiveCheckTestTimeout, State.TIMEOUT),
    ],
)
async def test_failures(
    livecheck: LiveCheck, raised: Exception, expected: type, state: State
) -> None:
    async def run() -> None:
        raise raised

    case = make_case(livecheck, run)
    with pytest.raises(expected):
        await case.execute(make_test())
    report = last_report(livecheck)
    assert report.state is state
    assert report.error == str(raised)
    assert report.traceback and "raise raised" in report.traceback
    assert (case.status, case.consecutive_failures) == (state, 1)
    assert case.total_by_state[state] == 1


async def test_signal_timeout(livecheck: LiveCheck) -> None:
    async def run() -> None:
        await case.step.wait(timeout=0.01)  # type: ignore[attr-defined]

    case = make_case(livecheck, run)
    with pytest.raises(LiveCheckTestTimeout, match="step"):
        await case.execute(make_test())
    assert last_report(livecheck).state is State.TIMEOUT
    assert not livecheck._waiters  # the waiter was dropped


@pytest.mark.parametrize(
    ("options", "test", "reason"),
    [
        ({"active": False}, make_test(), "inactive"),
        ({}, make_test(expired=True), "expired"),
    ],
    ids=["inactive", "expired"],
)
async def test_skipped(
    livecheck: LiveCheck, options: dict[str, Any], test: TestExecution, reason: str
) -> None:
    run = AsyncMock(name="run")
    case = make_case(livecheck, run, **options)
    with pytest.raises(LiveCheckTestSkipped, match=reason):
        await case.execute(test)
    run.assert_not_called()
    livecheck.post_report.assert_not_called()  # type: ignore[attr-defined]
    assert case.last_test_received is not None


async def test_suite_fails_after_max_consecutive_failures(
    livecheck: LiveCheck, caplog: pytest.LogCaptureFixture
) -> None:
    async def run() -> None:
        raise AssertionError("bad")

    case = make_case(livecheck, run, max_consecutive_failures=2)
    with caplog.at_level(logging.CRITICAL):
        for i in range(2):
            with pytest.raises(LiveCheckTestFailed):
                await case.execute(make_test(f"t{i}"))
    reports = [c[0][0] for c in livecheck.post_report.call_args_list]  # type: ignore[attr-defined]
    (suite_report,) = [r for r in reports if r.test is None]
    assert suite_report.state is State.FAIL
    assert len(reports) == 3  # two test reports and the suite report
    assert "Failed after 2" in (suite_report.error or "")
    assert case.last_fail is not None and case.seconds_since_last_fail is not None


async def test_pass_resets_consecutive_failures_and_recovers(
    livecheck: LiveCheck,
) -> None:
    outcome: list[BaseException] = [AssertionError("bad")]

    async def run() -> None:
        if outcome:
            raise outcome.pop()

    case = make_case(livecheck, run)
    case.state_transition_delay = 0.0
    with pytest.raises(LiveCheckTestFailed):
        await case.execute(make_test("t1"))
    await case.on_suite_fail(SuiteFailed("down"))
    assert case.status is State.FAIL
    await case.execute(make_test("t2"))
    assert (case.status, case.consecutive_failures) == (State.PASS, 0)


async def test_suite_failure_reported_once_per_delay(livecheck: LiveCheck) -> None:
    case = make_case(livecheck, AsyncMock())
    await case.on_suite_fail(SuiteFailed("one"))
    await case.on_suite_fail(SuiteFailed("two"))  # within state_transition_delay
    assert livecheck.post_report.await_count == 1  # type: ignore[attr-defined]


async def test_stalled_suite(livecheck: LiveCheck) -> None:
    case = make_case(livecheck, AsyncMock(), warn_stalled_after=0.01)
    case.last_test_received = None
    await case._check_stalled(time_start=0.0)  # monotonic() is far past 0.01
    assert case.status is State.STALL
    assert last_report(livecheck).state is State.STALL


async def test_url_request_service_down(
    livecheck: LiveCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(livecheck, AsyncMock())
    monkeypatch.setattr(
        "faust.livecheck.patches.aiohttp.request_with_retries",
        AsyncMock(side_effect=ServiceDown("no")),
    )
    assert await case.get_url("http://x/") is None
    assert case.status is State.FAIL
    monkeypatch.setattr(
        "faust.livecheck.patches.aiohttp.request_with_retries",
        AsyncMock(return_value=b"ok"),
    )
    assert await case.post_url("http://x/") == b"ok"


async def test_realtime_logs(
    livecheck: LiveCheck, caplog: pytest.LogCaptureFixture
) -> None:
    case = make_case(livecheck, AsyncMock())
    case.realtime_logs = True
    with caplog.at_level(logging.INFO):
        await case.execute(make_test("rt"))
    assert any("Test OK" in r.getMessage() for r in caplog.records)


async def test_statistics(
    livecheck: LiveCheck, caplog: pytest.LogCaptureFixture
) -> None:
    case = make_case(livecheck, AsyncMock(), frequency=1.0)
    for i in range(3):
        await case.execute(make_test(f"s{i}"))
    with caplog.at_level(logging.INFO):
        await case._sample()
    assert case.frequency_avg is not None and case.latency_avg is not None
    assert case.runtime_avg is not None
    assert case.label == f"test_case: {case.name}"
    await asyncio.sleep(0)


def test_run_must_be_defined(livecheck: LiveCheck) -> None:
    @livecheck.case()
    class test_empty(Case):
        pass

    with pytest.raises(NotImplementedError):
        asyncio.run(test_empty.run())


async def test_unknown_signal_name_is_an_error(livecheck: LiveCheck) -> None:
    case = make_case(livecheck, AsyncMock())
    event = SignalEvent(signal_name="nope", case_name=case.name, key="t", value=None)
    with pytest.raises(KeyError):
        await case.resolve_signal("t", event)
