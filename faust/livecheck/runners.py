"""The test runner: runs one test of a case and reports its outcome.

For each :class:`~.models.TestExecution` read from the test topic, the
LiveCheck app calls ``case.execute(test)``, which creates a
:class:`TestRunner`.  The runner skips tests of inactive cases and expired
tests, calls ``case.run(*args, **kwargs)`` with the current test set, and
turns the outcome into a state and a :class:`~.models.TestReport`:

========================  =========  ===============================
``run`` ...               state      raises (to the app, which logs)
========================  =========  ===============================
returns                   PASS       -
fails an ``assert``       FAIL       :exc:`LiveCheckTestFailed`
raises another error      ERROR      :exc:`LiveCheckTestRaised`
waits too long (signal)   TIMEOUT    :exc:`LiveCheckTestTimeout`
is skipped                SKIP       :exc:`LiveCheckTestSkipped`
========================  =========  ===============================

Log lines of a test are kept and written together when it ends (unless the
case has ``realtime_logs``), prefixed with the test's short identifier.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from time import monotonic
from typing import TYPE_CHECKING, Any, NoReturn, Optional

from faust.models import maybe_model

from .exceptions import (
    LiveCheckError,
    LiveCheckTestFailed,
    LiveCheckTestRaised,
    LiveCheckTestSkipped,
    LiveCheckTestTimeout,
)
from .locals import current_test_stack
from .models import State, TestExecution, TestReport

if TYPE_CHECKING:  # pragma: no cover
    from .case import Case
    from .signals import BaseSignal

__all__ = ["TestRunner"]


class TestRunner:
    """Runs one test and keeps track of it.

    Arguments:
        case: the test case.
        test: the test to run.
        started: :func:`time.monotonic` when it was received.
    """

    __test__ = False  # not a pytest test class

    state: State = State.INIT
    report: Optional[TestReport] = None
    error: Optional[BaseException] = None

    def __init__(self, case: Case, test: TestExecution, started: float) -> None:
        self.case = case
        self.test = test
        self.started = started
        self.ended: Optional[float] = None
        self.runtime: Optional[float] = None
        self.logs: list[tuple[str, tuple[Any, ...]]] = []
        self.signal_latency: dict[str, float] = {}
        self.log = logging.getLogger(f"{type(case).__module__}.livecheck")

    async def execute(self) -> None:
        """Run the test (see the module docstring for the outcomes)."""
        test = self.test
        with current_test_stack.push(test):
            try:
                if not self.case.active:
                    await self.skip("case inactive")
                if test.is_expired:
                    await self.skip("expired")
                args = tuple(maybe_model(arg) for arg in test.test_args)
                kwargs = {k: maybe_model(v) for k, v in test.test_kwargs.items()}
                await self.on_start()
                await self._run(args, kwargs)
            finally:
                self.case.app.forget_signal_events(self.case, test.id)

    async def _run(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            await self.case.run(*args, **kwargs)
        except asyncio.CancelledError:
            raise
        except LiveCheckTestSkipped as exc:
            await self.on_skipped(exc)
            raise
        except LiveCheckTestTimeout as exc:
            await self.on_timeout(exc)
            raise
        except AssertionError as exc:
            await self.on_failed(exc)
            raise LiveCheckTestFailed(exc) from exc
        except LiveCheckError as exc:
            await self.on_error(exc)
            raise
        except Exception as exc:
            await self.on_error(exc)
            raise LiveCheckTestRaised(exc) from exc
        else:
            await self.on_pass()

    async def skip(self, reason: str) -> NoReturn:
        """Skip this test.

        Raises:
            LiveCheckTestSkipped: always.
        """
        exc = LiveCheckTestSkipped(f"Test {self.test.ident} skipped: {reason}")
        await self.on_skipped(exc)
        raise exc

    def _format_log(self, msg: str) -> str:
        return f"[{self.test.shortident}] {msg}"

    async def on_skipped(self, exc: LiveCheckTestSkipped) -> None:
        """The test was skipped."""
        self.state = State.SKIP
        self.log.info(self._format_log("%s (expires=%s)"), exc, self.test.expires)
        await self.case.on_test_skipped(self)

    async def on_start(self) -> None:
        """The test starts."""
        self.log_info(
            "=== Test %s executing... (issued %s) ===",
            self.case.name,
            self.test.human_date,
        )
        await self.case.on_test_start(self)

    async def on_signal_wait(
        self, signal: BaseSignal[Any], timeout: Optional[float]
    ) -> None:
        """The test starts waiting for ``signal``."""
        self.log_info(
            "... %r/%r %s (%rs)...",
            signal.index,
            self.case.total_signals,
            signal.name.upper(),
            timeout,
        )

    async def on_signal_received(
        self, signal: BaseSignal[Any], time_start: float, time_end: float
    ) -> None:
        """``signal`` arrived: record how long the test waited for it."""
        self.signal_latency[signal.name] = time_end - time_start

    async def on_failed(self, exc: BaseException) -> None:
        """An assertion of the test failed."""
        await self._on_error(State.FAIL, exc, "Test failed: %r")
        await self.case.on_test_failed(self, exc)
        await self._finalize_report()

    async def on_error(self, exc: BaseException) -> None:
        """The test raised an exception."""
        await self._on_error(State.ERROR, exc, "Test raised: %r")
        await self.case.on_test_error(self, exc)
        await self._finalize_report()

    async def on_timeout(self, exc: BaseException) -> None:
        """The test waited too long for a signal."""
        await self._on_error(State.TIMEOUT, exc, "Test timed-out: %r")
        await self.case.on_test_timeout(self, exc)
        await self._finalize_report()

    async def _on_error(self, state: State, exc: BaseException, msg: str) -> None:
        self.end()
        self.error = exc
        self.state = state
        self._flush_logs(logging.ERROR)
        self.log.error(self._format_log(msg), exc, exc_info=exc)

    async def on_pass(self) -> None:
        """The test passed."""
        self.end()
        self.error = None
        self.state = State.PASS
        self.log_info("Test OK in %.3fs", self.runtime or 0.0)
        self._flush_logs(logging.INFO)
        await self.case.on_test_pass(self)
        await self._finalize_report()

    async def _finalize_report(self) -> None:
        error = self.error
        self.report = TestReport(
            case_name=self.case.name,
            state=self.state,
            test=self.test,
            runtime=self.runtime,
            signal_latency=self.signal_latency,
            error=str(error) if error is not None else None,
            traceback=(
                "".join(traceback.format_tb(error.__traceback__))
                if error is not None
                else None
            ),
        )
        await self.case.post_report(self.report)

    def log_info(self, msg: str, *args: Any) -> None:
        """Log for this test (kept until the test ends unless ``realtime_logs``)."""
        if self.case.realtime_logs:
            self.log.info(self._format_log(msg), *args)
        else:
            self.logs.append((msg, args))

    def end(self) -> None:
        """Record the end time and runtime."""
        self.ended = monotonic()
        self.runtime = self.ended - self.started

    def _flush_logs(self, severity: int) -> None:
        logs, self.logs = self.logs, []
        if logs:
            self.log.log(
                severity,
                "\n".join(self._format_log(msg % args) for msg, args in logs),
            )
