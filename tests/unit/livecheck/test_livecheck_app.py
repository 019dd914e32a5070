"""faust.livecheck.app: the case decorator, signal bookkeeping, headers, sensor."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest.mock import Mock

import pytest

import faust
from faust.livecheck import Case, LiveCheck, Signal
from faust.livecheck.app import LiveCheckSensor
from faust.livecheck.locals import current_test, current_test_stack
from faust.livecheck.models import SignalEvent, TestExecution
from faust.livecheck.signals import BaseSignal


@pytest.fixture
def target() -> faust.App:
    return faust.App(
        f"lc-{uuid.uuid4().hex[:8]}",
        broker="memory://unit-livecheck",
        web_enabled=False,
        origin="proj.app",
    )


@pytest.fixture
def livecheck(target: faust.App) -> LiveCheck:
    return target.LiveCheck()


def make_test(test_id: str = "t1", case_name: str = "proj.c") -> TestExecution:
    now = datetime.now(timezone.utc)
    return TestExecution(
        id=test_id,
        case_name=case_name,
        timestamp=now,
        test_args=[],
        test_kwargs={},
        expires=now + timedelta(hours=1),
    )


class TestForApp:
    def test_configured_like_the_app(
        self, target: faust.App, livecheck: LiveCheck
    ) -> None:
        assert livecheck.conf.id == f"livecheck-{target.conf.id}"
        assert livecheck.conf.broker == target.conf.broker
        assert livecheck.conf.web_port == 9999
        assert livecheck.conf.stream_wait_empty is False
        assert target.livecheck is livecheck
        assert any(isinstance(s, LiveCheckSensor) for s in target.sensors)

    def test_options(self, target: faust.App) -> None:
        livecheck = target.LiveCheck(
            prefix="lc-",
            web_port=7000,
            test_topic_name="tests",
            bus_topic_name="bus",
            report_topic_name="reports",
            bus_concurrency=2,
            test_concurrency=3,
            send_reports=False,
        )
        assert livecheck.conf.id == f"lc-{target.conf.id}"
        assert livecheck.conf.web_port == 7000
        assert livecheck.pending_tests.get_topic_name() == "tests"
        assert livecheck.bus.get_topic_name() == "bus"
        assert livecheck.reports.get_topic_name() == "reports"
        assert (livecheck.bus_concurrency, livecheck.test_concurrency) == (2, 3)
        assert livecheck.send_reports is False

    def test_wraps_the_http_client_factory_once(self, target: faust.App) -> None:
        target.LiveCheck()
        wrapped = target.conf.HttpClient
        assert hasattr(wrapped, "livecheck_base")
        target.LiveCheck()
        assert target.conf.HttpClient is wrapped


class TestCaseDecorator:
    def test_signals_from_annotations(self, livecheck: LiveCheck) -> None:
        class Base(Case):
            first: Signal[str]

        @livecheck.case(probability=0.25, name="custom.name")
        class test_thing(Base):
            second: "Signal[int]"  # noqa: UP037  (a quoted annotation)
            not_a_signal: int = 0
            third = Signal[None]()

            async def run(self) -> None: ...

        assert isinstance(test_thing, Case)
        assert livecheck.cases == {"custom.name": test_thing}
        assert test_thing.probability == 0.25
        assert [(s.name, s.index) for s in test_thing.signals.values()] == [
            ("first", 1),
            ("second", 2),
        ]
        # the instance attribute is the signal bound to this case
        assert test_thing.first.case is test_thing  # type: ignore[attr-defined]
        assert test_thing.total_signals == 2

    def test_default_name_is_module_and_qualname(self, livecheck: LiveCheck) -> None:
        @livecheck.case()
        class test_x:
            async def run(self) -> None: ...

        assert test_x.name == f"{__name__}.{test_x.__class__.__qualname__}"
        assert isinstance(test_x, livecheck.Case)

    def test_main_names_use_origin(self, livecheck: LiveCheck) -> None:
        assert livecheck._prepare_case_name("__main__.test_x") == "proj.app.test_x"
        assert livecheck._prepare_case_name("other.test_x") == "other.test_x"
        case = Mock(name="case")
        livecheck.cases["proj.app.test_x"] = case
        assert livecheck.find_case("__main__.test_x") is case
        assert livecheck.find_case("nope") is None


class TestSignalBookkeeping:
    async def test_resolved_before_wait(self, livecheck: LiveCheck) -> None:
        event = SignalEvent(signal_name="s", case_name="c", key="t1", value=1)
        livecheck.resolve_signal_event(("s", "c", "t1"), event)
        assert await livecheck.wait_for_signal_event(("s", "c", "t1")) is event

    async def test_wait_then_resolve(self, livecheck: LiveCheck) -> None:
        waiter = livecheck.wait_for_signal_event(("s", "c", "t1"))
        assert not waiter.done()
        event = SignalEvent(signal_name="s", case_name="c", key="t1", value=1)
        livecheck.resolve_signal_event(("s", "c", "t1"), event)
        assert await waiter is event

    async def test_forget_drops_values_and_cancels_waiters(
        self, livecheck: LiveCheck
    ) -> None:
        case = Mock(name="case", signals={"s": None, "u": None})
        case.name = "c"
        livecheck.resolve_signal_event(("s", "c", "t1"), Mock())
        waiter = livecheck.wait_for_signal_event(("u", "c", "t1"))
        livecheck.forget_signal_events(case, "t1")
        assert waiter.cancelled()
        assert not livecheck._resolved

    def test_resolved_signals_are_bounded(
        self, livecheck: LiveCheck, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("faust.livecheck.app.MAX_RESOLVED_SIGNALS", 2)
        for i in range(3):
            livecheck.resolve_signal_event(("s", "c", i), Mock())
        assert list(livecheck._resolved) == [("s", "c", 1), ("s", "c", 2)]


class TestHeaders:
    @pytest.mark.parametrize("headers", [[], {}], ids=["list", "dict"])
    def test_added_while_a_test_is_current(
        self, livecheck: LiveCheck, headers: Any
    ) -> None:
        livecheck.on_produce_attach_test_headers(headers=headers)
        assert not headers
        with current_test_stack.push(make_test()):
            livecheck.on_produce_attach_test_headers(headers=headers)
        assert dict(headers)["LiveCheck-Test-Id"] == b"t1"

    def test_unsupported_headers(self, livecheck: LiveCheck) -> None:
        with current_test_stack.push(make_test()), pytest.raises(TypeError):
            livecheck.on_produce_attach_test_headers(headers=("a", b"b"))

    def test_target_app_signal_reaches_receiver(
        self, target: faust.App, livecheck: LiveCheck
    ) -> None:
        headers: list[tuple[str, bytes]] = []
        with current_test_stack.push(make_test()):
            target.on_produce_message.send(headers=headers)
        assert ("LiveCheck-Test-Id", b"t1") in headers


def test_sensor_sets_current_test_while_processing() -> None:
    sensor = LiveCheckSensor()
    test = make_test()
    event = Mock(headers={k: v.encode() for k, v in test.as_headers().items()})
    state = sensor.on_stream_event_in(Mock(), 0, Mock(), event)
    assert current_test() == test
    sensor.on_stream_event_out(Mock(), 0, Mock(), event, state)
    assert current_test() is None
    plain = Mock(headers={})
    state = sensor.on_stream_event_in(Mock(), 1, Mock(), plain)
    sensor.on_stream_event_out(Mock(), 1, Mock(), plain, state)
    assert state is None and current_test() is None


class TestSignal:
    @pytest.fixture
    def case(self, livecheck: LiveCheck) -> Case:
        @livecheck.case()
        class test_sig(Case):
            done: Signal[str]

            async def run(self) -> None: ...

        return test_sig

    async def test_send_outside_a_test_does_nothing(
        self, case: Case, livecheck: LiveCheck, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        sent = Mock(name="send")
        monkeypatch.setattr(type(livecheck.bus), "send", sent)
        await case.done.send("x")  # type: ignore[attr-defined]
        sent.assert_not_called()
        with pytest.raises(TypeError, match="needs key="):
            await case.done.send("x", force=True)  # type: ignore[attr-defined]

    async def test_send_during_a_test(
        self, case: Case, livecheck: LiveCheck, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[dict[str, Any]] = []

        async def send(self: Any, **kwargs: Any) -> None:
            calls.append(kwargs)

        monkeypatch.setattr(type(livecheck.bus), "send", send)
        with current_test_stack.push(make_test("t9")):
            await case.done.send("x")  # type: ignore[attr-defined]
        await case.done.send("y", key="k2", force=True)  # type: ignore[attr-defined]
        assert [c["key"] for c in calls] == ["t9", "k2"]
        event = calls[0]["value"]
        assert (event.signal_name, event.case_name, event.value) == (
            "done",
            case.name,
            "x",
        )

    async def test_wait_outside_a_test(self, case: Case) -> None:
        with pytest.raises(RuntimeError, match="outside a running test"):
            await case.done.wait(timeout=0.01)  # type: ignore[attr-defined]

    def test_repr_clone_and_base_class(self, case: Case) -> None:
        signal: BaseSignal[str] = case.done  # type: ignore[attr-defined]
        assert repr(signal) == "<Signal: done>"
        other = signal.clone(index=7)
        assert (other.name, other.case, other.index) == ("done", case, 7)

    async def test_base_signal_is_abstract(self) -> None:
        signal: BaseSignal[Any] = BaseSignal("x")
        with pytest.raises(NotImplementedError):
            await signal.send()
        with pytest.raises(NotImplementedError):
            await signal.wait()


async def test_trigger_sends_a_test_request(
    livecheck: LiveCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    @livecheck.case(probability=0.0)
    class test_trig(Case):
        async def run(self, side: str) -> None: ...

    calls: list[dict[str, Any]] = []

    async def send(self: Any, **kwargs: Any) -> None:
        calls.append(kwargs)

    monkeypatch.setattr(type(livecheck.pending_tests), "send", send)
    async with test_trig.maybe_trigger("o1", side="sell") as test:
        assert test is None  # probability 0
    test_trig.probability = 1.0
    async with test_trig.maybe_trigger("o2", "x", side="sell") as test:
        assert test is not None and current_test() is test
    assert current_test() is None
    (call,) = calls
    request = call["value"]
    assert (call["key"], request.id, request.case_name) == ("o2", "o2", test_trig.name)
    assert (request.test_args, request.test_kwargs) == (["x"], {"side": "sell"})
    assert request.expires - request.timestamp == timedelta(hours=3)
    generated = await test_trig.trigger()
    assert len(generated.id) == 36  # a UUID
    await asyncio.sleep(0)


async def test_producer_started_by_the_tested_app_is_stopped_with_it(
    target: faust.App, livecheck: LiveCheck
) -> None:
    from unittest.mock import AsyncMock

    producer = Mock(name="producer", started=True, flush=AsyncMock(), stop=AsyncMock())
    livecheck.__dict__["producer"] = producer
    await target.on_before_shutdown.send()
    producer.flush.assert_awaited_once_with()
    producer.stop.assert_awaited_once_with()


async def test_agents_installed_once_before_start(livecheck: LiveCheck) -> None:
    livecheck.install_agents()
    livecheck.install_agents()
    names = sorted(livecheck.agents)
    assert names == [f"{livecheck.conf.id}.signals", f"{livecheck.conf.id}.tests"]
    assert livecheck.agents[names[1]].concurrency == livecheck.test_concurrency
