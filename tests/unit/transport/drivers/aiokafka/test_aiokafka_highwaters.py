"""High watermarks are read from fetch responses (fake client)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiokafka.errors import NotLeaderForPartitionError, OffsetOutOfRangeError
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.protocol.offset import OffsetRequest

from faust.exceptions import TransportError
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
        self.metadata_updates = 0
        self.cluster = SimpleNamespace(leader_for_partition=self._leader)

    def _leader(self, tp):
        return self.leaders.get((tp.topic, tp.partition), 1)

    async def force_metadata_update(self):
        self.metadata_updates += 1

    async def send(self, node, request):
        self.requests.append((node, request))
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


async def test_errors_are_reported() -> None:
    client = FakeClient({("t", 0): (NotLeaderForPartitionError.errno, -1, -1)})
    with pytest.raises(TransportError, match="NotLeaderForPartition"):
        await fetch_highwaters(client, [TP("t", 0)])


async def test_unknown_leader_refreshes_metadata_then_fails() -> None:
    client = FakeClient({}, leaders={("nope", 0): None})
    with pytest.raises(TransportError, match="does the topic exist"):
        await fetch_highwaters(client, [TP("nope", 0)])
    assert client.metadata_updates == 1


async def test_nothing_asked_nothing_sent() -> None:
    client = FakeClient({})
    assert await fetch_highwaters(client, []) == {}
    assert client.requests == []
