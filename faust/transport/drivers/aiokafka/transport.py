"""The ``kafka://`` transport (aiokafka): the clients and topic admin.

:class:`Transport` creates the aiokafka :class:`~.producer.Producer` and
:class:`~.consumer.Consumer`; how they connect (addresses, credentials,
retries) is in :mod:`.connection`, re-exported here for the older import
paths. :class:`TopicCreator` creates topics through the admin API, leaves
existing ones alone, and raises :class:`~faust.exceptions.TopicConflict` when
an existing topic has another partition count.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Optional

import aiokafka
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
)
from mode import Seconds, want_seconds
from yarl import URL

from ....exceptions import TopicConflict, TransportError
from ....types import AppT
from ...base import Transport as BaseTransport
from .connection import (
    DEFAULT_PORT,
    auth_of,
    close_quietly,
    connect,
    credentials_to_aiokafka_auth,
    server_list,
    to_ms,
)

__all__ = [
    "Transport",
    "TopicCreator",
    "auth_of",
    "connect",
    "credentials_to_aiokafka_auth",
    "server_list",
    "to_ms",
    "topic_config",
]

logger = logging.getLogger(__name__)


def topic_config(
    config: Optional[Mapping[str, Any]] = None,
    retention: Optional[Seconds] = None,
    compacting: Optional[bool] = None,
    deleting: Optional[bool] = None,
) -> dict[str, str]:
    """Kafka topic configuration (string values) from faust's topic options."""
    cfg = {str(k): str(v) for k, v in (config or {}).items()}
    policies = [
        name for flag, name in ((compacting, "compact"), (deleting, "delete")) if flag
    ]
    if policies:
        cfg["cleanup.policy"] = ",".join(sorted(policies))
    if retention:
        cfg["retention.ms"] = str(int(want_seconds(retention) * 1000))
    return cfg


class TopicCreator:
    """Creates topics through a lazily started admin client.

    Arguments:
        app: the app (settings).
        urls: broker URLs.
    """

    def __init__(self, app: AppT, urls: list[URL]) -> None:
        self.app = app
        self.servers = server_list(urls)
        self._admin: Optional[AIOKafkaAdminClient] = None
        self._lock = asyncio.Lock()

    def _new_admin(self) -> AIOKafkaAdminClient:
        conf = self.app.conf
        return AIOKafkaAdminClient(
            bootstrap_servers=self.servers,
            client_id=conf.broker_client_id,
            request_timeout_ms=to_ms(conf.broker_request_timeout),
            **auth_of(self.app),
        )

    async def _get_admin(self) -> AIOKafkaAdminClient:
        async with self._lock:
            if self._admin is None:
                self._admin = await connect(
                    self._new_admin,
                    what="admin client",
                    servers=self.servers,
                    timeout=float(self.app.conf.broker_request_timeout),
                    auth=auth_of(self.app),
                )
            return self._admin

    async def create_topic(
        self,
        topic: str,
        partitions: int,
        replication: int,
        *,
        config: Optional[Mapping[str, Any]] = None,
        timeout: Seconds = 1000.0,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
    ) -> bool:
        """Create ``topic``; returns False if it existed already.

        Raises:
            TopicConflict: the topic exists with another partition count.
            TransportError: the broker refused to create it.
        """
        admin = await self._get_admin()
        new = NewTopic(
            topic,
            partitions,
            replication,
            topic_configs=topic_config(config, retention, compacting, deleting),
        )
        try:
            response = await admin.create_topics([new], timeout_ms=to_ms(timeout))
        except KafkaError as exc:
            raise TransportError(f"Cannot create topic {topic!r}: {exc!r}") from exc
        for _name, code, message, *_ in response.topic_errors:
            if code == 0:
                logger.info("Created topic %r (%d partitions)", topic, partitions)
                timeout = float(self.app.conf.broker_request_timeout)
                if not await self._until_listed(
                    admin, {topic}, listed=True, timeout=timeout
                ):
                    logger.warning(
                        "Topic %r is not listed by the brokers %.0f s after its "
                        "creation",
                        topic,
                        timeout,
                    )
                return True
            if code == TopicAlreadyExistsError.errno:
                await self._check_existing(admin, topic, partitions)
                return False
            raise TransportError(
                f"Cannot create topic {topic!r} with {partitions} partitions and "
                f"replication factor {replication}: error {code} {message or ''}"
            )
        return False

    async def _check_existing(
        self, admin: AIOKafkaAdminClient, topic: str, partitions: int
    ) -> None:
        found = await admin.describe_topics([topic])
        for desc in found:
            if desc.get("topic") == topic:
                actual = len(desc.get("partitions") or ())
                if actual and actual != partitions:
                    raise TopicConflict(
                        f"Topic {topic!r} exists with {actual} partitions, but "
                        f"{partitions} were asked for: delete the topic, or "
                        f"declare it with partitions={actual}"
                    )

    async def delete_topics(self, names: list[str], timeout: Seconds = 30.0) -> None:
        """Delete topics (a missing topic is not an error).

        Raises:
            TransportError: the broker refused to delete one of them.
        """
        admin = await self._get_admin()
        try:
            response = await admin.delete_topics(names, timeout_ms=to_ms(timeout))
        except KafkaError as exc:
            raise TransportError(f"Cannot delete topics {names!r}: {exc!r}") from exc
        for name, code, *_ in getattr(response, "topic_error_codes", ()):
            if code not in (0, UnknownTopicOrPartitionError.errno):
                raise TransportError(f"Cannot delete topic {name!r}: error {code}")
        gone = await self._until_listed(
            admin, set(names), listed=False, timeout=want_seconds(timeout)
        )
        if not gone:
            raise TransportError(
                f"Topics {sorted(names)!r} were still listed {timeout:g} s "
                "after the broker accepted their deletion"
            )

    async def _until_listed(
        self,
        admin: AIOKafkaAdminClient,
        names: set[str],
        *,
        listed: bool,
        timeout: float,
    ) -> bool:
        # Kafka answers a create or delete request before its brokers'
        # metadata caught up: a topic just created is not listed yet (a
        # consumer subscribing then would join without it, and rebalance
        # again once it shows), a topic just deleted still is
        deadline = time.monotonic() + timeout
        while True:
            shown = names & set(await admin.list_topics())
            if (shown == names) if listed else not shown:
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        """Close the admin client, if one was started."""
        admin, self._admin = self._admin, None
        if admin is not None:
            await close_quietly(admin)


class Transport(BaseTransport):
    """The Kafka transport (``broker='kafka://host:port'``), built on aiokafka."""

    Consumer: ClassVar[type[Any]]
    Producer: ClassVar[type[Any]]
    driver_version = f"aiokafka={aiokafka.__version__}"

    #: Port used for broker URLs without one.
    default_port = DEFAULT_PORT

    def __init__(
        self,
        url: list[URL],
        app: AppT,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(url, app, loop=loop)
        self.servers = server_list(url, self.default_port)

    def topic_creator(self) -> TopicCreator:
        """A new topic creator for this transport's brokers."""
        return TopicCreator(self.app, self.url)

    async def delete_topics(self, names: list[str]) -> None:
        """Delete topics from the cluster (used by ``faust reset``)."""
        creator = self.topic_creator()
        try:
            await creator.delete_topics(names)
        finally:
            await creator.close()
