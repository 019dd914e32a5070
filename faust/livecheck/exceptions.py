"""Errors raised by LiveCheck test cases and suites.

The tree::

    FaustError
    └── LiveCheckError                 any LiveCheck test error
        ├── SuiteFailed                the whole suite failed (not one test)
        │   ├── ServiceDown            a service the suite needs does not answer
        │   └── SuiteStalled           no test executed for warn_stalled_after
        ├── LiveCheckTestSkipped       the test was skipped (inactive, expired)
        ├── LiveCheckTestFailed        an assertion in the test failed
        ├── LiveCheckTestRaised        the test raised another exception
        └── LiveCheckTestTimeout       a signal did not arrive in time
"""

from __future__ import annotations

from faust.exceptions import FaustError

__all__ = [
    "LiveCheckError",
    "LiveCheckTestFailed",
    "LiveCheckTestRaised",
    "LiveCheckTestSkipped",
    "LiveCheckTestTimeout",
    "ServiceDown",
    "SuiteFailed",
    "SuiteStalled",
]


class LiveCheckError(FaustError):
    """Generic base class for LiveCheck test errors."""


class SuiteFailed(LiveCheckError):
    """The whole test suite failed (not just a test)."""


class ServiceDown(SuiteFailed):
    """A service the suite depends on does not respond (e.g. HTTP requests fail)."""


class SuiteStalled(SuiteFailed):
    """No test was executed during the last ``warn_stalled_after`` seconds."""


class LiveCheckTestSkipped(LiveCheckError):
    """The test was skipped (its case is inactive, or the request expired)."""


class LiveCheckTestFailed(LiveCheckError):
    """The test failed an assertion."""


class LiveCheckTestRaised(LiveCheckError):
    """The test raised an exception."""


class LiveCheckTestTimeout(LiveCheckError):
    """The test timed out waiting for a signal."""
