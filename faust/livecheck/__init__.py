"""LiveCheck: end-to-end tests of a running system, in production or staging.

::

    livecheck = app.LiveCheck()

    @livecheck.case(warn_stalled_after=30.0, probability=0.5)
    class test_order(livecheck.Case):
        order_sent: Signal[Order]

        async def run(self, side: str) -> None:
            order = await self.order_sent.wait(timeout=30.0)
            assert order.side == side

See the user guide (``docs/userguide/livecheck.rst``).
"""

from __future__ import annotations

from .app import LiveCheck
from .case import Case
from .locals import current_execution, current_test
from .models import SignalEvent, State, TestExecution, TestReport
from .runners import TestRunner
from .signals import BaseSignal, Signal

__all__ = [
    "BaseSignal",
    "Case",
    "LiveCheck",
    "Signal",
    "SignalEvent",
    "State",
    "TestExecution",
    "TestReport",
    "TestRunner",
    "current_execution",
    "current_test",
]
