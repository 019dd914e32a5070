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

While a broker of a cluster goes down its partitions' leadership moves:
until the metadata says where, requests fail with retriable errors
(``NodeNotReady``, ``NotLeaderForPartition``, ``LeaderNotAvailable``,
``RequestTimedOut``, lost connections). Those partitions are asked again
after a metadata refresh and a backoff growing from 50 ms to 1 s, until
``timeout`` (the consumer passes ``broker_request_timeout``) has passed;
only then does the lookup fail, with a retriable
:class:`~faust.exceptions.TransportError` naming the partitions and the last
error. Errors that retrying cannot cure fail at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError, OffsetOutOfRangeError, for_code
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.protocol.offset import OffsetRequest

from ....exceptions import TransportError
from ....types import TP

__all__ = ["fetch_highwaters"]

_READ_UNCOMMITTED = 0
_READ_COMMITTED = 1
_EARLIEST = -2
_MAX_WAIT_MS = 100
_UNANSWERED_ROUNDS = 3  # a partition left out of this many answers fails
_BACKOFF_MIN = 0.1
_BACKOFF_MAX = 1.0


@dataclass
class _Round:
    """What one round of requests found out besides the watermarks."""

    out_of_range: list[TP] = field(default_factory=list)
    #: partition -> the retriable error it got in this round
    failed: dict[TP, str] = field(default_factory=dict)


async def fetch_highwaters(
    client: Any,
    partitions: Iterable[TP],
    *,
    read_committed: bool = False,
    timeout: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> dict[TP, int]:
    """Ask the leaders of ``partitions`` for their high watermarks.

    Arguments:
        client: an ``aiokafka.AIOKafkaClient`` (bootstrapped).
        partitions: the partitions.
        read_committed: return the last stable offset instead (what a
            ``read_committed`` consumer can read up to).
        timeout: seconds to keep retrying partitions whose leader fails
            with a retriable error (leadership moving, broker down).
        sleep: how to wait between retries.

    Raises:
        TransportError: a partition is unknown, its leader answered with an
            error that retrying cannot cure, or retriable errors went on for
            ``timeout`` seconds (then ``retriable`` is true).
    """
    deadline = time.monotonic() + timeout
    backoff = _BACKOFF_MIN
    result: dict[TP, int] = {}
    pending = {TP(tp.topic, tp.partition): 0 for tp in partitions}
    unanswered = 0
    while pending:
        wait = _MAX_WAIT_MS if unanswered else 0
        found = await _fetch_round(client, pending, read_committed, result, wait)
        # fetching from 0 is out of range once old records were deleted:
        # ask again from the log start; partitions left out of the answer
        # or failed are asked again as they were
        retry = {tp: o for tp, o in pending.items() if tp not in result}
        if found.out_of_range:
            retry.update(await _log_starts(client, found.out_of_range, found))
        pending = retry
        if found.failed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _give_up(found.failed, timeout)
            await _refresh_metadata(client)
            await sleep(min(backoff, remaining))
            backoff = min(backoff * 2, _BACKOFF_MAX)
        elif pending:
            unanswered += 1
            if unanswered >= _UNANSWERED_ROUNDS:
                raise TransportError(
                    f"Cannot read the high watermark of {sorted(pending)}"
                )
    return result


def _give_up(failed: dict[TP, str], timeout: float) -> None:
    tps = sorted(failed)
    last = failed[tps[-1]]
    raise TransportError(
        f"Cannot read the high watermark of {tps}: their leaders kept failing "
        f"for {timeout:g} seconds (broker_request_timeout); last error: {last}. "
        f"Check that the brokers are up and the partitions have a leader.",
        retriable=True,
    )


async def _refresh_metadata(client: Any) -> None:
    try:
        await client.force_metadata_update()
    except KafkaError as exc:
        if not exc.retriable:
            raise TransportError(f"Refreshing the metadata failed: {exc!r}") from exc


async def _leaders(
    client: Any, tps: Iterable[TP], found: _Round
) -> dict[int, list[TP]]:
    by_node: dict[int, list[TP]] = defaultdict(list)
    missing = []
    for tp in tps:
        node = client.cluster.leader_for_partition(TopicPartition(*tp))
        if node is None or node < 0:
            missing.append(tp)
        else:
            by_node[node].append(tp)
    if missing:
        await _refresh_metadata(client)
        for tp in missing:
            node = client.cluster.leader_for_partition(TopicPartition(*tp))
            if node is not None and node >= 0:
                by_node[node].append(tp)
            elif node is not None:
                found.failed[tp] = "LeaderNotAvailable"  # a leader is being elected
            else:
                raise TransportError(f"No leader known for {tp}: does the topic exist?")
    return by_node


async def _send(
    client: Any, node: int, request: Any, tps: list[TP], found: _Round
) -> Any:
    """Send ``request``; on a retriable failure mark ``tps`` failed, return None."""
    try:
        return await client.send(node, request)
    except (KafkaError, OSError) as exc:
        if isinstance(exc, KafkaError) and not exc.retriable:
            raise TransportError(
                f"Fetching the high watermark of {sorted(tps)} failed: {exc!r}"
            ) from exc
        found.failed.update(dict.fromkeys(tps, f"{type(exc).__name__} (node {node})"))
        return None


async def _fetch_round(
    client: Any,
    offsets: dict[TP, int],
    read_committed: bool,
    result: dict[TP, int],
    max_wait_ms: int,
) -> _Round:
    found = _Round()
    isolation = _READ_COMMITTED if read_committed else _READ_UNCOMMITTED
    for node, tps in (await _leaders(client, offsets, found)).items():
        topics: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for tp in tps:
            topics[tp.topic].append((tp.partition, offsets[tp], 1))
        request = FetchRequest(max_wait_ms, 1, 1, isolation, list(topics.items()))
        response = await _send(client, node, request, tps, found)
        if response is None:
            continue
        for topic, parts in response.topics:
            for partition, code, highwater, *rest in parts:
                tp = TP(topic, partition)
                if code == OffsetOutOfRangeError.errno:
                    found.out_of_range.append(tp)
                elif code:
                    _check_code(tp, code, found)
                elif read_committed and response.API_VERSION >= 4 and rest[0] >= 0:
                    result[tp] = int(rest[0])  # the last stable offset
                else:
                    result[tp] = int(highwater)
    return found


def _check_code(tp: TP, code: int, found: _Round) -> None:
    error = for_code(code)
    if not error.retriable:
        raise TransportError(
            f"Fetching the high watermark of {tp} failed: {error.__name__}"
        )
    found.failed[tp] = error.__name__


async def _log_starts(client: Any, tps: list[TP], found: _Round) -> dict[TP, int]:
    starts: dict[TP, int] = {}
    for node, node_tps in (await _leaders(client, tps, found)).items():
        topics: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for tp in node_tps:
            topics[tp.topic].append((tp.partition, _EARLIEST))
        request = OffsetRequest(-1, _READ_UNCOMMITTED, list(topics.items()))
        response = await _send(client, node, request, node_tps, found)
        if response is None:
            continue
        for topic, parts in response.topics:
            for partition, code, *rest in parts:
                tp = TP(topic, partition)
                if code:
                    _check_code(tp, code, found)
                    continue
                offset = rest[-1]  # v0 answers with a list of offsets
                offset = offset[0] if isinstance(offset, list) else offset
                starts[tp] = int(offset)
    # a start not learnt now is asked for again (from 0, out of range again)
    starts.update({tp: 0 for tp in tps if tp not in starts})
    return starts
