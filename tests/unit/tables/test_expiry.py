"""WindowExpiry: the event-time expiry index of windowed tables."""

from __future__ import annotations

from faust.tables.expiry import WindowExpiry
from faust.windows import SlidingWindow, TumblingWindow


def key(name: str, start: float, size: float = 10) -> tuple[str, tuple[float, float]]:
    return (name, (start, start + size - 0.1))


def test_windows_expire_by_event_time_per_partition() -> None:
    expiry = WindowExpiry(TumblingWindow(10, expires=10))
    for name, start in [("a", 0.0), ("b", 0.0), ("a", 10.0)]:
        expiry.track(0, key(name, start))
    expiry.track(1, key("c", 0.0))
    expiry.observe(0, 15)
    expiry.observe(0, 12)  # older: ignored
    assert expiry.latest == {0: 15}
    assert list(expiry.expired([0, 1])) == []  # nothing stale yet
    expiry.observe(0, 25)
    assert list(expiry.expired([0, 1])) == [(0, key("a", 0.0)), (0, key("b", 0.0))]
    assert list(expiry.expired([0])) == []  # taken out once
    assert len(expiry) == 2
    assert expiry.is_stale(0, 9.9) and not expiry.is_stale(0, 19.9)
    assert not expiry.is_stale(1, 0)  # no time seen on partition 1


def test_rebuild_takes_time_from_window_starts() -> None:
    expiry = WindowExpiry(TumblingWindow(10, expires=10))
    expiry.rebuild([(0, key("a", 0.0)), (0, key("b", 30.0)), (0, "not-windowed")])
    assert expiry.latest == {0: 30.0}
    assert list(expiry.expired([0])) == [(0, key("a", 0.0))]


def test_forget_and_reset() -> None:
    expiry = WindowExpiry(SlidingWindow(1, 1, expires=5))
    expiry.track(0, ("a", (0.0, 2.0)))
    expiry.track(1, ("b", (0.0, 2.0)))
    expiry.observe(0, 100)
    expiry.observe(1, 100)
    expiry.forget([0])
    assert list(expiry.expired([0, 1])) == [(1, ("b", (0.0, 2.0)))]
    expiry.track(1, ("c", (0.0, 2.0)))
    expiry.reset()
    assert len(expiry) == 0 and not expiry.latest
