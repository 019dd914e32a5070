"""Broker settings: where the transport connects and how the client behaves."""

from __future__ import annotations

from typing import Any

from . import sections
from .base import CompatAlias
from .params import (
    Bool,
    BrokerList,
    Credentials,
    Seconds,
    SSLContext,
    Str,
    UnsignedInt,
)

__all__ = ["BrokerSettings", "DEFAULT_BROKER_URL"]

#: Broker used when neither ``broker`` nor ``url`` is given.
DEFAULT_BROKER_URL = "kafka://localhost:9092"


def _default_broker(conf: Any) -> Any:
    url = conf._get("url")
    return url if url is not None else conf.DEFAULT_BROKER_URL


def _default_client_id(conf: Any) -> str:
    from faust import __version__

    return f"faust-{__version__}"


class BrokerSettings:
    """Broker settings (mixed into :class:`~.settings.Settings`)."""

    broker = BrokerList(
        section=sections.Common,
        env_name="BROKER_URL",
        on_default=_default_broker,
        default_doc="``'kafka://localhost:9092'`` (or the deprecated ``url``)",
        doc="""URL of the broker, or a list of URLs of brokers of one cluster.

        The scheme picks the transport: ``kafka://`` (alias of
        ``aiokafka://``) for Kafka, ``memory://`` for the in-process broker.
        Give several hosts as a list or separated by ``;``::

            broker='kafka://kafka1.example.com:9092;kafka2.example.com:9092'

        Hosts without a scheme take the scheme of the first URL (``kafka``
        if none). Reading the setting returns a list of
        :class:`yarl.URL`.""",
    )

    broker_consumer = BrokerList(
        section=sections.Broker,
        env_name="BROKER_CONSUMER_URL",
        default_alias="broker",
        version_introduced="1.7",
        doc="""Broker URL(s) used for consuming; defaults to ``broker``.""",
    )

    broker_producer = BrokerList(
        section=sections.Broker,
        env_name="BROKER_PRODUCER_URL",
        default_alias="broker",
        version_introduced="1.7",
        doc="""Broker URL(s) used for producing; defaults to ``broker``.""",
    )

    broker_api_version = Str(
        section=sections.Broker,
        env_name="BROKER_API_VERSION",
        default="auto",
        version_introduced="1.10",
        doc="""Kafka protocol version to speak.

        ``'auto'`` negotiates the newest version both sides support. A
        version such as ``'0.10'`` forces an older protocol (before 0.11
        messages have no headers). Default of ``consumer_api_version`` and
        ``producer_api_version``.""",
    )

    broker_check_crcs = Bool(
        section=sections.Broker,
        env_name="BROKER_CHECK_CRCS",
        default=True,
        doc="""Verify the CRC32 checksum of consumed records.""",
    )

    broker_client_id = Str(
        section=sections.Broker,
        env_name="BROKER_CLIENT_ID",
        on_default=_default_client_id,
        default_doc="``'faust-<faust version>'``",
        doc="""Client id the Kafka client reports to the brokers.

        Brokers use it in logs and quotas; it rarely needs changing.""",
    )

    broker_commit_every = UnsignedInt(
        section=sections.Broker,
        env_name="BROKER_COMMIT_EVERY",
        default=10_000,
        doc="""Commit offsets after this many messages were processed.

        ``broker_commit_interval`` commits on a timer when traffic is low.""",
    )

    broker_commit_interval = Seconds(
        section=sections.Broker,
        env_name="BROKER_COMMIT_INTERVAL",
        default=2.8,
        doc="""Seconds between commits of the offsets of processed messages.""",
    )

    broker_commit_livelock_soft_timeout = Seconds(
        section=sections.Broker,
        env_name="BROKER_COMMIT_LIVELOCK_SOFT_TIMEOUT",
        default=300.0,
        doc="""Warn when a partition's committed offset has not moved for this long.

        Only while messages keep arriving: a stuck agent shows up here.""",
    )

    broker_credentials = Credentials.nullable(
        section=sections.Common,
        env_name="BROKER_CREDENTIALS",
        version_introduced="1.5",
        doc="""How to authenticate with the broker; ``None`` for no authentication.

        One of :class:`faust.SASLCredentials` (user name and password),
        :class:`faust.GSSAPICredentials` (Kerberos),
        :class:`faust.SSLCredentials` (client certificate) or
        :class:`faust.OAuthCredentials`, or an :class:`ssl.SSLContext`, which
        is used as ``SSLCredentials(context)``::

            app = faust.App(
                'id',
                broker_credentials=faust.SASLCredentials(
                    username=os.environ['BROKER_USER'],
                    password=os.environ['BROKER_PASSWORD'],
                ),
            )

        Keep secrets out of source code: read them from the environment or a
        file.""",
    )

    broker_heartbeat_interval = Seconds(
        section=sections.Broker,
        env_name="BROKER_HEARTBEAT_INTERVAL",
        default=3.0,
        version_introduced="1.0.11",
        doc="""Seconds between heartbeats to the consumer group coordinator.

        Must be well below ``broker_session_timeout``.""",
    )

    broker_max_poll_interval = Seconds(
        section=sections.Broker,
        env_name="BROKER_MAX_POLL_INTERVAL",
        default=1000.0,
        version_introduced="1.7",
        doc="""Longest time between two fetches before the consumer is
        considered dead and its partitions are reassigned (see KIP-62).""",
    )

    broker_max_poll_records = UnsignedInt.nullable(
        section=sections.Broker,
        env_name="BROKER_MAX_POLL_RECORDS",
        min_value=1,
        version_introduced="1.4",
        doc="""Maximum number of records one fetch returns.

        ``None`` uses the client's default. Lower it when processing a
        fetch takes too long.""",
    )

    broker_rebalance_timeout = Seconds(
        section=sections.Broker,
        env_name="BROKER_REBALANCE_TIMEOUT",
        default=60.0,
        version_introduced="1.10",
        doc="""How long members get to rejoin the group during a rebalance.

        A member that takes longer is removed from the group.""",
    )

    broker_request_timeout = Seconds(
        section=sections.Broker,
        env_name="BROKER_REQUEST_TIMEOUT",
        default=90.0,
        version_introduced="1.4",
        doc="""Timeout for requests to the brokers.

        Must not be less than ``broker_session_timeout``.""",
    )

    broker_session_timeout = Seconds(
        section=sections.Broker,
        env_name="BROKER_SESSION_TIMEOUT",
        default=60.0,
        version_introduced="1.0.11",
        doc="""A consumer that sends no heartbeat for this long leaves the group.

        Its partitions are then given to other workers. Must not be greater
        than ``broker_request_timeout``.""",
    )

    ssl_context = SSLContext.nullable(
        section=sections.Common,
        doc="""SSL context for broker connections (older form).

        Prefer ``broker_credentials``, which also accepts an
        :class:`ssl.SSLContext`.""",
    )

    url = BrokerList.nullable(
        section=sections.Common,
        version_deprecated="1.0",
        deprecation_reason="use the 'broker' setting instead",
        replaced_by="broker",
        doc="""Deprecated alias of ``broker`` (same values: a URL, a ``;``-separated
        string or a list); it warns (``FutureWarning``) and sets ``broker``.""",
    )

    client_id = CompatAlias("broker_client_id")
    commit_interval = CompatAlias("broker_commit_interval")
