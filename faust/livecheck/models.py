"""The records LiveCheck sends between the tested app and the test runner.

* :class:`TestExecution`: a request to run one test (sent to the test
  topic by ``case.trigger()``); its identity also travels with every message
  and HTTP request made on behalf of the test, as ``LiveCheck-Test-*``
  headers;
* :class:`SignalEvent`: "this step happened" (sent to the bus topic by
  ``signal.send()``);
* :class:`TestReport`: the outcome of a test (sent to the report topic).
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any, Optional

from faust.models import Record
from faust.utils.iso8601 import parse as parse_iso8601

__all__ = [
    "HEADER_TEST_EXPIRES",
    "HEADER_TEST_ID",
    "HEADER_TEST_NAME",
    "HEADER_TEST_TIMESTAMP",
    "SignalEvent",
    "State",
    "TestExecution",
    "TestReport",
]

HEADER_TEST_ID = "LiveCheck-Test-Id"
HEADER_TEST_NAME = "LiveCheck-Test-Name"
HEADER_TEST_TIMESTAMP = "LiveCheck-Test-Timestamp"
HEADER_TEST_EXPIRES = "LiveCheck-Test-Expires"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, (bytes, bytearray)) else str(value)


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


class State(Enum):
    """State of a test case, or outcome of one test."""

    INIT = "INIT"
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    TIMEOUT = "TIMEOUT"
    STALL = "STALL"
    SKIP = "SKIP"
    #: A result kept to this worker: :meth:`Case.post_report
    #: <faust.livecheck.Case.post_report>` does not send it.
    DO_NOT_SHARE = "DO_NOT_SHARE"

    def is_ok(self) -> bool:
        """True for the states that are not failures."""
        return self in OK_STATES


OK_STATES = frozenset({State.INIT, State.PASS, State.SKIP, State.DO_NOT_SHARE})


class SignalEvent(Record):
    """A signal sent to a test (see :class:`faust.livecheck.Signal`)."""

    signal_name: str
    case_name: str
    key: Any
    value: Any


class TestExecution(Record, isodates=True):
    """A request to run one test of a case."""

    __test__ = False  # not a pytest test class

    id: str
    case_name: str
    timestamp: datetime
    test_args: list[Any]
    test_kwargs: dict[str, Any]
    expires: datetime

    @classmethod
    def from_headers(cls, headers: Any) -> Optional[TestExecution]:
        """The test named by ``LiveCheck-Test-*`` headers, or None.

        Arguments:
            headers: a mapping of message or HTTP headers (str or bytes
                values; HTTP header names are case-insensitive there).
        """
        if not headers:
            return None
        try:
            test_id = headers[HEADER_TEST_ID]
        except KeyError:
            return None
        try:
            return cls(
                id=_text(test_id),
                case_name=_text(headers[HEADER_TEST_NAME]),
                timestamp=parse_iso8601(_text(headers[HEADER_TEST_TIMESTAMP])),
                expires=parse_iso8601(_text(headers[HEADER_TEST_EXPIRES])),
                test_args=[],
                test_kwargs={},
            )
        except (KeyError, ValueError):  # incomplete or garbled: not a test
            return None

    def as_headers(self) -> dict[str, str]:
        """The ``LiveCheck-Test-*`` headers identifying this test."""
        return {
            HEADER_TEST_ID: self.id,
            HEADER_TEST_NAME: self.case_name,
            HEADER_TEST_TIMESTAMP: self.timestamp.isoformat(),
            HEADER_TEST_EXPIRES: self.expires.isoformat(),
        }

    @property
    def ident(self) -> str:
        """``case_name:id``, used in logs."""
        return f"{self.case_name}:{self.id}"

    @property
    def shortident(self) -> str:
        """Short form of :attr:`ident` (last part of the case name, id cut)."""
        test_id = self.id if len(self.id) <= 15 else self.id[:15] + "[...]"
        return f"{self.short_case_name}:{test_id}"

    @property
    def short_case_name(self) -> str:
        """Last dotted part of the case name."""
        return self.case_name.rpartition(".")[2]

    @property
    def human_date(self) -> str:
        """When the test was issued: ``Today HH:MM:SS`` or the full date."""
        if self.was_issued_today:
            return f"Today {self.timestamp.strftime('%H:%M:%S')}"
        return str(self.timestamp)

    @property
    def was_issued_today(self) -> bool:
        """True if the test was issued today (UTC)."""
        return self.timestamp.date() == utcnow().date()

    @property
    def is_expired(self) -> bool:
        """True if the test's ``expires`` time has passed."""
        return utcnow() >= self.expires


class TestReport(Record, coerce=True):
    """The outcome of a test (or of the suite, with ``test=None``)."""

    __test__ = False  # not a pytest test class

    case_name: str
    state: State
    test: Optional[TestExecution]
    runtime: Optional[float]
    signal_latency: dict[str, float]
    error: Optional[str]
    traceback: Optional[str]
