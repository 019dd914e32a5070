"""faust.livecheck.models, locals and exceptions."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from faust.exceptions import FaustError
from faust.livecheck import exceptions as exc
from faust.livecheck.locals import (
    LocalStack,
    current_execution,
    current_test,
    current_test_stack,
)
from faust.livecheck.models import (
    HEADER_TEST_ID,
    SignalEvent,
    State,
    TestExecution,
    TestReport,
)


def make_test(**kwargs: object) -> TestExecution:
    now = datetime.now(timezone.utc)
    fields: dict[str, object] = {
        "id": "t1",
        "case_name": "proj.cases.test_order",
        "timestamp": now,
        "test_args": ["sell"],
        "test_kwargs": {"qty": 3},
        "expires": now + timedelta(hours=1),
    }
    fields.update(kwargs)
    return TestExecution(**fields)


class TestTestExecution:
    def test_headers_round_trip_as_bytes(self) -> None:
        test = make_test()
        headers = {k: v.encode() for k, v in test.as_headers().items()}
        back = TestExecution.from_headers(headers)
        assert back is not None
        assert (back.id, back.case_name) == ("t1", "proj.cases.test_order")
        assert back.timestamp == test.timestamp
        assert back.expires == test.expires
        assert back.test_args == [] and back.test_kwargs == {}

    @pytest.mark.parametrize(
        "headers",
        [None, {}, {"other": b"x"}, {HEADER_TEST_ID: b"t1"}],
        ids=["none", "empty", "unrelated", "incomplete"],
    )
    def test_from_headers_without_a_test(self, headers: object) -> None:
        assert TestExecution.from_headers(headers) is None

    def test_garbled_timestamp_is_not_a_test(self) -> None:
        headers = dict(make_test().as_headers())
        headers["LiveCheck-Test-Timestamp"] = "yesterday"
        assert TestExecution.from_headers(headers) is None

    def test_identifiers(self) -> None:
        test = make_test(id="0123456789abcdefghij")
        assert test.ident == "proj.cases.test_order:0123456789abcdefghij"
        assert test.shortident == "test_order:0123456789abcde[...]"
        assert test.short_case_name == "test_order"
        assert test.human_date.startswith("Today ")
        assert test.was_issued_today

    def test_expiry(self) -> None:
        past = datetime.now(timezone.utc) - timedelta(seconds=1)
        assert make_test(expires=past).is_expired
        assert not make_test().is_expired

    def test_serializes_with_isodates(self) -> None:
        test = make_test()
        back = TestExecution.loads(test.dumps(serializer="json"), serializer="json")
        assert back == test


def test_report_and_signal_event_round_trip() -> None:
    report = TestReport(
        case_name="c",
        state=State.FAIL,
        test=make_test(),
        runtime=0.5,
        signal_latency={"sent": 0.1},
        error="boom",
        traceback="tb",
    )
    back = TestReport.loads(report.dumps(serializer="json"), serializer="json")
    assert back.state is State.FAIL
    assert back.test == report.test
    event = SignalEvent(signal_name="s", case_name="c", key="k", value={"a": 1})
    assert SignalEvent.loads(event.dumps(serializer="json"), serializer="json") == event


def test_ok_states() -> None:
    assert {s for s in State if s.is_ok()} == {
        State.INIT,
        State.PASS,
        State.SKIP,
        State.DO_NOT_SHARE,
    }


def test_exception_tree() -> None:
    assert issubclass(exc.LiveCheckError, FaustError)
    assert issubclass(exc.ServiceDown, exc.SuiteFailed)
    assert issubclass(exc.SuiteStalled, exc.SuiteFailed)
    for name in ("Skipped", "Failed", "Raised", "Timeout"):
        assert issubclass(getattr(exc, f"LiveCheckTest{name}"), exc.LiveCheckError)


class TestLocalStack:
    def test_push_pop(self) -> None:
        stack: LocalStack[int] = LocalStack("t")
        assert stack.top is None and stack.pop() is None
        with stack.push(1):
            with stack.push(2):
                assert stack.top == 2 and len(stack) == 2
            assert stack.top == 1
        assert stack.top is None
        stack.push_without_automatic_cleanup(3)
        assert stack.pop() == 3 and stack.top is None

    async def test_tasks_see_their_own_stack(self) -> None:
        seen: list[object] = []

        async def other() -> None:
            seen.append(current_test())

        with current_test_stack.push(make_test()):
            task = asyncio.get_running_loop().create_task(other())
            current_test_stack.pop()  # does not affect the copied context
            current_test_stack.push_without_automatic_cleanup(make_test(id="t2"))
            await task
        assert seen[0] is not None and seen[0].id == "t1"  # type: ignore[attr-defined]
        assert current_test() is None
        assert current_execution() is None
