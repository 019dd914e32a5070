"""Subscribed topics that do not exist yet: metadata is asked for again."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from unittest.mock import AsyncMock

import pytest
from aiokafka.errors import KafkaConnectionError

from faust.transport.drivers.aiokafka.subscription import refresh_while_missing


def consumer(subscribed: set[str], known: set[str]) -> SimpleNamespace:
    client = SimpleNamespace(
        cluster=SimpleNamespace(topics=lambda: set(known)),
        force_metadata_update=AsyncMock(),
    )
    return SimpleNamespace(_client=client, subscription=lambda: set(subscribed))


async def test_missing_topic_refreshes_metadata_and_is_logged_once(caplog) -> None:
    c = consumer({"orders", "payments"}, {"orders"})
    reported: set[str] = set()
    with caplog.at_level(logging.INFO):
        assert await refresh_while_missing(c, reported) == {"payments"}
        assert await refresh_while_missing(c, reported) == {"payments"}
    assert c._client.force_metadata_update.await_count == 2
    waiting = [r for r in caplog.records if "Waiting for topic(s)" in r.message]
    assert len(waiting) == 1 and "payments" in waiting[0].message


async def test_nothing_missing_asks_nothing() -> None:
    c = consumer({"orders"}, {"orders", "other"})
    reported = {"orders"}
    assert await refresh_while_missing(c, reported) == set()
    c._client.force_metadata_update.assert_not_awaited()
    assert reported == set()  # a topic that goes missing again is logged again


async def test_a_failed_refresh_is_tried_again_next_round() -> None:
    c = consumer({"orders"}, set())
    c._client.force_metadata_update.side_effect = KafkaConnectionError("away")
    assert await refresh_while_missing(c, set()) == {"orders"}


@pytest.mark.parametrize("known", [set(), {"x"}])
async def test_no_subscription_is_nothing_missing(known) -> None:
    c = consumer(set(), known)
    assert await refresh_while_missing(c, set()) == set()
