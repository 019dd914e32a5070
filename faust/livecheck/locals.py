"""The test being run in the current task: :func:`current_test`.

Two stacks held in context variables, so that each asyncio task (each agent
actor, each web request) sees its own:

* ``current_test_stack``: the :class:`~.models.TestExecution` the code
  runs for (pushed by ``case.maybe_trigger()``, by the LiveCheck sensor for
  an event carrying test headers, by the web middleware for a request
  carrying them, and by the test runner);
* ``current_execution_stack``: the :class:`~.runners.TestRunner` running a
  test in the LiveCheck app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Generic, Optional, TypeVar

from .models import TestExecution

if TYPE_CHECKING:  # pragma: no cover
    from .runners import TestRunner

__all__ = [
    "LocalStack",
    "current_execution",
    "current_execution_stack",
    "current_test",
    "current_test_stack",
]

_T = TypeVar("_T")


class LocalStack(Generic[_T]):
    """A stack local to the current context (asyncio task).

    Arguments:
        name: name of the context variable.
    """

    def __init__(self, name: str) -> None:
        self._var: ContextVar[tuple[_T, ...]] = ContextVar(name, default=())

    @property
    def top(self) -> Optional[_T]:
        """The item on top, or None."""
        stack = self._var.get()
        return stack[-1] if stack else None

    def __len__(self) -> int:
        return len(self._var.get())

    @contextmanager
    def push(self, item: _T) -> Iterator[_T]:
        """Push ``item`` for the duration of a ``with`` block."""
        previous = self._var.get()
        self._var.set((*previous, item))
        try:
            yield item
        finally:
            self._var.set(previous)

    def push_without_automatic_cleanup(self, item: _T) -> None:
        """Push ``item``; :meth:`pop` must remove it."""
        self._var.set((*self._var.get(), item))

    def pop(self) -> Optional[_T]:
        """Remove and return the item on top (None if empty)."""
        stack = self._var.get()
        if not stack:
            return None
        self._var.set(stack[:-1])
        return stack[-1]


current_test_stack: LocalStack[TestExecution] = LocalStack("livecheck_current_test")
current_execution_stack: LocalStack[TestRunner] = LocalStack(
    "livecheck_current_execution"
)


def current_execution() -> Optional[TestRunner]:
    """The :class:`~faust.livecheck.TestRunner` running in this task, if any."""
    return current_execution_stack.top


def current_test() -> Optional[TestExecution]:
    """The test the current code runs for, if any."""
    return current_test_stack.top
