"""Window strategies: ranges, current/earliest/delta, staleness, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import faust
from faust.types import WindowRange, WindowT
from faust.windows import HoppingWindow, SlidingWindow, TumblingWindow, Window

timestamps = st.floats(min_value=-1e6, max_value=2e9, allow_nan=False)
epoch = st.floats(min_value=0, max_value=2e9, allow_nan=False)


def faust_hopping_starts(ts: float, size: int, step: int) -> list[float]:
    """Faust's formula (valid when size is a multiple of step)."""
    first = (ts // step) * step - size + step
    return [float(s) for s in range(int(first), int(ts) + 1, step)]


def test_public_names() -> None:
    assert faust.HoppingWindow is HoppingWindow
    assert faust.TumblingWindow is TumblingWindow
    assert faust.SlidingWindow is SlidingWindow
    assert faust.Window is Window
    assert issubclass(Window, WindowT)


def test_window_range_end_is_start_plus_size_minus_tenth() -> None:
    assert WindowRange.from_start(10.0, 10) == (10.0, 19.9)


def test_tumbling_ranges() -> None:
    window = TumblingWindow(10)
    assert window.ranges(0) == [(0.0, 9.9)]
    assert window.ranges(9.99) == [(0.0, 9.9)]
    assert window.ranges(10) == [(10.0, 19.9)]
    assert window.ranges(-1) == [(-10.0, -0.1)]
    assert window.current(25) == window.earliest(25) == (20.0, 29.9)


def test_hopping_ranges_current_earliest_delta() -> None:
    window = HoppingWindow(size=60, step=10)
    ranges = window.ranges(125)
    assert [r.start for r in ranges] == [70.0, 80.0, 90.0, 100.0, 110.0, 120.0]
    assert window.current(125) == ranges[-1] == (120.0, 179.9)
    assert window.earliest(125) == ranges[0] == (70.0, 129.9)
    assert window.delta(125, 30) == window.current(95) == (90.0, 149.9)
    assert window.delta(125, timedelta(seconds=30)) == (90.0, 149.9)


@given(epoch, st.integers(1, 20), st.integers(1, 20))
def test_hopping_matches_faust_when_size_is_multiple_of_step(
    ts: float, steps: int, step: int
) -> None:
    size = steps * step
    window = HoppingWindow(size, step)
    assert [r.start for r in window.ranges(ts)] == faust_hopping_starts(ts, size, step)


@given(
    timestamps,
    st.floats(min_value=0.5, max_value=500),
    st.floats(min_value=0.5, max_value=500),
)
def test_hopping_ranges_are_exactly_the_aligned_windows_containing_ts(
    ts: float, size: float, step: float
) -> None:
    window = HoppingWindow(size, step)
    ranges = window.ranges(ts)
    for r in ranges:
        assert r.start <= ts < r.start + size + 1e-6
        assert abs(r.start / step - round(r.start / step)) < 1e-6
        assert r.end == r.start + size - 0.1
    starts = [r.start for r in ranges]
    assert starts == sorted(starts)
    if ranges:
        assert window.current(ts) == ranges[-1]
        assert window.earliest(ts) == ranges[0]
    if step <= size:
        assert ranges, "with step <= size every timestamp is in some window"


def test_hopping_with_gaps_between_windows() -> None:
    window = HoppingWindow(size=5, step=10)
    assert window.ranges(3) == [(0.0, 4.9)]
    assert window.ranges(7) == []  # between two windows


def test_hopping_stale() -> None:
    window = TumblingWindow(10, expires=10)
    # latest 25: windows ending at or before current(15).start = 10 are stale
    assert window.stale(9.9, 25)
    assert not window.stale(19.9, 25)
    assert window.stale(19.9, 30)
    assert not TumblingWindow(10).stale(0, 1e9)  # no expires: never stale


def test_sliding_window() -> None:
    window = SlidingWindow(before=5, after=2, expires=60)
    assert window.ranges(100) == [(95.0, 102.0)]
    assert window.current(100) == window.earliest(100) == (95.0, 102.0)
    assert window.delta(100, 10) == (85.0, 92.0)
    assert window.stale(40, 100)
    assert not window.stale(40.5, 100)


def test_seconds_accept_timedelta() -> None:
    window = HoppingWindow(timedelta(minutes=1), 10, expires=timedelta(hours=1))
    assert (window.size, window.step, window.expires) == (60.0, 10.0, 3600.0)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: TumblingWindow(0), "size must be a positive"),
        (lambda: TumblingWindow(-5), "size must be a positive"),
        (lambda: HoppingWindow(10, 0), "step must be a positive"),
        (lambda: TumblingWindow(10, expires=0), "expires must be a positive"),
        (lambda: TumblingWindow(float("nan")), "size must be a positive"),
        (lambda: SlidingWindow(0, 0, 10), "not both zero"),
        (lambda: SlidingWindow(-1, 1, 10), "before >= 0"),
        (lambda: SlidingWindow(1, 1, 0), "expires must be a positive"),
    ],
)
def test_bad_arguments_are_rejected(factory, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def test_repr() -> None:
    assert "size=10" in repr(TumblingWindow(10))
    assert "step=5" in repr(HoppingWindow(10, 5))
    assert "before=1" in repr(SlidingWindow(1, 2, 3))


def test_hopping_tiny_negative_timestamp_is_in_the_window_before_zero() -> None:
    # -5e-324 / 2 underflows to -0.0; the window starting at 0 must not be used
    window = HoppingWindow(size=1.0, step=2.0)
    assert window.ranges(-5e-324) == []
    assert window.current(-5e-324).start == -2.0
    tumbling = TumblingWindow(10)
    assert tumbling.ranges(-5e-324) == [(-10.0, -0.1)]
