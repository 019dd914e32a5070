"""Topic administration on a real broker (used by ``faust reset``)."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient
from worker_helpers import servers


async def _list_topics(url: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers(url))
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_delete_topics(kafka_app, kafka_url, unique_topic) -> None:
    name = unique_topic("to-delete")
    await kafka_app.topic(name, partitions=2).declare()
    assert name in await _list_topics(kafka_url)
    await kafka_app.transport.delete_topics([name])
    assert name not in await _list_topics(kafka_url)
    # deleting a topic that is already gone is not an error
    await kafka_app.transport.delete_topics([name])
