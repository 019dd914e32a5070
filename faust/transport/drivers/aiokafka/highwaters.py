"""High watermarks from fetch responses.

The end of a partition (the offset the next record will get) is what table
recovery reads up to. Kafka reports it in two places: ListOffsets(LATEST) and
the ``high_watermark`` of every fetch response. Some Kafka-compatible brokers
answer ListOffsets with the base offset of the last stored batch plus one,
which is too low when that batch holds several records, and a recovery that
trusts it silently drops the tail of a changelog. Fetch responses are right
everywhere, so :func:`fetch_highwaters` sends a tiny fetch (``max_bytes=1``)
per leader and reads the watermark from the answer. Apache Kafka answers a
fetch that may not wait with every partition; a broker that leaves
partitions out of such an answer is asked again, allowed to wait 100 ms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import OffsetOutOfRangeError, for_code
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.protocol.offset import OffsetRequest

from ....exceptions import TransportError
from ....types import TP

__all__ = ["fetch_highwaters"]

_READ_UNCOMMITTED = 0
_READ_COMMITTED = 1
_EARLIEST = -2
_MAX_WAIT_MS = 100


async def fetch_highwaters(
    client: Any, partitions: Iterable[TP], *, read_committed: bool = False
) -> dict[TP, int]:
    """Ask the leaders of ``partitions`` for their high watermarks.

    Arguments:
        client: an ``aiokafka.AIOKafkaClient`` (bootstrapped).
        partitions: the partitions.
        read_committed: return the last stable offset instead (what a
            ``read_committed`` consumer can read up to).

    Raises:
        TransportError: a partition is unknown or its leader answered with
            an error.
    """
    result: dict[TP, int] = {}
    pending = {TP(tp.topic, tp.partition): 0 for tp in partitions}
    for attempt in range(3):
        if not pending:
            break
        wait = _MAX_WAIT_MS if attempt else 0
        out_of_range = await _fetch_round(
            client, pending, read_committed, result, wait
        )
        # fetching from 0 is out of range once old records were deleted:
        # ask again from the log start; partitions left out of the answer
        # are asked again as they were
        retry = {tp: o for tp, o in pending.items() if tp not in result}
        if out_of_range:
            retry.update(await _log_starts(client, out_of_range))
        pending = retry
    if pending:
        raise TransportError(f"Cannot read the high watermark of {sorted(pending)}")
    return result


async def _leaders(client: Any, tps: Iterable[TP]) -> dict[int, list[TP]]:
    by_node: dict[int, list[TP]] = defaultdict(list)
    missing = []
    for tp in tps:
        node = client.cluster.leader_for_partition(TopicPartition(*tp))
        if node is None or node < 0:
            missing.append(tp)
        else:
            by_node[node].append(tp)
    if missing:
        await client.force_metadata_update()
        for tp in missing:
            node = client.cluster.leader_for_partition(TopicPartition(*tp))
            if node is None or node < 0:
                raise TransportError(f"No leader known for {tp}: does the topic exist?")
            by_node[node].append(tp)
    return by_node


async def _fetch_round(
    client: Any,
    offsets: dict[TP, int],
    read_committed: bool,
    result: dict[TP, int],
    max_wait_ms: int,
) -> list[TP]:
    out_of_range: list[TP] = []
    isolation = _READ_COMMITTED if read_committed else _READ_UNCOMMITTED
    for node, tps in (await _leaders(client, offsets)).items():
        topics: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for tp in tps:
            topics[tp.topic].append((tp.partition, offsets[tp], 1))
        request = FetchRequest(max_wait_ms, 1, 1, isolation, list(topics.items()))
        response = await client.send(node, request)
        for topic, parts in response.topics:
            for partition, code, highwater, *rest in parts:
                tp = TP(topic, partition)
                if code == OffsetOutOfRangeError.errno:
                    out_of_range.append(tp)
                elif code:
                    raise TransportError(
                        f"Fetching the high watermark of {tp} failed: "
                        f"{for_code(code).__name__}"
                    )
                elif read_committed and response.API_VERSION >= 4 and rest[0] >= 0:
                    result[tp] = int(rest[0])  # the last stable offset
                else:
                    result[tp] = int(highwater)
    return out_of_range


async def _log_starts(client: Any, tps: list[TP]) -> dict[TP, int]:
    starts: dict[TP, int] = {}
    for node, node_tps in (await _leaders(client, tps)).items():
        topics: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for tp in node_tps:
            topics[tp.topic].append((tp.partition, _EARLIEST))
        request = OffsetRequest(-1, _READ_UNCOMMITTED, list(topics.items()))
        response = await client.send(node, request)
        for topic, parts in response.topics:
            for partition, code, *rest in parts:
                if not code:
                    offset = rest[-1]  # v0 answers with a list of offsets
                    offset = offset[0] if isinstance(offset, list) else offset
                    starts[TP(topic, partition)] = int(offset)
    return starts
