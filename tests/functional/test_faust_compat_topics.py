"""Faust-compatible topic hooks: prepare_headers, derive_topic(internal=)."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import faust
from faust.topics import Topic


class TracedTopic(Topic):
    def prepare_headers(self, headers: Optional[Any]) -> Any:
        prepared = super().prepare_headers(headers) or {}
        prepared["trace"] = b"t-1"
        return prepared


async def test_prepare_headers_override_adds_headers_to_every_message(
    app: faust.App,
) -> None:
    topic = TracedTopic(app, topics=["traced"], value_type=str)
    got: list[dict[str, bytes]] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def read(stream):
        async for event in stream.events():
            got.append(dict(event.headers))
            if len(got) == 2:
                done.set()

    await app.start()
    try:
        await topic.send(value="hello", headers={"user": b"u"})
        await topic.send(value="plain")
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await app.stop()
    # keyless sends may land on different partitions: compare in any order
    assert sorted(got, key=len) == [{"trace": b"t-1"}, {"user": b"u", "trace": b"t-1"}]


def test_prepare_headers_copies_what_it_is_given(app: faust.App) -> None:
    topic = app.topic("plain")
    given = {"a": b"1"}
    prepared = topic.prepare_headers(given)
    assert prepared == given and prepared is not given
    assert topic.prepare_headers([("b", b"2")]) == [("b", b"2")]
    assert topic.prepare_headers(None) is None


def test_derive_topic_keeps_internal_unless_given(app: faust.App) -> None:
    internal = app.topic("base", internal=True)
    assert internal.derive_topic(suffix="-x").internal is True
    assert internal.derive_topic(suffix="-y", internal=False).internal is False
    assert app.topic("other").derive_topic(internal=True).internal is True
