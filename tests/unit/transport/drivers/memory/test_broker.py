import pytest

from faust.exceptions import MessageSizeTooLarge, TransportError
from faust.transport.drivers.memory.broker import (
    TIMESTAMP_CREATE_TIME,
    TIMESTAMP_LOG_APPEND_TIME,
    BrokerClosed,
    CreateTopicResult,
    InvalidRequest,
    MemoryBroker,
    OffsetOutOfRange,
    OffsetReset,
    TopicDescription,
    UnknownTopicOrPartition,
)
from faust.types.tuples import TP, RecordMetadata
from faust.utils.murmur2 import partition_for_key


class FakeClock:
    """A settable clock for the broker (seconds)."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
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


# -- registry ---------------------------------------------------------------


def test_for_url_shares_one_broker_per_name():
    a = MemoryBroker.for_url("memory://")
    assert MemoryBroker.for_url("memory:") is a
    assert MemoryBroker.for_url("memory:///") is a
    named = MemoryBroker.for_url("memory://Other")
    assert named is MemoryBroker.for_url("memory://other")
    assert named is not a
    assert named.name == "other"


def test_for_url_accepts_url_objects_and_options():
    import yarl

    broker = MemoryBroker.for_url(yarl.URL("memory://x"), default_partitions=3)
    assert broker.default_partitions == 3
    # Options only apply when the broker is created.
    assert MemoryBroker.for_url("memory://x", default_partitions=5) is broker
    assert broker.default_partitions == 3


def test_two_apps_see_each_others_records():
    MemoryBroker.for_url("memory://").produce("t", b"k", b"v")
    result = MemoryBroker.for_url("memory://").fetch(TP("t", 0), 0)
    assert [r[2] for r in result.records] == [b"v"]


def test_close_unregisters_and_for_url_makes_a_new_broker():
    a = MemoryBroker.for_url("memory://")
    a.produce("t", b"k", b"v")
    a.close()
    assert a.closed
    b = MemoryBroker.for_url("memory://")
    assert b is not a
    assert b.list_topics() == {}
    a.close()  # twice is fine


def test_reset_all_closes_every_registered_broker():
    a = MemoryBroker.for_url("memory://")
    b = MemoryBroker.for_url("memory://b")
    MemoryBroker.reset_all()
    assert a.closed and b.closed
    assert MemoryBroker.for_url("memory://") is not a


def test_closed_broker_refuses_calls(broker):
    broker.create_topic("t")
    broker.close()
    for call in (
        lambda: broker.produce("t", b"k", b"v"),
        lambda: broker.fetch(TP("t", 0), 0),
        lambda: broker.create_topic("x"),
        lambda: broker.list_topics(),
        lambda: broker.join_group("g", ["t"]),
        lambda: broker.init_transactions("x"),
    ):
        with pytest.raises(BrokerClosed, match="closed"):
            call()
    assert "closed" in repr(broker)


def test_constructor_validates_options():
    with pytest.raises(InvalidRequest):
        MemoryBroker(default_partitions=0)
    with pytest.raises(InvalidRequest):
        MemoryBroker(compaction_threshold=0)


# -- topics -----------------------------------------------------------------


def test_create_topic_and_existing_topic_is_a_no_op(broker):
    assert broker.create_topic("t", 3) == CreateTopicResult("t", True, 3)
    broker.produce("t", b"k", b"v", partition=1)
    assert broker.create_topic("t", 5) == CreateTopicResult("t", False, 3)
    assert broker.partitions_for("t") == 3
    assert broker.end_offsets([TP("t", 1)]) == {TP("t", 1): 1}  # data kept


def test_create_topic_defaults_and_config(broker):
    broker.create_topic(
        "c", config={"cleanup.policy": "compact,delete", "retention.ms": 10, "x": 1}
    )
    assert broker.describe_topic("c") == TopicDescription(
        "c", 1, {"cleanup.policy": "compact,delete", "retention.ms": "10", "x": "1"}
    )
    assert broker.list_topics() == {"c": 1}


@pytest.mark.parametrize(
    "name,partitions,config,match",
    [
        ("bad name", 1, None, "invalid topic name"),
        ("", 1, None, "invalid topic name"),
        ("..", 1, None, "invalid topic name"),
        ("x" * 250, 1, None, "invalid topic name"),
        ("t", 0, None, "at least 1 partition"),
        ("t", True, None, "at least 1 partition"),
        ("t", 1, {"cleanup.policy": "forever"}, "cleanup.policy"),
        ("t", 1, {"cleanup.policy": ""}, "cleanup.policy"),
        ("t", 1, {"retention.ms": "soon"}, "not an integer"),
        ("t", 1, {"retention.ms": -5}, "negative"),
        ("t", 1, {"max.message.bytes": -1}, "max.message.bytes"),
        ("t", 1, {"delete.retention.ms": -1}, "delete.retention.ms"),
        ("t", 1, {"message.timestamp.type": "Now"}, "timestamp.type"),
        ("t", 1, {"retention.ms": True}, "not an integer"),
    ],
)
def test_create_topic_rejects_bad_input(broker, name, partitions, config, match):
    with pytest.raises(InvalidRequest, match=match):
        broker.create_topic(name, partitions, config=config)
    assert broker.list_topics() == {}


def test_cleanup_policy_as_list(broker):
    broker.create_topic("t", config={"cleanup.policy": ["compact", "delete"]})
    assert broker.describe_topic("t").config["cleanup.policy"] == "compact,delete"


def test_delete_topic(broker):
    broker.create_topic("t")
    broker.produce("t", b"k", b"v")
    broker.commit_offsets("g", {TP("t", 0): 1})
    assert broker.delete_topic("t") is True
    assert broker.delete_topic("t") is False
    assert broker.partitions_for("t") is None
    assert broker.committed_offsets("g") == {}
    with pytest.raises(UnknownTopicOrPartition):
        broker.fetch(TP("t", 0), 0)
    with pytest.raises(UnknownTopicOrPartition):
        broker.describe_topic("t")


def test_create_partitions(broker):
    broker.create_topic("t", 2)
    broker.create_partitions("t", 4)
    assert broker.partitions_for("t") == 4
    with pytest.raises(InvalidRequest, match="only be added"):
        broker.create_partitions("t", 4)
    with pytest.raises(UnknownTopicOrPartition):
        broker.create_partitions("nope", 4)


# -- produce ----------------------------------------------------------------


def test_produce_returns_metadata(broker, clock):
    broker.create_topic("t", 2)
    md = broker.produce("t", b"k", b"v", partition=1, headers=[("h", b"x")])
    assert md == RecordMetadata("t", 1, TP("t", 1), 0, clock.now, TIMESTAMP_CREATE_TIME)
    assert isinstance(md, RecordMetadata)
    assert md.topic_partition == TP("t", 1)
    record = broker.fetch(TP("t", 1), 0).records[0]
    assert record == (0, b"k", b"v", clock.now, 0, (("h", b"x"),))


def test_produce_keyed_uses_kafka_partitioning(broker):
    broker.create_topic("t", 7)
    for i in range(100):
        key = b"key-%d" % i
        assert broker.produce("t", key, b"v").partition == partition_for_key(key, 7)
    # Same again from the partition cache.
    for i in range(100):
        key = b"key-%d" % i
        assert broker.produce("t", key, b"v").partition == partition_for_key(key, 7)


def test_produce_without_key_round_robins(broker):
    broker.create_topic("t", 3)
    parts = [broker.produce("t", None, b"v").partition for _ in range(6)]
    assert parts == [0, 1, 2, 0, 1, 2]


def test_produce_explicit_timestamp_and_log_append_time(broker, clock):
    broker.create_topic("t")
    broker.create_topic("la", config={"message.timestamp.type": "LogAppendTime"})
    md = broker.produce("t", b"k", b"v", timestamp=12.5)
    assert (md.timestamp, md.timestamp_type) == (12.5, TIMESTAMP_CREATE_TIME)
    md = broker.produce("la", b"k", b"v", timestamp=12.5)
    assert (md.timestamp, md.timestamp_type) == (clock.now, TIMESTAMP_LOG_APPEND_TIME)


def test_produce_copies_mutable_buffers(broker):
    key = bytearray(b"key")
    broker.produce("t", key, memoryview(b"value"))
    key[0] = ord("X")
    record = broker.fetch(TP("t", 0), 0).records[0]
    assert (record[1], record[2]) == (b"key", b"value")
    assert type(record[1]) is bytes and type(record[2]) is bytes


def test_produce_tombstone_and_null_key(broker):
    broker.produce("t", None, None)
    assert broker.fetch(TP("t", 0), 0).records[0][1:3] == (None, None)


def test_auto_create_on_produce(broker):
    broker.default_partitions = 4
    broker.produce("new", b"k", b"v")
    assert broker.partitions_for("new") == 4


def test_no_auto_create(clock):
    broker = MemoryBroker(auto_create_topics=False)
    with pytest.raises(UnknownTopicOrPartition, match="create it first"):
        broker.produce("new", b"k", b"v")
    assert broker.list_topics() == {}


def test_message_too_large_raises_and_writes_nothing(broker):
    broker.create_topic("t", config={"max.message.bytes": 10})
    broker.produce("t", b"12345", b"12345")  # exactly the limit
    with pytest.raises(MessageSizeTooLarge) as exc:
        broker.produce("t", b"12345", b"123456")
    assert "11 bytes" in str(exc.value)
    assert "max.message.bytes=10" in str(exc.value)
    with pytest.raises(MessageSizeTooLarge):
        broker.produce("t", b"k", b"v", headers=[("header", b"123")])
    assert broker.end_offsets([TP("t", 0)]) == {TP("t", 0): 1}
    assert isinstance(exc.value, TransportError)


def test_broker_default_message_max_bytes():
    broker = MemoryBroker(message_max_bytes=4)
    with pytest.raises(MessageSizeTooLarge):
        broker.produce("t", None, b"12345")
    assert broker.end_offsets([TP("t", 0)]) == {TP("t", 0): 0}


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"key": "str"}, "key must be bytes"),
        ({"value": 42}, "value must be bytes"),
        ({"headers": [("h", "str")]}, "header"),
        ({"headers": [(b"h", b"x")]}, "header"),
        ({"headers": [("h",)]}, "header"),
        ({"timestamp": -1.0}, "negative timestamp"),
    ],
)
def test_produce_rejects_bad_input_and_writes_nothing(broker, kwargs, match):
    broker.create_topic("t")
    args = {"key": b"k", "value": b"v", **kwargs}
    with pytest.raises(InvalidRequest, match=match):
        broker.produce("t", args.pop("key"), args.pop("value"), **args)
    assert broker.end_offsets([TP("t", 0)]) == {TP("t", 0): 0}


def test_produce_header_with_null_value(broker):
    broker.produce("t", b"k", b"v", headers=[("h", None)])
    assert broker.fetch(TP("t", 0), 0).records[0][5] == (("h", None),)


def test_produce_unknown_partition(broker):
    broker.create_topic("t", 2)
    for partition in (2, -1):
        with pytest.raises(UnknownTopicOrPartition, match="no partition"):
            broker.produce("t", b"k", b"v", partition=partition)


def test_compacted_topic_needs_keys(broker):
    broker.create_topic("c", config={"cleanup.policy": "compact"})
    with pytest.raises(InvalidRequest, match="needs a message key"):
        broker.produce("c", None, b"v")


# -- fetch ------------------------------------------------------------------


def test_fetch_result_fields(broker):
    for i in range(5):
        broker.produce("t", b"k", b"v%d" % i)
    result = broker.fetch(TP("t", 0), 1, max_records=2)
    assert [r[0] for r in result.records] == [1, 2]
    assert result.next_offset == 3
    assert result.high_watermark == 5
    assert result.last_stable_offset == 5
    assert result.log_start_offset == 0
    assert result.reset_to is None


def test_fetch_out_of_range(broker):
    for _ in range(5):
        broker.produce("t", b"k", b"v")
    broker.delete_records(TP("t", 0), 2)
    tp = TP("t", 0)
    for offset in (0, 1, 6, -1):
        with pytest.raises(OffsetOutOfRange) as exc:
            broker.fetch(tp, offset)
        assert (exc.value.log_start_offset, exc.value.high_watermark) == (2, 5)
        assert exc.value.tp == tp
        assert "out of range" in str(exc.value)
    result = broker.fetch(tp, 0, reset=OffsetReset.EARLIEST)
    assert result.reset_to == 2
    assert [r[0] for r in result.records] == [2, 3, 4]
    result = broker.fetch(tp, 99, reset="latest")
    assert (result.reset_to, result.records, result.next_offset) == (5, [], 5)
    assert broker.fetch(tp, 5).records == []  # the end is in range
    with pytest.raises(ValueError):
        broker.fetch(tp, 99, reset="sometimes")


def test_fetch_bad_arguments(broker):
    broker.create_topic("t", 2)
    with pytest.raises(InvalidRequest):
        broker.fetch(TP("t", 0), 0, max_records=0)
    with pytest.raises(InvalidRequest):
        broker.fetch(TP("t", 0), 0, max_bytes=-1)
    with pytest.raises(UnknownTopicOrPartition, match="no partition 2"):
        broker.fetch(TP("t", 2), 0)
    with pytest.raises(UnknownTopicOrPartition, match="does not exist"):
        broker.fetch(TP("nope", 0), 0)


def test_offset_queries(broker, clock):
    broker.create_topic("t", 2)
    for ts in (10.0, 20.0, 30.0):
        broker.produce("t", b"k", b"v", partition=0, timestamp=ts)
    tps = [TP("t", 0), TP("t", 1)]
    assert broker.end_offsets(tps) == {TP("t", 0): 3, TP("t", 1): 0}
    assert broker.beginning_offsets(tps) == {TP("t", 0): 0, TP("t", 1): 0}
    assert broker.offset_for_time(TP("t", 0), 15.0) == (1, 20.0)
    assert broker.offset_for_time(TP("t", 0), 31.0) is None
    assert broker.log(TP("t", 0)).high_watermark == 3


def test_cleanup_policy_of_wrong_type(broker):
    with pytest.raises(InvalidRequest, match="cleanup.policy"):
        broker.create_topic("t", config={"cleanup.policy": 5})


def test_partition_cache_is_bounded(broker, monkeypatch):
    from faust.transport.drivers.memory.broker_topics import MemoryTopic

    monkeypatch.setattr(MemoryTopic, "partition_cache_size", 4)
    broker.create_topic("t", 5)
    for i in range(20):
        key = b"key-%d" % i
        assert broker.produce("t", key, b"v").partition == partition_for_key(key, 5)
    assert len(broker._topics["t"]._partition_of) <= 4
    assert "MemoryTopic 't'" in repr(broker._topics["t"])


def test_partition_cache_follows_partition_growth(broker):
    broker.create_topic("t", 2)
    broker.produce("t", b"key-3", b"v")
    broker.create_partitions("t", 7)
    assert broker.produce("t", b"key-3", b"v").partition == partition_for_key(
        b"key-3", 7
    )
