"""Consumer settings: how messages are fetched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import sections
from .params import Int, Param, Str, Symbol, UnsignedInt

if TYPE_CHECKING:  # pragma: no cover
    from faust.types.transports import SchedulingStrategyT

__all__ = ["ConsumerSettings"]


class ConsumerSettings:
    """Consumer settings (mixed into :class:`~.settings.Settings`)."""

    consumer_api_version = Str(
        section=sections.Consumer,
        env_name="CONSUMER_API_VERSION",
        default_alias="broker_api_version",
        version_introduced="1.10",
        doc="""Kafka protocol version of the consumer; defaults to
        ``broker_api_version``.""",
    )

    consumer_max_fetch_size = UnsignedInt(
        section=sections.Consumer,
        env_name="CONSUMER_MAX_FETCH_SIZE",
        default=1024**2,
        version_introduced="1.4",
        doc="""Most bytes one fetch returns *per partition*.

        Must be at least the largest message size. A worker with many
        partitions may receive this much for each of them in one fetch, so
        large values slow down rebalancing.""",
    )

    consumer_auto_offset_reset = Str(
        section=sections.Consumer,
        env_name="CONSUMER_AUTO_OFFSET_RESET",
        default="earliest",
        choices=("earliest", "latest", "none"),
        version_introduced="1.5",
        doc="""Where to start when a partition has no committed offset.

        ``'earliest'`` reads from the oldest message, ``'latest'`` only new
        messages, and ``'none'`` raises an error.""",
    )

    consumer_group_instance_id = Str.nullable(
        section=sections.Consumer,
        env_name="CONSUMER_GROUP_INSTANCE_ID",
        version_introduced="2.1",
        doc="""Static group membership id (KIP-345).

        When set, each worker needs its own stable id; a restarted worker
        with the same id gets its partitions back without a rebalance.""",
    )

    consumer_metadata_max_age_ms = Int(
        section=sections.Consumer,
        env_name="CONSUMER_METADATA_MAX_AGE_MS",
        default=300_000,
        min_value=0,
        version_introduced="0.8.5 (faust-streaming)",
        doc="""Milliseconds after which the consumer refreshes cluster metadata.""",
    )

    consumer_connections_max_idle_ms = Int(
        section=sections.Consumer,
        env_name="CONSUMER_CONNECTIONS_MAX_IDLE_MS",
        default=540_000,
        min_value=0,
        version_introduced="0.8.5 (faust-streaming)",
        doc="""Milliseconds after which idle consumer connections are closed.""",
    )

    ConsumerScheduler: Param[Any, type[SchedulingStrategyT]] = Symbol(
        section=sections.Consumer,
        default="faust.transport.utils:DefaultSchedulingStrategy",
        version_introduced="1.5",
        doc="""Class deciding the order of the records of one fetch.

        The default takes topics round-robin, then partitions round-robin
        within a topic.""",
    )
