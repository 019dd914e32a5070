"""Producer settings: batching, acknowledgements, partitioning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import sections
from .params import Bool, Int, Param, Seconds, Str, Symbol, UnsignedInt

if TYPE_CHECKING:  # pragma: no cover
    from faust.types.transports import PartitionerT

__all__ = ["ProducerSettings"]


def _default_linger(conf: Any) -> float:
    return float(conf._get("producer_linger_ms")) / 1000.0


class ProducerSettings:
    """Producer settings (mixed into :class:`~.settings.Settings`)."""

    producer_acks = Int(
        section=sections.Producer,
        env_name="PRODUCER_ACKS",
        default=-1,
        min_value=-1,
        max_value=1,
        number_aliases={"all": -1},
        doc="""Acknowledgements the partition leader must have before a send
        completes.

        * ``0``: do not wait at all (messages may be lost silently);
        * ``1``: the leader wrote the message (lost if the leader fails
          before followers copy it);
        * ``-1`` or ``'all'``: every in-sync replica has it (the safest).""",
    )

    producer_api_version = Str(
        section=sections.Producer,
        env_name="PRODUCER_API_VERSION",
        default_alias="broker_api_version",
        version_introduced="1.5.3",
        doc="""Kafka protocol version of the producer; defaults to
        ``broker_api_version``.""",
    )

    producer_compression_type = Str.nullable(
        section=sections.Producer,
        env_name="PRODUCER_COMPRESSION_TYPE",
        choices=("gzip", "snappy", "lz4", "zstd"),
        doc="""Compression of produced batches: ``None``, ``'gzip'``,
        ``'snappy'``, ``'lz4'`` or ``'zstd'``.

        Some need an extra library installed.""",
    )

    producer_linger = Seconds(
        section=sections.Producer,
        env_name="PRODUCER_LINGER",
        on_default=_default_linger,
        default_doc="``producer_linger_ms / 1000`` (``0.0``)",
        version_introduced="1.11",
        doc="""Seconds the producer waits to collect more messages into a batch.

        Higher values give bigger batches at the cost of latency. On
        ``confluent://``, 0 means librdkafka's default of 5 ms (librdkafka
        sends one partition per request and, with no linger, requests too
        small for the broker to keep up cheaply).""",
    )

    producer_max_batch_size = UnsignedInt(
        section=sections.Producer,
        env_name="PRODUCER_MAX_BATCH_SIZE",
        default=16384,
        doc="""Largest batch of messages to one partition, in bytes.""",
    )

    producer_max_request_size = UnsignedInt(
        section=sections.Producer,
        env_name="PRODUCER_MAX_REQUEST_SIZE",
        default=1_000_000,
        doc="""Largest produce request in bytes; also caps the size of a
        single message.""",
    )

    producer_partitioner: Param[Any, PartitionerT | None] = Symbol.nullable(
        section=sections.Producer,
        version_introduced="1.2",
        doc="""Function choosing the partition of a message with a key.

        Called as ``partitioner(key, all_partitions, available_partitions)``
        and returns a partition number. Give the function or its import path.
        ``None`` uses the Kafka client's default (murmur2 hash of the key,
        as the Java client does).""",
    )

    producer_request_timeout = Seconds(
        section=sections.Producer,
        env_name="PRODUCER_REQUEST_TIMEOUT",
        default=1200.0,
        version_introduced="1.4",
        doc="""Seconds a send may take, retries included, before it fails.

        Batches not delivered in this time expire.""",
    )

    producer_threaded = Bool(
        section=sections.Producer,
        env_name="PRODUCER_THREADED",
        default=False,
        version_introduced="0.4.5 (faust-streaming)",
        doc="""Run an extra producer in its own thread and event loop.

        Used for messages buffered by ``send_soon``.""",
    )

    producer_metadata_max_age_ms = Int(
        section=sections.Producer,
        env_name="PRODUCER_METADATA_MAX_AGE_MS",
        default=300_000,
        min_value=0,
        version_introduced="0.8.5 (faust-streaming)",
        doc="""Milliseconds after which the producer refreshes cluster metadata.""",
    )

    producer_connections_max_idle_ms = Int(
        section=sections.Producer,
        env_name="PRODUCER_CONNECTIONS_MAX_IDLE_MS",
        default=540_000,
        min_value=0,
        version_introduced="0.8.5 (faust-streaming)",
        doc="""Milliseconds after which idle producer connections are closed.""",
    )

    producer_linger_ms = UnsignedInt(
        section=sections.Producer,
        env_name="PRODUCER_LINGER_MS",
        default=0,
        version_deprecated="1.11",
        deprecation_reason="use producer_linger (in seconds) instead",
        doc="""Deprecated: ``producer_linger`` in milliseconds.

        Still read as the default of ``producer_linger``.""",
    )
