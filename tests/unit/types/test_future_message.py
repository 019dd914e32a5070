"""FutureMessage reports a failed send to ``on_failure`` at once."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from faust.types.tuples import FutureMessage


def _future() -> tuple[FutureMessage, list[Any]]:
    fut = FutureMessage(Mock(name="pending"))
    heard: list[Any] = []
    fut.on_failure = lambda f, exc: heard.append((f, exc))
    return fut, heard


async def test_failure_reported_synchronously() -> None:
    fut, heard = _future()
    exc = RuntimeError("broker said no")
    fut.set_exception(exc)
    assert heard == [(fut, exc)]
    assert fut.exception() is exc


async def test_exception_class_is_instantiated_first() -> None:
    fut, heard = _future()
    fut.set_exception(KeyError)
    assert isinstance(heard[0][1], KeyError)


async def test_result_and_cancel_are_not_failures() -> None:
    fut, heard = _future()
    fut.set_result(Mock())
    other, heard_other = _future()
    other.cancel()
    assert heard == [] and heard_other == []


async def test_without_on_failure() -> None:
    fut = FutureMessage(Mock())
    fut.set_exception(ValueError())
    assert isinstance(fut.exception(), ValueError)
