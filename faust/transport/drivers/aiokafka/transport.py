"""The ``kafka://`` transport (aiokafka): connections, credentials, topic admin.

:class:`Transport` creates the aiokafka :class:`~.producer.Producer` and
:class:`~.consumer.Consumer`. This module also holds what both need:

- :func:`server_list`: broker URLs to ``host:port`` strings;
- :func:`credentials_to_aiokafka_auth`: ``broker_credentials`` /
  ``ssl_context`` to aiokafka's security keyword arguments;
- :func:`connect`: start an aiokafka client, retrying unreachable brokers
  until ``broker_request_timeout`` passes, then fail with
  :class:`~faust.exceptions.BrokerUnavailable` (the worker exits with
  status 1);
- :class:`TopicCreator`: create topics through the admin API, leave existing
  ones alone, and raise :class:`~faust.exceptions.TopicConflict` when an
  existing topic has another partition count.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, Optional, TypeVar

import aiokafka
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
)
from mode import Seconds, want_seconds
from yarl import URL

from ....auth import (
    GSSAPICredentials,
    OAuthCredentials,
    SASLCredentials,
    SSLCredentials,
)
from ....exceptions import (
    BrokerUnavailable,
    ImproperlyConfigured,
    TopicConflict,
    TransportError,
)
from ....types import AppT
from ....types.auth import CredentialsT
from ...base import Transport as BaseTransport

__all__ = [
    "Transport",
    "TopicCreator",
    "connect",
    "credentials_to_aiokafka_auth",
    "server_list",
    "topic_config",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PORT = 9092
#: Kafka caps request timeouts at a signed 32-bit number of milliseconds.
_MAX_MS = 2**31 - 1


def server_list(urls: Iterable[URL], default_port: int = DEFAULT_PORT) -> list[str]:
    """``host:port`` of each broker URL (``kafka://h1:9092;h2`` style)."""
    return [f"{url.host or 'localhost'}:{url.port or default_port}" for url in urls]


def credentials_to_aiokafka_auth(
    credentials: Optional[CredentialsT] = None,
    ssl_context: Any = None,
) -> dict[str, Any]:
    """Security keyword arguments of aiokafka clients for faust credentials.

    Arguments:
        credentials: ``broker_credentials``.
        ssl_context: the older ``ssl_context`` setting (used when no
            credentials are given).

    Raises:
        ImproperlyConfigured: credentials of a kind aiokafka cannot use.
    """
    if credentials is None and ssl_context is not None:
        credentials = SSLCredentials(ssl_context)
    if credentials is None:
        return {"security_protocol": "PLAINTEXT"}
    if isinstance(credentials, SSLCredentials):
        return {"security_protocol": "SSL", "ssl_context": credentials.context}
    common = {
        "security_protocol": credentials.protocol.value,
        "ssl_context": credentials.ssl_context,
    }
    if isinstance(credentials, SASLCredentials):
        return {
            **common,
            "sasl_mechanism": credentials.mechanism.value,
            "sasl_plain_username": credentials.username,
            "sasl_plain_password": credentials.password,
        }
    if isinstance(credentials, GSSAPICredentials):
        return {
            **common,
            "sasl_mechanism": credentials.mechanism.value,
            "sasl_kerberos_service_name": credentials.kerberos_service_name,
            "sasl_kerberos_domain_name": credentials.kerberos_domain_name,
        }
    if isinstance(credentials, OAuthCredentials):
        return {
            **common,
            "sasl_mechanism": "OAUTHBEARER",
            "sasl_oauth_token_provider": credentials.oauth_cb,
        }
    raise ImproperlyConfigured(
        f"The kafka:// transport does not support credentials {credentials!r}: "
        "use SSLCredentials, SASLCredentials, GSSAPICredentials or OAuthCredentials"
    )


def to_ms(seconds: Seconds) -> int:
    """Seconds to whole milliseconds, capped to what Kafka accepts."""
    return min(int(want_seconds(seconds) * 1000), _MAX_MS)


async def connect(
    factory: Callable[[], T],
    *,
    what: str,
    servers: list[str],
    timeout: float,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    """Start an aiokafka client, retrying while the brokers are unreachable.

    Arguments:
        factory: makes a new, not started client (one per attempt).
        what: name of the client for messages (``"producer"``).
        servers: the bootstrap servers (for messages).
        timeout: give up after this many seconds.
        sleep: how to wait between attempts.

    Raises:
        BrokerUnavailable: no broker answered within ``timeout``.
        TransportError: the broker refused the client (bad credentials, ...).
    """
    deadline = time.monotonic() + timeout
    delay = 0.2
    attempt = 0
    while True:
        attempt += 1
        client: Any = factory()
        remaining = max(deadline - time.monotonic(), 0.01)
        try:
            await asyncio.wait_for(client.start(), timeout=remaining)
            return client  # type: ignore[no-any-return]  # the factory's type
        except (KafkaConnectionError, asyncio.TimeoutError, OSError) as exc:
            await _close_quietly(client)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerUnavailable(
                    f"Cannot connect the {what} to the Kafka broker(s) "
                    f"{', '.join(servers)}: no answer within {timeout:g} seconds "
                    f"(broker_request_timeout), {attempt} attempt(s). Last error: "
                    f"{exc!r}. Check the 'broker' setting and that the broker "
                    f"is running and reachable from this host."
                ) from exc
            logger.warning(
                "Cannot reach the Kafka broker(s) %s (%r); retrying for %.0f more "
                "seconds",
                ", ".join(servers),
                exc,
                remaining,
            )
            await sleep(min(delay, remaining))
            delay = min(delay * 2, 5.0)
        except KafkaError as exc:
            await _close_quietly(client)
            raise TransportError(
                f"The Kafka broker(s) {', '.join(servers)} refused the {what}: {exc!r}",
                retriable=bool(getattr(exc, "retriable", False)),
            ) from exc


async def _close_quietly(client: Any) -> None:
    closer = getattr(client, "stop", None) or getattr(client, "close", None)
    if closer is None:
        return
    try:
        await closer()
    except Exception as exc:  # closing a half-started client: nothing to lose
        logger.debug("Closing a failed client raised %r", exc)


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
            **credentials_to_aiokafka_auth(conf.broker_credentials, conf.ssl_context),
        )

    async def _get_admin(self) -> AIOKafkaAdminClient:
        async with self._lock:
            if self._admin is None:
                self._admin = await connect(
                    self._new_admin,
                    what="admin client",
                    servers=self.servers,
                    timeout=float(self.app.conf.broker_request_timeout),
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

    async def close(self) -> None:
        """Close the admin client, if one was started."""
        admin, self._admin = self._admin, None
        if admin is not None:
            await _close_quietly(admin)


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
