"""High watermarks are read from fetch responses (fake client)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    LeaderNotAvailableError,
    NodeNotReadyError,
    NotLeaderForPartitionError,
    OffsetOutOfRangeError,
    RequestTimedOutError,
    TopicAuthorizationFailedError,
)
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.protocol.offset import OffsetRequest

from faust.exceptions import TransportError
from faust.transport.drivers.aiokafka import highwaters
from faust.transport.drivers.aiokafka.highwaters import fetch_highwaters
from faust.types import TP

OUT_OF_RANGE = OffsetOutOfRangeError.errno


class FakeClient:
    """Answers fetches from a table of ``tp -> (code, highwater, lso)``."""

    def __init__(
        self, answers, leaders=None, log_start=5, api_version=11, must_wait=False
    ):
        self.answers = answers
        self.must_wait = must_wait  # answer nothing to a fetch that may not wait
        self.leaders = leaders or {}
        self.log_start = log_start
        self.api_version = api_version
        self.requests = []
        self.failures = []  # exceptions raised by the next sends, in order
        self.metadata_updates = 0
        self.cluster = SimpleNamespace(leader_for_partition=self._leader)

    def _leader(self, tp):
        return self.leaders.get((tp.topic, tp.partition), 1)

    async def force_metadata_update(self):
        self.metadata_updates += 1

    async def send(self, node, request):
        self.requests.append((node, request))
        if self.failures:
            raise self.failures.pop(0)
        if isinstance(request, OffsetRequest):
            topics = [
                (t, [(p, 0, -1, self.log_start) for p, _ts in parts])
                for t, parts in request._topics
            ]
            return SimpleNamespace(topics=topics)
        assert isinstance(request, FetchRequest)
        assert request._max_bytes == 1
        topics = []
        for topic, parts in request.topics:
            out = []
            for partition, offset, max_bytes in parts:
                assert max_bytes == 1
                answer = self.answers[(topic, partition)]
                if answer is None or (self.must_wait and not request._max_wait_ms):
                    continue  # left out of the answer
                code, hw, lso = answer(offset) if callable(answer) else answer
                out.append((partition, code, hw, lso, 0, None, b""))
            topics.append((topic, out))
        return SimpleNamespace(topics=topics, API_VERSION=self.api_version)


async def test_reads_the_high_watermark_from_the_fetch_response() -> None:
    client = FakeClient({("t", 0): (0, 20, 18), ("t", 1): (0, 0, 0)})
    result = await fetch_highwaters(client, [TP("t", 0), TP("t", 1)])
    assert result == {TP("t", 0): 20, TP("t", 1): 0}
    ((node, request),) = client.requests
    assert node == 1
    assert request._max_wait_ms == 0  # Kafka answers at once


async def test_read_committed_gives_the_last_stable_offset() -> None:
    client = FakeClient({("t", 0): (0, 20, 18)})
    assert await fetch_highwaters(client, [TP("t", 0)], read_committed=True) == {
        TP("t", 0): 18
    }
    assert client.requests[0][1]._isolation_level == 1


async def test_groups_requests_by_leader() -> None:
    client = FakeClient(
        {("t", 0): (0, 1, 1), ("t", 1): (0, 2, 2)}, leaders={("t", 1): 2}
    )
    await fetch_highwaters(client, [TP("t", 0), TP("t", 1)])
    assert sorted(node for node, _ in client.requests) == [1, 2]


async def test_deleted_records_refetch_from_the_log_start() -> None:
    def answer(offset):
        return (OUT_OF_RANGE, -1, -1) if offset < 5 else (0, 9, 9)

    client = FakeClient({("t", 0): answer}, log_start=5)
    assert await fetch_highwaters(client, [TP("t", 0)]) == {TP("t", 0): 9}


async def test_partitions_left_out_are_asked_again_then_refused() -> None:
    client = FakeClient({("t", 0): None})
    with pytest.raises(TransportError, match="Cannot read the high watermark"):
        await fetch_highwaters(client, [TP("t", 0)])
    assert len(client.requests) == 3


async def test_a_broker_answering_only_when_it_may_wait_is_asked_again() -> None:
    client = FakeClient({("t", 0): (0, 7, 7)}, must_wait=True)
    assert await fetch_highwaters(client, [TP("t", 0)]) == {TP("t", 0): 7}
    assert [request._max_wait_ms for _, request in client.requests] == [0, 100]


class FakeClock:
    """Stands in for asyncio.sleep and time.monotonic: sleeping moves time."""

    def __init__(self, monkeypatch) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        monkeypatch.setattr(highwaters.time, "monotonic", lambda: self.now)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_errors_that_are_not_retriable_are_reported_at_once() -> None:
    code = TopicAuthorizationFailedError.errno
    client = FakeClient({("t", 0): (code, -1, -1)})
    with pytest.raises(TransportError, match="TopicAuthorizationFailed"):
        await fetch_highwaters(client, [TP("t", 0)])
    assert len(client.requests) == 1


@pytest.mark.parametrize(
    "error",
    [
        NodeNotReadyError("node 1 not ready"),
        KafkaConnectionError("connection lost"),
        RequestTimedOutError(),
        ConnectionResetError("reset"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_leader_that_cannot_be_reached_is_asked_again(
    error, monkeypatch
) -> None:
    # a broker was stopped: the send itself fails until the leader moved
    clock = FakeClock(monkeypatch)
    client = FakeClient({("t", 0): (0, 12, 12)})
    client.failures = [error, error]
    found = await fetch_highwaters(client, [TP("t", 0)], sleep=clock.sleep)
    assert found == {TP("t", 0): 12}
    assert len(client.requests) == 3
    assert client.metadata_updates == 2  # refreshed before each retry
    assert clock.sleeps == [0.1, 0.2]  # backoff doubles


@pytest.mark.parametrize(
    "error", [NotLeaderForPartitionError, LeaderNotAvailableError, RequestTimedOutError]
)
async def test_retriable_error_codes_are_asked_again(error, monkeypatch) -> None:
    clock = FakeClock(monkeypatch)
    answers = iter([(error.errno, -1, -1), (0, 4, 4)])
    client = FakeClient({("t", 0): (0, 9, 9), ("t", 1): lambda _o: next(answers)})
    found = await fetch_highwaters(client, [TP("t", 0), TP("t", 1)], sleep=clock.sleep)
    assert found == {TP("t", 0): 9, TP("t", 1): 4}
    # the partition that answered is not asked again
    second = dict(client.requests[1][1].topics)["t"]
    assert [p for p, *_ in second] == [1]
    assert client.metadata_updates == 1


async def test_a_leader_being_elected_is_waited_for(monkeypatch) -> None:
    clock = FakeClock(monkeypatch)
    client = FakeClient({("t", 0): (0, 3, 3)}, leaders={("t", 0): -1})

    async def elected():
        client.metadata_updates += 1
        if client.metadata_updates == 3:
            client.leaders[("t", 0)] = 2

    client.force_metadata_update = elected
    found = await fetch_highwaters(client, [TP("t", 0)], sleep=clock.sleep)
    assert found == {TP("t", 0): 3}
    assert client.requests[0][0] == 2


async def test_retriable_errors_fail_after_the_timeout(monkeypatch) -> None:
    clock = FakeClock(monkeypatch)
    client = FakeClient({("t", 0): (NotLeaderForPartitionError.errno, -1, -1)})
    with pytest.raises(TransportError, match="kept failing for 5 seconds") as info:
        await fetch_highwaters(client, [TP("t", 0)], timeout=5, sleep=clock.sleep)
    assert "NotLeaderForPartition" in str(info.value)
    assert clock.now == pytest.approx(5.0)
    assert max(clock.sleeps) == 1.0  # the backoff is bounded


async def test_unknown_leader_refreshes_metadata_then_fails() -> None:
    client = FakeClient({}, leaders={("nope", 0): None})
    with pytest.raises(TransportError, match="does the topic exist"):
        await fetch_highwaters(client, [TP("nope", 0)])
    assert client.metadata_updates == 1


async def test_nothing_asked_nothing_sent() -> None:
    client = FakeClient({})
    assert await fetch_highwaters(client, []) == {}
    assert client.requests == []
