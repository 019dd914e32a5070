"""Tracing helpers: the current span, and functions wrapped in spans.

A *span* is any object with OpenTracing's ``finish()``/``set_tag()`` or
OpenTelemetry's ``end()``/``set_attribute()``; no tracing library is needed
(without one, :func:`noop_span` stands in). ``app.traced(fun)`` and
``app.trace(name)`` build on these when ``app.tracer`` is set.

The current span lives in a context variable, so each agent actor and task
has its own.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, Optional

__all__ = [
    "NoopSpan",
    "call_with_trace",
    "current_span",
    "finish_span",
    "noop_span",
    "operation_name_from_fun",
    "set_current_span",
    "traced_from_parent_span",
    "traced_function",
]

_current_span: ContextVar[Optional[Any]] = ContextVar("faust_span", default=None)


class NoopSpan:
    """A span that records nothing (OpenTracing and OpenTelemetry methods)."""

    def set_tag(self, key: str, value: Any) -> NoopSpan:
        """Ignore a tag."""
        return self

    def set_attribute(self, key: str, value: Any) -> None:
        """Ignore an attribute."""

    def log_kv(self, key_values: Any, timestamp: Optional[float] = None) -> NoopSpan:
        """Ignore a log record."""
        return self

    def finish(self, finish_time: Optional[float] = None) -> None:
        """Nothing to finish."""

    def end(self, end_time: Optional[int] = None) -> None:
        """Nothing to end."""

    def __enter__(self) -> NoopSpan:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None


_NOOP = NoopSpan()


def noop_span() -> NoopSpan:
    """A span that records nothing."""
    return _NOOP


def current_span() -> Optional[Any]:
    """The span of the running task (None outside any span)."""
    return _current_span.get()


def set_current_span(span: Optional[Any]) -> None:
    """Make ``span`` the current span of the running task."""
    _current_span.set(span)


def finish_span(span: Optional[Any], *, error: Optional[BaseException] = None) -> None:
    """Finish ``span``, marking it failed with ``error`` if given."""
    if span is None:
        return
    if error is not None:
        if hasattr(span, "record_exception"):  # OpenTelemetry
            span.record_exception(error)
        elif hasattr(span, "set_tag"):  # OpenTracing
            span.set_tag("error", True)
            span.log_kv({"error.object": error})
    if hasattr(span, "finish"):
        span.finish()
    elif hasattr(span, "end"):
        span.end()


def operation_name_from_fun(fun: Any) -> str:
    """``module.qualname`` of a function: the default name of its span."""
    module = getattr(fun, "__module__", None) or ""
    name = str(
        getattr(fun, "__qualname__", None) or getattr(fun, "__name__", repr(fun))
    )
    return f"{module}.{name}" if module else name


def call_with_trace(
    span: Any,
    fun: Callable[..., Any],
    callback: Optional[Any],
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Call ``fun(*args, **kwargs)`` with ``span`` current, then finish it.

    A coroutine's span finishes when the coroutine does. ``callback``
    (``callback(span, error)``) is called when the span finishes.
    """

    def _done(error: Optional[BaseException]) -> None:
        finish_span(span, error=error)
        if callback is not None:
            callback(span, error)

    previous = current_span()
    set_current_span(span)
    try:
        result = fun(*args, **kwargs)
    except BaseException as exc:
        _done(exc)
        raise
    finally:
        set_current_span(previous)
    if asyncio.iscoroutine(result):
        return _finish_after(result, span, _done)
    _done(None)
    return result


async def _finish_after(coro: Any, span: Any, done: Callable[[Any], None]) -> Any:
    set_current_span(span)
    try:
        result = await coro
    except BaseException as exc:
        done(exc)
        raise
    done(None)
    return result


@contextmanager
def traced_from_parent_span(
    parent_span: Optional[Any] = None,
    callback: Optional[Any] = None,
    **extra_context: Any,
) -> Iterator[Any]:
    """A child span of ``parent_span`` (default: the current span), current inside.

    Without a parent span (and a tracer behind it), a no-op span.
    """
    parent = parent_span if parent_span is not None else current_span()
    tracer = getattr(parent, "tracer", None)
    if parent is None or tracer is None or not hasattr(tracer, "start_span"):
        yield noop_span()
        return
    span = tracer.start_span(child_of=parent, **extra_context)
    previous = current_span()
    set_current_span(span)
    error: Optional[BaseException] = None
    try:
        yield span
    except BaseException as exc:
        error = exc
        raise
    finally:
        set_current_span(previous)
        finish_span(span, error=error)
        if callback is not None:
            callback(span, error)


def traced_function(
    app: Any,
    fun: Callable[..., Any],
    name: Optional[str] = None,
    sample_rate: float = 1.0,
    **context: Any,
) -> Callable[..., Any]:
    """``fun`` wrapped so that a sampled share of its calls run in a span.

    The span is ``app.trace(name, **context)`` (``app.tracer.trace(...)``),
    finished when the call (or the coroutine it returns) ends. Without
    ``app.tracer`` (checked at each call), or for calls left out by
    ``sample_rate`` (0.0 to 1.0), ``fun`` is called as is.
    """
    operation = name or operation_name_from_fun(fun)

    @wraps(fun)
    def _traced(*args: Any, **kwargs: Any) -> Any:
        if app.tracer is None or (sample_rate < 1.0 and random.random() >= sample_rate):
            return fun(*args, **kwargs)
        span = app.trace(operation, **context)
        return call_with_trace(span, fun, None, *args, **kwargs)

    return _traced
