"""SensorDelegate: the hooks streams call per event, and per-message send states."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

import pytest

from faust.sensors import Sensor
from faust.sensors.base import SensorDelegate
from faust.types import TP

TP0 = TP("t", 0)


class Recorder(Sensor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.calls: list[tuple[str, Any]] = []

    def on_stream_event_in(self, tp: Any, offset: Any, stream: Any, event: Any) -> Any:
        self.calls.append(("in", offset))
        return f"{self.name}-{offset}"

    def on_stream_event_out(
        self, tp: Any, offset: Any, stream: Any, event: Any, state: Any = None
    ) -> None:
        self.calls.append(("out", state))

    def on_send_initiated(self, *args: Any) -> Any:
        return f"{self.name}-send"

    def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
        self.calls.append(("sent", state))

    def on_send_error(self, producer: Any, exc: Any, state: Any) -> None:
        self.calls.append(("error", state))


@pytest.fixture
def delegate() -> SensorDelegate:
    return SensorDelegate(Mock(name="app"))


def test_hooks_are_the_only_sensors_own_methods(delegate: SensorDelegate) -> None:
    version0, hooks = delegate.stream_hooks()
    assert all(hook(TP0, 1, None, None) is None for hook in hooks[:1])
    one = Recorder("a")
    delegate.add(one)
    version1, (on_in, on_out, _done) = delegate.stream_hooks()
    assert version1 != version0
    assert on_in == one.on_stream_event_in and on_out == one.on_stream_event_out
    assert delegate.message_hooks() == one.on_message_in
    delegate.add(one)  # already there: nothing changes
    assert delegate.stream_hooks()[0] == version1


def test_several_sensors_go_through_the_delegate(delegate: SensorDelegate) -> None:
    a, b = Recorder("a"), Recorder("b")
    delegate.add(a)
    delegate.add(b)
    version, (on_in, on_out, _done) = delegate.stream_hooks()
    state = on_in(TP0, 3, None, None)
    on_out(TP0, 3, None, None, state)
    assert a.calls == [("in", 3), ("out", "a-3")]
    assert b.calls == [("in", 3), ("out", "b-3")]
    assert delegate.message_hooks() == delegate.on_message_in
    delegate.remove(b)
    assert delegate.stream_hooks()[0] != version


def test_send_state_of_one_sensor(delegate: SensorDelegate) -> None:
    a = Recorder("a")
    delegate.add(a)
    state = delegate.on_send_initiated(None, "t", None, 1, 1)  # type: ignore[arg-type]
    delegate.on_send_completed(None, state, None)  # type: ignore[arg-type]
    delegate.on_send_error(None, KeyError(), state)  # type: ignore[arg-type]
    assert a.calls == [("sent", "a-send"), ("error", "a-send")]


def test_send_state_survives_a_sensor_added_meanwhile(delegate: SensorDelegate) -> None:
    a, b = Recorder("a"), Recorder("b")
    delegate.add(a)
    state = delegate.on_send_initiated(None, "t", None, 1, 1)  # type: ignore[arg-type]
    delegate.add(b)
    delegate.on_send_completed(None, state, None)  # type: ignore[arg-type]
    assert a.calls == [("sent", "a-send")]
    assert b.calls == [("sent", None)]  # it did not see the start
    both = delegate.on_send_initiated(None, "t", None, 1, 1)  # type: ignore[arg-type]
    delegate.on_send_completed(None, both, None)  # type: ignore[arg-type]
    assert a.calls[-1] == ("sent", "a-send") and b.calls[-1] == ("sent", "b-send")
    delegate.on_send_completed(None, None, None)  # type: ignore[arg-type]
    assert a.calls[-1] == ("sent", None)
