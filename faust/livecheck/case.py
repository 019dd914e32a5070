"""Test cases: what a LiveCheck test checks, and the state of the suite.

A case is a :class:`mode.Service` created by ``@livecheck.case()`` from a
class with an ``async def run(self, *args, **kwargs)`` method and
:class:`~.signals.Signal` annotations.  The decorated name is the case
instance: production code triggers tests with ``case.maybe_trigger()`` (or
``case.trigger()``) and reports steps with ``case.<signal>.send()``.

Owner: the LiveCheck app (started with it, once the app has started).
Tasks: ``_sampler`` (every 10 s: median frequency/latency/runtime),
``_send_frequency`` (with ``frequency``: ``make_fake_request()`` on the
leader), ``_check_frequency`` (after ``warn_stalled_after`` without tests:
the suite is stalled).

State: each failed test adds to ``consecutive_failures``; at
``max_consecutive_failures`` the suite fails (:exc:`~.exceptions.SuiteFailed`,
reported with ``test=None``).  A passing test issued after the last failure
brings the case back to PASS once ``state_transition_delay`` has passed.
"""

from __future__ import annotations

import traceback
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from random import uniform
from statistics import median
from time import monotonic, time
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Union

from mode import Seconds, Service, want_seconds
from yarl import URL

from faust.utils import uuid

from .exceptions import ServiceDown, SuiteFailed, SuiteStalled
from .locals import current_execution_stack, current_test_stack
from .models import SignalEvent, State, TestExecution, TestReport, utcnow
from .runners import TestRunner
from .signals import BaseSignal

if TYPE_CHECKING:  # pragma: no cover
    from .app import LiveCheck

__all__ = ["Case"]


def _push(history: deque[float], value: float, maxlen: int) -> None:
    history.append(value)
    while len(history) > maxlen:
        history.popleft()


class Case(Service):
    """A LiveCheck test case (see the module docstring).

    Arguments:
        app: the LiveCheck app.
        name: the case name (module and qualified class name).
        probability: chance that ``maybe_trigger()`` starts a test (0.5).
        warn_stalled_after: seconds without tests before the suite is
            reported stalled (1800).
        active: run the tests (inactive cases skip them).
        signals: the case's signals (copied and bound to this case).
        test_expires: tests older than this are skipped (3 hours).
        frequency: seconds between ``make_fake_request()`` calls (None: none).
        realtime_logs: log each line of a test when it happens.
        max_history: samples kept for the median statistics (100).
        max_consecutive_failures: failed tests before the suite fails (30).
        url_timeout_total: total timeout of :meth:`url_request` (300 s).
        url_timeout_connect: connect timeout of :meth:`url_request`.
        url_error_retries: retries of a failing request (10).
        url_error_delay_min: first delay between retries (0.5 s).
        url_error_delay_backoff: delay multiplier per retry (1.5).
        url_error_delay_max: longest delay between retries (5 s).
        **kwargs: passed to :class:`mode.Service`.
    """

    Runner: ClassVar[type[TestRunner]] = TestRunner

    app: LiveCheck
    name: str
    active: bool = True
    status: State = State.INIT
    frequency: Optional[float] = None
    warn_stalled_after: float = 1800.0
    probability: float = 0.5
    max_consecutive_failures: int = 30
    last_test_received: Optional[float] = None
    last_fail: Optional[float] = None
    #: wall-clock time (``time.time()``) of the last suite failure
    last_fail_time: Optional[float] = None
    max_history: int = 100
    runtime_avg: Optional[float] = None
    latency_avg: Optional[float] = None
    frequency_avg: Optional[float] = None
    test_expires: timedelta = timedelta(hours=3)
    realtime_logs: bool = False
    url_timeout_total: Optional[float] = 5 * 60.0
    url_timeout_connect: Optional[float] = None
    url_error_retries: int = 10
    url_error_delay_min: float = 0.5
    url_error_delay_backoff: float = 1.5
    url_error_delay_max: float = 5.0
    state_transition_delay: float = 60.0
    consecutive_failures: int = 0
    total_failures: int = 0

    def __init__(
        self,
        *,
        app: LiveCheck,
        name: str,
        probability: Optional[float] = None,
        warn_stalled_after: Optional[Seconds] = None,
        active: Optional[bool] = None,
        signals: Optional[Iterable[BaseSignal[Any]]] = None,
        test_expires: Optional[Seconds] = None,
        frequency: Optional[Seconds] = None,
        realtime_logs: Optional[bool] = None,
        max_history: Optional[int] = None,
        max_consecutive_failures: Optional[int] = None,
        url_timeout_total: Optional[float] = None,
        url_timeout_connect: Optional[float] = None,
        url_error_retries: Optional[int] = None,
        url_error_delay_min: Optional[float] = None,
        url_error_delay_backoff: Optional[float] = None,
        url_error_delay_max: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.name = name
        given: dict[str, Any] = {
            "active": active,
            "probability": probability,
            "realtime_logs": realtime_logs,
            "max_history": max_history,
            "max_consecutive_failures": max_consecutive_failures,
            "url_timeout_total": url_timeout_total,
            "url_timeout_connect": url_timeout_connect,
            "url_error_retries": url_error_retries,
            "url_error_delay_min": url_error_delay_min,
            "url_error_delay_backoff": url_error_delay_backoff,
            "url_error_delay_max": url_error_delay_max,
        }
        for attr, value in given.items():
            if value is not None:
                setattr(self, attr, value)
        if warn_stalled_after is not None:
            self.warn_stalled_after = want_seconds(warn_stalled_after)
        if test_expires is not None:
            self.test_expires = timedelta(seconds=want_seconds(test_expires))
        if frequency is not None:
            self.frequency = want_seconds(frequency)
        self.signals: dict[str, BaseSignal[Any]] = {
            sig.name: sig.clone(case=self) for sig in signals or ()
        }
        self.total_signals = len(self.signals)
        # the instance attributes are the signals bound to this case
        self.__dict__.update(self.signals)
        self.frequency_history: deque[float] = deque()
        self.latency_history: deque[float] = deque()
        self.runtime_history: deque[float] = deque()
        self.total_by_state: Counter[State] = Counter()
        super().__init__(**kwargs)

    # -- statistics ---------------------------------------------------------

    @Service.timer(10.0)
    async def _sampler(self) -> None:
        await self._sample()

    async def _sample(self) -> None:
        if self.frequency_history:
            self.frequency_avg = median(self.frequency_history)
        if self.latency_history:
            self.latency_avg = median(self.latency_history)
        if self.runtime_history:
            self.runtime_avg = median(self.runtime_history)
        self.log.info(
            "Stats: (median) frequency=%r latency=%r runtime=%r",
            self.frequency_avg,
            self.latency_avg,
            self.runtime_avg,
        )

    # -- triggering tests ---------------------------------------------------

    @asynccontextmanager
    async def maybe_trigger(
        self, id: Optional[str] = None, *args: Any, **kwargs: Any
    ) -> AsyncIterator[Optional[TestExecution]]:
        """Start a test with :attr:`probability`; make it current in the block.

        Yields the :class:`~.models.TestExecution` (None when no test was
        started).  Messages sent and HTTP requests made in the block carry
        the test's headers.
        """
        if uniform(0, 1) < self.probability:
            execution = await self.trigger(id, *args, **kwargs)
            with current_test_stack.push(execution):
                yield execution
        else:
            yield None

    async def trigger(
        self, id: Optional[str] = None, *args: Any, **kwargs: Any
    ) -> TestExecution:
        """Ask the LiveCheck app to run a test now, with ``args``/``kwargs``."""
        now = utcnow()
        execution = TestExecution(
            id=id or uuid(),
            case_name=self.name,
            timestamp=now,
            test_args=list(args),
            test_kwargs=kwargs,
            expires=now + self.test_expires,
        )
        await self.app.pending_tests.send(key=execution.id, value=execution)
        return execution

    async def run(self, *test_args: Any, **test_kwargs: Any) -> None:
        """Override this to define the test."""
        raise NotImplementedError("Case class must implement run")

    async def resolve_signal(self, key: str, event: SignalEvent) -> None:
        """A signal for test ``key`` arrived on the bus."""
        await self.signals[event.signal_name].resolve(key, event)

    async def execute(self, test: TestExecution) -> None:
        """Run ``test`` with a :attr:`Runner`."""
        runner = self.Runner(self, test, started=monotonic())
        with current_execution_stack.push(runner):
            await runner.execute()

    # -- outcomes -------------------------------------------------------------

    async def on_test_start(self, runner: TestRunner) -> None:
        """A test starts: update the frequency/latency statistics."""
        started = runner.started
        previous, self.last_test_received = self.last_test_received, started
        if previous:
            since = started - previous
            if self.frequency:
                _push(self.latency_history, since - self.frequency, self.max_history)
            _push(self.frequency_history, since, self.max_history)

    async def on_test_skipped(self, runner: TestRunner) -> None:
        """A test was skipped (still counts as activity)."""
        self.last_test_received = monotonic()

    async def on_test_failed(self, runner: TestRunner, exc: BaseException) -> None:
        """A test failed an assertion."""
        await self._set_test_error_state(State.FAIL)

    async def on_test_error(self, runner: TestRunner, exc: BaseException) -> None:
        """A test raised an exception."""
        await self._set_test_error_state(State.ERROR)

    async def on_test_timeout(self, runner: TestRunner, exc: BaseException) -> None:
        """A test timed out waiting for a signal."""
        await self._set_test_error_state(State.TIMEOUT)

    async def _set_test_error_state(self, state: State) -> None:
        self.status = state
        self.consecutive_failures += 1
        self.total_failures += 1
        self.total_by_state[state] += 1
        if self.consecutive_failures >= self.max_consecutive_failures:
            failed = SuiteFailed(
                f"Failed after {self.consecutive_failures!r} "
                f"(max={self.max_consecutive_failures!r})"
            )
            await self.on_suite_fail(failed)

    async def on_test_pass(self, runner: TestRunner) -> None:
        """A test passed: failures are no longer consecutive."""
        _push(self.runtime_history, runner.runtime or 0.0, self.max_history)
        self.total_by_state[State.PASS] += 1
        self.consecutive_failures = 0
        issued = runner.test.timestamp.timestamp()
        if self.last_fail_time is None or issued > self.last_fail_time:
            self._maybe_recover_from_failed_state()

    async def post_report(self, report: TestReport) -> None:
        """Send ``report`` (see :meth:`LiveCheck.post_report`).

        A report in state ``State.DO_NOT_SHARE`` is not sent.
        """
        if report.state is State.DO_NOT_SHARE:
            return
        await self.app.post_report(report)

    async def on_suite_fail(
        self, exc: SuiteFailed, new_state: State = State.FAIL
    ) -> None:
        """The suite failed: log and report it (at most once per delay)."""
        report = self.status.is_ok() or self._failed_longer_than(
            self.state_transition_delay
        )
        self.status = new_state
        self.last_fail = monotonic()
        self.last_fail_time = time()
        if report:
            self.log.error("%s", exc)
            await self.post_report(
                TestReport(
                    case_name=self.name,
                    state=new_state,
                    test=None,
                    runtime=None,
                    signal_latency={},
                    error=str(exc),
                    traceback="".join(traceback.format_tb(exc.__traceback__)),
                )
            )

    def _maybe_recover_from_failed_state(self) -> None:
        if self.status != State.PASS and self._failed_longer_than(
            self.state_transition_delay
        ):
            self.status = State.PASS

    def _failed_longer_than(self, secs: float) -> bool:
        since = self.seconds_since_last_fail
        return since is None or since > secs

    @property
    def seconds_since_last_fail(self) -> Optional[float]:
        """Seconds since the suite last failed (None: never)."""
        last_fail = self.last_fail
        return monotonic() - last_fail if last_fail else None

    # -- fake traffic and stall detection -------------------------------------

    @Service.task
    async def _send_frequency(self) -> None:
        frequency = self.frequency
        if frequency:
            async for _ in self.itertimer(frequency, name=f"{self.name}_send"):
                if self.app.is_leader():
                    await self.make_fake_request()

    async def make_fake_request(self) -> None:
        """Override to make the request that triggers a test (``frequency``)."""

    @Service.task
    async def _check_frequency(self) -> None:
        timeout = self.warn_stalled_after
        await self.sleep(timeout)
        self.last_test_received = None
        time_start = monotonic()
        async for _ in self.itertimer(timeout, name=f"{self.name}._wempty"):
            await self._check_stalled(time_start)

    async def _check_stalled(self, time_start: float) -> None:
        now = monotonic()
        last = self.last_test_received
        since = now - (last if last is not None else time_start)
        if since > self.warn_stalled_after:
            stalled = SuiteStalled(
                f"Test stalled! Last received {since:.1f} seconds ago "
                f"(warn_stalled_after={self.warn_stalled_after})."
            )
            await self.on_suite_fail(stalled, State.STALL)
        else:
            self._maybe_recover_from_failed_state()

    # -- HTTP helpers ---------------------------------------------------------

    async def get_url(self, url: Union[str, URL], **kwargs: Any) -> Optional[bytes]:
        """GET ``url`` (see :meth:`url_request`)."""
        return await self.url_request("get", url, **kwargs)

    async def post_url(self, url: Union[str, URL], **kwargs: Any) -> Optional[bytes]:
        """POST to ``url`` (see :meth:`url_request`)."""
        return await self.url_request("post", url, **kwargs)

    async def url_request(
        self, method: str, url: Union[str, URL], **kwargs: Any
    ) -> Optional[bytes]:
        """Make an HTTP request, retrying with backoff; the body, or None.

        The current test's headers are added.  When every retry failed the
        suite fails with :exc:`~.exceptions.ServiceDown` and None is returned.
        """
        from .patches.aiohttp import request_with_retries

        try:
            body = await request_with_retries(self, method, url, **kwargs)
        except ServiceDown as exc:
            await self.on_suite_fail(exc)
            return None
        self._maybe_recover_from_failed_state()
        return body

    @property
    def current_test(self) -> Optional[TestExecution]:
        """The test the current code runs for, if any."""
        return current_test_stack.top

    @property
    def current_execution(self) -> Optional[TestRunner]:
        """The :class:`TestRunner` running in this task, if any."""
        return current_execution_stack.top

    @property
    def label(self) -> str:
        """``ClassName: case name``."""
        return f"{type(self).__name__}: {self.name}"
