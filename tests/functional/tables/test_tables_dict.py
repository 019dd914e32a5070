"""The dict API of tables on the embedded broker, on memory:// and rocksdb://."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tables_helpers import AppFactory, changelog_records, start_and_recover, wait_for

import faust
from faust.exceptions import PartitionsMismatch


class Op(faust.Record):
    op: str
    key: str
    value: Any = None


def command_agent(app: faust.App, topic: Any, table: Any, results: list[Any]):
    """An agent applying table operations sent as ``Op`` records."""

    @app.agent(topic)
    async def run(stream):
        async for op in stream:
            if op.op == "set":
                table[op.key] = op.value
                results.append(None)
            elif op.op == "incr":
                table[op.key] += op.value
                results.append(table[op.key])
            elif op.op == "del":
                del table[op.key]
                results.append(None)
            elif op.op == "pop":
                results.append(table.pop(op.key, "missing"))
            elif op.op == "setdefault":
                results.append(table.setdefault(op.key, op.value))
            elif op.op == "get":
                results.append(table.get(op.key))
            elif op.op == "read":
                results.append(table[op.key])

    return run


async def send_ops(topic: Any, results: list[Any], *ops: Op) -> list[Any]:
    start = len(results)
    for op in ops:  # one partition: processed in order
        await topic.send(key="one-partition", value=op)
    await wait_for(lambda: len(results) >= start + len(ops))
    return results[start:]


async def test_dict_api_in_a_stream(make_app: AppFactory, store: str) -> None:
    app = make_app(store=store)
    topic = app.topic("ops", value_type=Op, key_type=str)
    table = app.Table("kv", default=int, help="the kv table")
    results: list[Any] = []
    command_agent(app, topic, table, results)
    await start_and_recover(app)

    got = await send_ops(
        topic,
        results,
        Op("set", "a", 1),
        Op("incr", "b", 5),
        Op("incr", "b", 2),
        Op("read", "nope"),
        Op("get", "a"),
    )
    assert got == [None, 5, 7, 0, 1]
    assert dict(table.items()) == {"a": 1, "b": 7}
    assert "a" in table and "nope" not in table  # default() did not store
    assert len(table) == 2 and sorted(table) == ["a", "b"]
    assert sorted(table.keys()) == ["a", "b"] and sorted(table.values()) == [1, 7]

    got = await send_ops(
        topic,
        results,
        Op("del", "a"),
        Op("pop", "b"),
        Op("pop", "b"),
        Op("setdefault", "c", 3),
        Op("setdefault", "c", 4),
    )
    assert got == [None, 7, "missing", 3, 3]
    assert dict(table.items()) == {"c": 3}
    await app.stop()


async def test_changelog_records_are_keyed_like_faust(
    make_app: AppFactory, store: str
) -> None:
    app = make_app(store=store)
    topic = app.topic("ops", value_type=Op, key_type=str)
    table = app.Table("kv")
    results: list[Any] = []
    command_agent(app, topic, table, results)
    await start_and_recover(app)
    source = app.topic("ops").get_topic_name()

    await send_ops(topic, results, Op("set", "k1", {"x": 1}), Op("del", "k1"))
    await app.maybe_flush_producer()
    records = changelog_records(app, table)
    assert table.changelog_topic.get_topic_name() == f"{app.conf.id}-kv-changelog"
    assert [(key, value) for _, key, value in records] == [
        (b'"k1"', b'{"x":1}'),
        (b'"k1"', None),  # a delete is a tombstone
    ]
    # the record went to the partition of the event that wrote it
    broker = app.transport.broker  # type: ignore[attr-defined]
    source_partition = next(
        p for p in range(4) if broker.fetch(faust.types.TP(source, p), 0).records
    )
    assert {partition for partition, _, _ in records} == {source_partition}
    description = broker.describe_topic(table.changelog_topic.get_topic_name())
    assert "compact" in str(description)
    await app.stop()


async def test_write_outside_a_stream_is_refused(make_app: AppFactory) -> None:
    app = make_app()
    table = app.Table("kv")
    await start_and_recover(app)
    with pytest.raises(TypeError, match="outside of stream iteration"):
        table["a"] = 1
    with pytest.raises(TypeError, match="use_partitioner=True"):
        table.setdefault("a", 1)
    assert "a" not in table  # nothing was stored
    assert changelog_records(app, table) == []
    await app.stop()


async def test_use_partitioner_writes_anywhere(
    make_app: AppFactory, store: str
) -> None:
    app = make_app(store=store)
    table = app.Table("kv", use_partitioner=True)
    await start_and_recover(app)
    table["a"] = 1
    table["b"] = 2
    assert table["a"] == 1
    del table["b"]
    await app.maybe_flush_producer()
    records = changelog_records(app, table)
    assert sorted((k, v or b"") for _, k, v in records) == [
        (b'"a"', b"1"),
        (b'"b"', b""),
        (b'"b"', b"2"),
    ]
    for partition, key, _ in records:
        assert partition == table.partition_for_key(json.loads(key))
    await app.stop()


async def test_copartitioning_check_says_how_to_fix(make_app: AppFactory) -> None:
    app = make_app()
    topic = app.topic("eight", value_type=int, partitions=8)
    table = app.Table("kv", partitions=4)
    errors: list[BaseException] = []

    @app.agent(topic)
    async def write(stream):
        async for value in stream:
            try:
                table[str(value)] = value
            except PartitionsMismatch as exc:
                errors.append(exc)

    await topic.declare()  # create it with 8 partitions
    await start_and_recover(app)
    await topic.send(key=b"x", value=1)
    await wait_for(lambda: bool(errors))
    message = str(errors[0])
    assert "'eight', which has 8 partitions" in message
    assert "partitions=8" in message and "group_by()" in message
    assert "1" not in table
    await app.stop()


async def test_bad_values_are_rejected_and_nothing_stored(make_app: AppFactory) -> None:
    app = make_app()
    table = app.Table("kv", use_partitioner=True)
    await start_and_recover(app)
    with pytest.raises(Exception):  # noqa: B017 - the codec's own error
        table["a"] = object()
    assert "a" not in table
    await app.maybe_flush_producer()
    assert changelog_records(app, table) == []
    await app.stop()


async def test_table_info_clone_and_ansitable(make_app: AppFactory) -> None:
    app = make_app()
    table = app.Table("kv", default=int, help="counts", use_partitioner=True)
    assert table.help == "counts" and table.default is int
    assert table.info()["name"] == "kv"
    copy = table.clone(name="kv2")
    assert copy.name == "kv2" and copy.default is int
    assert copy.changelog_topic.get_topic_name().endswith("-kv2-changelog")
    assert app.tables["kv"] is table
    with pytest.raises(ValueError, match="already exists"):
        app.Table("kv")
    await start_and_recover(app)
    with pytest.raises(RuntimeError, match="Too late to add table"):
        app.Table("late")
    table["apple"] = 3
    table["pear"] = 10
    text = table.as_ansitable(sort=True)
    assert "kv" in text and "apple" in text and "10" in text
    assert text.index("apple") < text.index("pear")
    assert "Key" in text and "Value" in text
    await app.stop()


async def test_tables_in_agent_test_context(make_app: AppFactory) -> None:
    """Users test agents that write tables with test_context()."""
    app = make_app()
    topic = app.topic("orders", value_type=int)
    totals = app.Table("totals", default=int)

    @app.agent(topic)
    async def add(stream):
        async for amount in stream.events():
            totals[amount.key] += amount.value
            yield totals[amount.key]

    async with add.test_context() as agent:
        await agent.put(key="alice", value=3)
        event = await agent.put(key="alice", value=4)
        assert agent.results[event.message.offset] == 7
    assert totals["alice"] == 7
