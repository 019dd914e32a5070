"""The batcher: one record batch per partition, completed from its base offset."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError
from fake_aio import FakeAIOProducer

from faust.exceptions import MessageSizeTooLarge, NotReady, TransportError
from faust.transport.drivers.aiokafka import batcher as batcher_module
from faust.transport.drivers.aiokafka.batcher import Batcher
from faust.utils.murmur2 import partition_for_key


class Done:
    """Records every ``on_done(fut, state, metadata, exc)`` call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any, Any, Any]] = []

    def __call__(self, fut: Any, state: Any, metadata: Any, exc: Any) -> None:
        self.calls.append((fut, state, metadata, exc))

    @property
    def offsets(self) -> list[int]:
        return [md.offset for _, _, md, _ in self.calls]


def make(partitions=None, *, max_request_size=1_000_000, partitioner=None, **kw):
    fake = FakeAIOProducer(partitions if partitions is not None else {"t": 4}, **kw)
    batcher = Batcher(max_request_size=max_request_size, partitioner=partitioner)
    batcher.attach(fake)
    return batcher, fake


def append(batcher, done, value=b"v", *, topic="t", key=None, partition=0, n=None):
    return batcher.append(topic, key, value, partition, None, [], done, n, None)


async def test_one_batch_per_partition_completed_in_send_order() -> None:
    batcher, fake = make()
    done = Done()
    for i in range(5):
        assert append(batcher, done, b"v%d" % i, partition=1, n=i)
    append(batcher, done, b"other", partition=2, n="other")
    assert fake.sent == []  # nothing leaves before the hand-over
    await batcher.hand_over()
    assert [(s.topic, s.partition) for s in fake.sent] == [("t", 1), ("t", 2)]
    assert [r.value for r in fake.sent[0].records()] == [b"v%d" % i for i in range(5)]
    fake.sent[0].ack(base_offset=100)
    await asyncio.sleep(0)
    assert [c[0] for c in done.calls] == [0, 1, 2, 3, 4]
    assert done.offsets == [100, 101, 102, 103, 104]
    assert all(c[3] is None for c in done.calls)


async def test_create_time_comes_from_each_record_log_append_time_from_broker() -> None:
    batcher, fake = make()
    done = Done()
    batcher.append("t", None, b"a", 0, 1_500, [], done, None, None)
    batcher.append("t", None, b"b", 0, 2_500, [("h", b"x")], done, None, None)
    batcher.append("t", None, b"c", 1, 3_500, [], done, None, None)
    await batcher.hand_over()
    records = fake.sent[0].records()
    assert [r.timestamp for r in records] == [1_500, 2_500]
    assert records[1].headers == [("h", b"x")]
    fake.sent[0].ack(0, timestamp=-1)  # CreateTime: the broker keeps ours
    fake.sent[1].ack(0, timestamp=9_999)  # LogAppendTime: the broker's
    await asyncio.sleep(0)
    assert [md.timestamp for _, _, md, _ in done.calls] == [1_500, 2_500, 9_999]


async def test_a_partition_has_one_batch_in_flight_the_next_ones_wait() -> None:
    batcher, fake = make(batch_size=200)
    done = Done()
    for i in range(10):
        append(batcher, done, b"x" * 50, n=i)
    base = 0
    while True:
        await batcher.hand_over()
        unacked = [s for s in fake.sent if not s.future.done()]
        if not unacked:
            break
        assert len(unacked) == 1  # one at a time: order kept, no wasted waits
        unacked[0].ack(base)
        base += len(unacked[0].records())
        await asyncio.sleep(0)
    assert len(fake.sent) > 1  # 200-byte batches: the messages took several
    assert [c[0] for c in done.calls] == list(range(10))
    assert done.offsets == list(range(10))


async def test_while_a_batch_is_in_flight_the_next_one_fills_up() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, n=0)
    await batcher.hand_over()
    for i in range(1, 6):
        append(batcher, done, n=i)
        await batcher.hand_over()
    assert len(fake.sent) == 1
    fake.sent[0].ack(0)
    await asyncio.sleep(0)
    await batcher.hand_over()
    assert len(fake.sent) == 2
    assert len(fake.sent[1].records()) == 5  # one batch, not five


async def test_other_partitions_do_not_wait_for_one_in_flight() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, partition=0)
    await batcher.hand_over()
    append(batcher, done, partition=0)
    append(batcher, done, partition=1)
    await batcher.hand_over()
    assert [s.partition for s in fake.sent] == [0, 1]


async def test_keys_are_partitioned_by_murmur2_or_the_configured_partitioner() -> None:
    batcher, fake = make({"t": 6})
    done = Done()
    append(batcher, done, key=b"key", partition=None)
    await batcher.hand_over()
    assert fake.sent[0].partition == partition_for_key(b"key", 6)

    def last(key, all_partitions, available):
        return all_partitions[-1]

    batcher, fake = make({"t": 6}, partitioner=last)
    append(batcher, done, key=b"key", partition=None)
    await batcher.hand_over()
    assert fake.sent[0].partition == 5


async def test_messages_without_key_go_to_an_available_partition() -> None:
    batcher, fake = make({"t": 3})
    fake.client.cluster.unavailable = {0, 2}
    batcher._on_metadata(fake.client.cluster)
    done = Done()
    for _ in range(5):
        append(batcher, done, partition=None)
    await batcher.hand_over()
    assert {s.partition for s in fake.sent} == {1}


async def test_a_partition_that_does_not_exist_is_refused() -> None:
    batcher, fake = make({"t": 2})
    with pytest.raises(TransportError, match="partition 7 of 't'"):
        append(batcher, Done(), partition=7)
    await batcher.hand_over()
    assert fake.sent == []


async def test_a_too_large_message_is_refused_and_nothing_is_sent() -> None:
    batcher, fake = make(max_request_size=2000)
    done = Done()
    with pytest.raises(MessageSizeTooLarge, match="producer_max_request_size"):
        append(batcher, done, b"x" * 3000)
    append(batcher, done, b"small")
    await batcher.hand_over()
    assert [r.value for r in fake.sent[0].records()] == [b"small"]


async def test_unknown_metadata_is_waited_for_and_the_topic_tracked() -> None:
    batcher, fake = make({})
    done = Done()
    assert not batcher.ready("new")
    assert not append(batcher, done, topic="new")
    fake.client.add_topic.assert_called_with("new")  # aiokafka fetches it
    fake.metadata_arrives["new"] = 2
    await batcher.wait_until_ready("new")
    assert batcher.ready("new")
    assert append(batcher, done, topic="new", partition=1)


async def test_metadata_that_cannot_be_had_is_a_transport_error() -> None:
    batcher, fake = make({})

    async def fails(topic):
        raise KafkaTimeoutError("no leader")

    fake.partitions_for = fails
    with pytest.raises(TransportError, match="No metadata for topic 'gone'"):
        await batcher.wait_until_ready("gone")


async def test_more_partitions_in_new_metadata_are_used() -> None:
    batcher, fake = make({"t": 2})
    done = Done()
    with pytest.raises(TransportError):
        append(batcher, done, partition=3)
    fake.client.cluster.update("t", 4)
    assert append(batcher, done, partition=3)


async def test_senders_wait_while_too_much_is_buffered(monkeypatch) -> None:
    monkeypatch.setattr(batcher_module, "MAX_BUFFERED_BYTES", 100)
    batcher, fake = make()
    done = Done()
    assert append(batcher, done, b"x" * 100)
    assert not batcher.ready("t")
    assert not append(batcher, done, b"y")
    waiter = asyncio.ensure_future(batcher.wait_until_ready("t"))
    await asyncio.sleep(0)
    assert not waiter.done()
    await batcher.hand_over()
    await asyncio.wait_for(waiter, 1)
    assert append(batcher, done, b"y")


async def test_a_failed_batch_fails_each_of_its_messages() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, n=1)
    append(batcher, done, n=2)
    await batcher.hand_over()
    fake.sent[0].future.set_exception(KafkaTimeoutError("no ack"))
    await asyncio.sleep(0)
    assert [c[0] for c in done.calls] == [1, 2]
    assert all(isinstance(c[3], KafkaTimeoutError) for c in done.calls)
    assert done.calls[0][3] is not done.calls[1][3]  # one traceback each


async def test_a_refused_hand_over_fails_the_batch_and_goes_on() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, n=1, partition=0)
    fake.send_error = KafkaTimeoutError("accumulator full")
    await batcher.hand_over()
    assert isinstance(done.calls[0][3], KafkaTimeoutError)
    fake.send_error = None
    append(batcher, done, n=2, partition=0)
    await batcher.hand_over()
    assert len(fake.sent) == 1


async def test_acks_zero_completes_without_metadata() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, n=1)
    await batcher.hand_over()
    fake.sent[0].future.set_result(None)
    await asyncio.sleep(0)
    assert done.calls == [(1, None, None, None)]


async def test_a_failing_callback_does_not_stop_the_others(caplog) -> None:
    batcher, fake = make()
    done = Done()

    def boom(*args):
        raise RuntimeError("callback bug")

    batcher.append("t", None, b"a", 0, None, [], boom, None, None)
    append(batcher, done, n=2)
    await batcher.hand_over()
    fake.sent[0].ack(0)
    await asyncio.sleep(0)
    assert done.offsets == [1]
    assert "Completing a sent message failed" in caplog.text


async def test_flush_returns_once_every_message_is_completed() -> None:
    batcher, fake = make(batch_size=100)
    done = Done()
    append(batcher, done, b"x" * 80, n=1)
    append(batcher, done, b"y" * 80, n=2)  # the next batch, after the first
    flushing = asyncio.ensure_future(batcher.flush())
    while not fake.sent:
        await asyncio.sleep(0)
    fake.sent[0].ack(7)
    while len(fake.sent) < 2:
        await asyncio.sleep(0)
    assert not flushing.done()
    fake.sent[1].ack(8)
    await asyncio.wait_for(flushing, 1)
    assert done.offsets == [7, 8]


async def test_flush_does_not_wait_for_messages_sent_after_it() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, n=1)
    flushing = asyncio.ensure_future(batcher.flush())
    while not fake.sent:
        await asyncio.sleep(0)
    append(batcher, done, n=2)  # after the flush began
    fake.sent[0].ack(0)
    await asyncio.wait_for(flushing, 1)
    assert done.offsets == [0]


async def test_the_submitter_hands_over_what_one_loop_turn_appended() -> None:
    batcher, fake = make()
    await batcher.start()
    try:
        done = Done()
        for i in range(3):
            append(batcher, done, n=i)
        while not fake.sent:
            await asyncio.sleep(0)
        assert len(fake.sent) == 1 and len(fake.sent[0].records()) == 3
    finally:
        await batcher.stop()


async def test_messages_not_handed_over_fail_when_the_producer_goes() -> None:
    batcher, fake = make()
    done = Done()
    append(batcher, done, n=1)
    batcher.detach()
    assert isinstance(done.calls[0][3], NotReady)
    assert not batcher.ready("t")
    assert not append(batcher, done)
    with pytest.raises(NotReady):
        await batcher.wait_until_ready("t")


async def test_senders_wait_while_too_many_messages_await_their_ack(
    monkeypatch,
) -> None:
    monkeypatch.setattr(batcher_module, "MAX_PENDING", 2)
    batcher, fake = make()
    done = Done()
    assert append(batcher, done, n=1)
    assert append(batcher, done, n=2)
    assert not batcher.ready("t")
    assert not append(batcher, done, n=3)
    await batcher.hand_over()  # handed over, but not acknowledged yet
    waiter = asyncio.ensure_future(batcher.wait_until_ready("t"))
    await asyncio.sleep(0)
    assert not waiter.done()
    fake.sent[0].ack(0)
    await asyncio.wait_for(waiter, 1)
    assert append(batcher, done, n=3)


async def test_a_message_no_batch_takes_is_refused_and_flush_still_returns() -> None:
    batcher, fake = make()

    class Refusing:
        def append(self, **kwargs):
            return None

        def close(self):
            pass

    fake.create_batch = Refusing
    with pytest.raises(MessageSizeTooLarge, match="producer_max_batch_size"):
        append(batcher, Done())
    await asyncio.wait_for(batcher.flush(), 1)
    assert fake.sent == []
