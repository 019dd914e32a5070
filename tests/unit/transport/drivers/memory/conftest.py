import pytest

from faust.transport.drivers.memory.broker import MemoryBroker


class FakeClock:
    """A settable clock for the broker (seconds)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def broker(clock):
    broker = MemoryBroker("test", clock=clock)
    yield broker
    broker.close()


@pytest.fixture(autouse=True)
def _reset_registry():
    yield
    MemoryBroker.reset_all()
