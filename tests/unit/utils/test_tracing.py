"""faust.utils.tracing: current span, call_with_trace, finish_span."""

from __future__ import annotations

from typing import Any

import pytest

from faust.utils import tracing


class Span:
    def __init__(self) -> None:
        self.tags: dict[str, Any] = {}
        self.finished = 0

    def set_tag(self, key: str, value: Any) -> None:
        self.tags[key] = value

    def log_kv(self, values: Any) -> None:
        self.tags["log"] = values

    def finish(self) -> None:
        self.finished += 1


class OTelSpan:
    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.ended = False

    def record_exception(self, exc: BaseException) -> None:
        self.errors.append(exc)

    def end(self) -> None:
        self.ended = True


def test_call_with_trace_makes_the_span_current_then_finishes_it() -> None:
    span = Span()
    seen = tracing.call_with_trace(span, tracing.current_span, None)
    assert seen is span
    assert span.finished == 1
    assert tracing.current_span() is None


async def test_coroutine_span_finishes_when_the_coroutine_ends() -> None:
    span = Span()

    async def work() -> Any:
        return tracing.current_span()

    coro = tracing.call_with_trace(span, work, None)
    assert span.finished == 0
    assert await coro is span
    assert span.finished == 1


def test_error_marks_the_span_and_calls_back() -> None:
    span = Span()
    calls: list[Any] = []

    def fail() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        tracing.call_with_trace(span, fail, lambda s, e: calls.append((s, e)))
    assert span.tags["error"] is True
    assert span.finished == 1
    assert calls[0][0] is span and isinstance(calls[0][1], KeyError)


def test_finish_span_on_opentelemetry_spans() -> None:
    span = OTelSpan()
    error = ValueError("bad")
    tracing.finish_span(span, error=error)
    assert span.ended and span.errors == [error]


def test_noop_span_and_operation_name() -> None:
    with tracing.noop_span() as span:
        span.set_tag("a", 1)
    assert tracing.operation_name_from_fun(test_noop_span_and_operation_name) == (
        f"{__name__}.test_noop_span_and_operation_name"
    )


def test_traced_from_parent_span_without_tracer_is_a_noop() -> None:
    with tracing.traced_from_parent_span() as span:
        assert span is tracing.noop_span()
