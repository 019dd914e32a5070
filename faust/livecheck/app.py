"""The LiveCheck app: end-to-end tests of a running app, in production.

``livecheck = app.LiveCheck()`` creates a second app, ``livecheck-{app id}``,
configured like ``app`` (web port 9999), and attaches it to ``app``:

* a sensor on ``app`` makes the test named by an event's
  ``LiveCheck-Test-*`` headers current while a stream processes it;
* messages ``app`` (and the LiveCheck app) send while a test is current
  carry the test's headers (``on_produce_message``), and so do HTTP requests
  made with ``app.http_client``; the web server of ``app`` reads them from
  incoming requests.

The LiveCheck app runs in its own worker (``faust -A proj livecheck``) and
has two agents: one reads the test topic (``livecheck``) and runs each test
with its case (``test_concurrency`` at a time), the other reads signals from
the bus topic (``livecheck-bus``) and wakes the tests waiting for them.  Test
outcomes go to the report topic (``livecheck-report``) unless
``send_reports=False``.
"""

from __future__ import annotations

import asyncio
import typing
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from datetime import timedelta
from typing import Any, ClassVar, Optional

from mode import Seconds

from faust.app import App
from faust.exceptions import AlreadyConfiguredWarning
from faust.sensors import Sensor
from faust.types import TP, AppT, EventT, StreamT, TopicT

from .case import Case
from .exceptions import LiveCheckError
from .locals import current_test, current_test_stack
from .models import SignalEvent, TestExecution, TestReport
from .signals import BaseSignal, Signal, signal_annotations

__all__ = ["LiveCheck", "LiveCheckSensor"]

#: Autodiscovery category of test cases.
SCAN_CASE = "livecheck.case"

#: Resolved signals kept for tests that have not asked for them yet.
MAX_RESOLVED_SIGNALS = 10_000

_SignalKey = tuple[str, str, Any]

#: the Case class (``LiveCheck.Case`` names it too, as in Faust)
_Case = Case


class LiveCheckSensor(Sensor):
    """Makes the test named by an event's headers current while it is processed."""

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> Any:
        """Push the event's test (if any) for the duration of its processing."""
        test = TestExecution.from_headers(event.headers)
        if test is not None:
            current_test_stack.push_without_automatic_cleanup(test)
            return True
        return None

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: Any = None,
    ) -> None:
        """Pop the test pushed for the event."""
        if state is True:
            current_test_stack.pop()


def _add_test_headers(headers: Any, test: TestExecution) -> None:
    items = [(k, v.encode()) for k, v in test.as_headers().items()]
    if isinstance(headers, MutableMapping):
        headers.update(items)
    elif isinstance(headers, list):
        headers.extend(items)
    else:
        raise TypeError(f"Cannot add LiveCheck headers to {type(headers).__name__}")


class LiveCheck(App):
    """The LiveCheck app (see the module docstring).

    Arguments:
        id: the app id.
        test_topic_name: topic of test requests (``livecheck``).
        bus_topic_name: topic of signals (``livecheck-bus``).
        report_topic_name: topic of test reports (``livecheck-report``).
        bus_concurrency: signals processed at once (30).
        test_concurrency: tests run at once (100).
        send_reports: send reports to the report topic (True).
        **kwargs: settings, as for :class:`faust.App`.
    """

    SCAN_CATEGORIES: ClassVar[list[str]] = [
        "faust.agent",
        "faust.command",
        "faust.page",
        "faust.service",
        "faust.task",
        SCAN_CASE,
    ]

    Signal: ClassVar[type[BaseSignal[Any]]] = Signal
    Case: ClassVar[type[_Case]] = _Case

    bus_concurrency: int = 30
    test_concurrency: int = 100
    send_reports: bool = True
    test_topic_name: str = "livecheck"
    bus_topic_name: str = "livecheck-bus"
    report_topic_name: str = "livecheck-report"

    @classmethod
    def for_app(
        cls,
        app: AppT,
        *,
        prefix: str = "livecheck-",
        web_port: int = 9999,
        test_topic_name: Optional[str] = None,
        bus_topic_name: Optional[str] = None,
        report_topic_name: Optional[str] = None,
        bus_concurrency: Optional[int] = None,
        test_concurrency: Optional[int] = None,
        send_reports: Optional[bool] = None,
        **kwargs: Any,
    ) -> LiveCheck:
        """Create the LiveCheck app of ``app``, configured like it.

        Arguments:
            app: the app to test.
            prefix: prefix of the LiveCheck app id.
            web_port: port of the LiveCheck app's web server.
            test_topic_name: see :class:`LiveCheck`.
            bus_topic_name: see :class:`LiveCheck`.
            report_topic_name: see :class:`LiveCheck`.
            bus_concurrency: see :class:`LiveCheck`.
            test_concurrency: see :class:`LiveCheck`.
            send_reports: see :class:`LiveCheck`.
            **kwargs: settings overriding those of ``app``.
        """
        app_id, app_options = app._default_options  # type: ignore[attr-defined]  # App keeps its constructor arguments
        livecheck = cls(
            f"{prefix}{app_id}",
            test_topic_name=test_topic_name,
            bus_topic_name=bus_topic_name,
            report_topic_name=report_topic_name,
            bus_concurrency=bus_concurrency,
            test_concurrency=test_concurrency,
            send_reports=send_reports,
            **{**app_options, "web_port": web_port, **kwargs},
        )
        livecheck.contribute_to_app(app)
        return livecheck

    def __init__(
        self,
        id: str,
        *,
        test_topic_name: Optional[str] = None,
        bus_topic_name: Optional[str] = None,
        report_topic_name: Optional[str] = None,
        bus_concurrency: Optional[int] = None,
        test_concurrency: Optional[int] = None,
        send_reports: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        # a test holds its event while it waits for signals: a rebalance
        # must not wait for running tests (they may need the new assignment)
        kwargs.setdefault("stream_wait_empty", False)
        super().__init__(id, **kwargs)
        given: dict[str, Any] = {
            "test_topic_name": test_topic_name,
            "bus_topic_name": bus_topic_name,
            "report_topic_name": report_topic_name,
            "bus_concurrency": bus_concurrency,
            "test_concurrency": test_concurrency,
            "send_reports": send_reports,
        }
        for attr, value in given.items():
            if value is not None:
                setattr(self, attr, value)
        self.cases: dict[str, _Case] = {}
        self._resolved: OrderedDict[_SignalKey, SignalEvent] = OrderedDict()
        self._waiters: dict[_SignalKey, list[asyncio.Future[SignalEvent]]] = {}
        self._bus: Optional[TopicT[Any]] = None
        self._pending_tests: Optional[TopicT[Any]] = None
        self._reports: Optional[TopicT[Any]] = None
        receiver: Any = self.on_produce_attach_test_headers
        self.on_produce_message.connect(receiver)
        self._agents_installed = False

    # -- the tested app ---------------------------------------------------------

    def contribute_to_app(self, app: AppT) -> None:
        """Attach to ``app``: sensor, headers on sends and HTTP, ``app.livecheck``."""
        app.sensors.add(LiveCheckSensor())
        add_headers: Any = self.on_produce_attach_test_headers
        on_shutdown: Any = self._on_target_shutdown
        app.on_produce_message.connect(add_headers)
        app.on_before_shutdown.connect(on_shutdown)
        self._wrap_http_client(app)
        if app.conf.web_enabled:
            web_app = getattr(app.web, "web_app", None)
            if web_app is not None:
                from .patches.aiohttp import livecheck_middleware

                web_app.middlewares.append(livecheck_middleware)
        app.livecheck = self

    def _wrap_http_client(self, app: AppT) -> None:
        if "http_client" in app.__dict__:  # created already: cannot wrap
            return
        from .patches.aiohttp import client_session_factory

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AlreadyConfiguredWarning)
            base = app.conf.HttpClient
            if not hasattr(base, "livecheck_base"):
                app.conf.HttpClient = client_session_factory(base)

    async def _on_target_shutdown(self, sender: Any = None, **kwargs: Any) -> None:
        # the tested app started our producer to send test requests/signals
        if not self.started:
            producer = self.__dict__.get("producer")
            if producer is not None and producer.started:
                await producer.flush()
                await producer.stop()

    def on_produce_attach_test_headers(
        self,
        sender: Any = None,
        key: Any = None,
        value: Any = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Any = None,
        signal: Any = None,
        **kwargs: Any,
    ) -> None:
        """Add the current test's headers to a message being sent.

        Connected to ``app.on_produce_message``; only ``headers`` is used.
        """
        test = current_test()
        if test is not None and headers is not None:
            _add_test_headers(headers, test)

    @property
    def current_test(self) -> Optional[TestExecution]:
        """The test the current code runs for, if any."""
        return current_test()

    # -- cases ------------------------------------------------------------------

    def case(
        self,
        *,
        name: Optional[str] = None,
        probability: Optional[float] = None,
        warn_stalled_after: Seconds = timedelta(minutes=30),
        active: Optional[bool] = None,
        test_expires: Optional[Seconds] = None,
        frequency: Optional[Seconds] = None,
        max_history: Optional[int] = None,
        max_consecutive_failures: Optional[int] = None,
        url_timeout_total: Optional[float] = None,
        url_timeout_connect: Optional[float] = None,
        url_error_retries: Optional[int] = None,
        url_error_delay_min: Optional[float] = None,
        url_error_delay_backoff: Optional[float] = None,
        url_error_delay_max: Optional[float] = None,
        base: Optional[type[_Case]] = None,
    ) -> Callable[[type], _Case]:
        """Class decorator: turn a class into a test case of this app.

        The class needs ``async def run(self, *args, **kwargs)``; its
        :class:`Signal` annotations become the case's signals.  The
        decorated name is the :class:`Case` instance.
        """
        options: dict[str, Any] = {
            "probability": probability,
            "warn_stalled_after": warn_stalled_after,
            "active": active,
            "test_expires": test_expires,
            "frequency": frequency,
            "max_history": max_history,
            "max_consecutive_failures": max_consecutive_failures,
            "url_timeout_total": url_timeout_total,
            "url_timeout_connect": url_timeout_connect,
            "url_error_retries": url_error_retries,
            "url_error_delay_min": url_error_delay_min,
            "url_error_delay_backoff": url_error_delay_backoff,
            "url_error_delay_max": url_error_delay_max,
        }
        base_case = base or self.Case

        def _inner(cls: type) -> _Case:
            bases = (cls,) if issubclass(cls, base_case) else (cls, base_case)
            case_cls: type[_Case] = type(
                cls.__name__,
                bases,
                {"__module__": cls.__module__, "__qualname__": cls.__qualname__},
            )
            signals = list(self._make_signals(case_cls, base_case))
            case_name = self._prepare_case_name(
                name or f"{cls.__module__}.{cls.__qualname__}"
            )
            return self.add_case(
                case_cls(app=self, name=case_name, signals=signals, **options)
            )

        return _inner

    def _make_signals(
        self, case_cls: type[_Case], base_case: type[_Case]
    ) -> Iterator[BaseSignal[Any]]:
        for index, (attr, typ) in enumerate(signal_annotations(case_cls, base_case)):
            signal = getattr(case_cls, attr, None)
            if not isinstance(signal, BaseSignal):
                signal = typ(name=attr, index=index + 1)
                setattr(case_cls, attr, signal)
            else:
                signal.name = signal.name or attr
                signal.index = index + 1
            yield signal

    def add_case(self, case: _Case) -> _Case:
        """Register ``case`` (run when a test of that name is received)."""
        self.cases[case.name] = case
        return case

    def _prepare_case_name(self, name: str) -> str:
        # a case defined in a script run as __main__ is named after origin
        # (when set), so that a worker importing the module finds the name
        origin = self.conf.origin
        if name.startswith("__main__.") and origin:
            return origin.partition(":")[0] + name[len("__main__") :]
        return name

    def find_case(self, name: str) -> Optional[_Case]:
        """The case named ``name`` (also found by its ``__main__`` name)."""
        case = self.cases.get(name)
        if case is None:
            case = self.cases.get(self._prepare_case_name(name))
        return case

    # -- signals ------------------------------------------------------------------

    def resolve_signal_event(self, key: _SignalKey, event: SignalEvent) -> None:
        """Store ``event`` under ``key`` and wake its waiters."""
        resolved = self._resolved
        resolved[key] = event
        resolved.move_to_end(key)
        while len(resolved) > MAX_RESOLVED_SIGNALS:
            resolved.popitem(last=False)
        for waiter in self._waiters.pop(key, ()):
            if not waiter.done():
                waiter.set_result(event)

    def wait_for_signal_event(self, key: _SignalKey) -> asyncio.Future[SignalEvent]:
        """A future for the signal event stored (or to be stored) under ``key``."""
        future: asyncio.Future[SignalEvent] = asyncio.get_running_loop().create_future()
        event = self._resolved.get(key)
        if event is not None:
            future.set_result(event)
        else:
            self._waiters.setdefault(key, []).append(future)
        return future

    def forget_signal_events(self, case: _Case, test_id: Any) -> None:
        """Drop the signals stored for a test that ended."""
        for signal_name in case.signals:
            key = (signal_name, case.name, test_id)
            self._resolved.pop(key, None)
            for waiter in self._waiters.pop(key, ()):
                waiter.cancel()

    # -- agents and topics --------------------------------------------------------

    def install_agents(self) -> None:
        """Define the agents running tests and reading signals (once)."""
        if self._agents_installed:
            return
        self._agents_installed = True
        self.agent(
            channel=self.bus,
            name=f"{self.conf.id}.signals",
            concurrency=self.bus_concurrency,
        )(self._populate_signals)
        self.agent(
            channel=self.pending_tests,
            name=f"{self.conf.id}.tests",
            concurrency=self.test_concurrency,
        )(self._execute_tests)

    def on_init_dependencies(self) -> typing.Iterable[Any]:
        """Define the agents before the app starts them."""
        if not (self.client_only or self.producer_only):
            self.install_agents()
        return super().on_init_dependencies()

    async def on_start(self) -> None:
        """Create the LiveCheck topics, so that no rebalance waits for them."""
        await super().on_start()
        if not (self.client_only or self.producer_only):
            for topic in (self.pending_tests, self.bus, self.reports):
                await topic.maybe_declare()

    async def on_started(self) -> None:
        """After the app started: start the cases."""
        await super().on_started()
        for case in self.cases.values():
            await self.add_runtime_dependency(case)

    async def _populate_signals(self, events: StreamT[Any]) -> None:
        async for test_id, event in events.items():
            case = self.find_case(event.case_name)
            if case is None:
                self.log.error(
                    "Received signal %r for unregistered case %r",
                    event,
                    (test_id, event.case_name),
                )
                continue
            await case.resolve_signal(test_id, event)

    async def _execute_tests(self, tests: StreamT[Any]) -> None:
        async for test_id, test in tests.items():
            case = self.find_case(test.case_name)
            if case is None:
                self.log.error(
                    "Unregistered test case %r with id %r: %r",
                    test.case_name,
                    test_id,
                    test,
                )
                continue
            try:
                await case.execute(test)
            except LiveCheckError:
                pass  # logged and reported by the runner

    async def post_report(self, report: TestReport) -> None:
        """Send ``report`` to the report topic (unless ``send_reports=False``)."""
        if self.send_reports:
            key = report.test.id if report.test is not None else None
            await self.reports.send(key=key, value=report)

    @property
    def bus(self) -> TopicT[Any]:
        """Topic of signals."""
        if self._bus is None:
            self._bus = self.topic(
                self.bus_topic_name, key_type=str, value_type=SignalEvent
            )
        return self._bus

    @property
    def pending_tests(self) -> TopicT[Any]:
        """Topic of test requests."""
        if self._pending_tests is None:
            self._pending_tests = self.topic(
                self.test_topic_name, key_type=str, value_type=TestExecution
            )
        return self._pending_tests

    @property
    def reports(self) -> TopicT[Any]:
        """Topic of test reports."""
        if self._reports is None:
            self._reports = self.topic(
                self.report_topic_name, key_type=str, value_type=TestReport
            )
        return self._reports
