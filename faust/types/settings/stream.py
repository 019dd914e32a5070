"""Stream settings: processing guarantee, buffering, acks, recovery."""

from __future__ import annotations

from faust.types.enums import ProcessingGuarantee

from . import sections
from .params import Bool, Enum, Int, Seconds, UnsignedInt

__all__ = ["StreamSettings"]


#: appended to the docs of the settings of faust-streaming's Aerospike store
_NO_AEROSPIKE = """

        Accepted for compatibility only: this package has no Aerospike store
        (``store='aerospike://'`` fails at start, naming the stores there are),
        so the setting has no effect."""


class StreamSettings:
    """Stream settings (mixed into :class:`~.settings.Settings`)."""

    processing_guarantee = Enum(
        ProcessingGuarantee,
        section=sections.Common,
        env_name="PROCESSING_GUARANTEE",
        default=ProcessingGuarantee.AT_LEAST_ONCE,
        default_doc="``'at_least_once'``",
        version_introduced="1.5",
        doc="""``'at_least_once'`` (default) or ``'exactly_once'``.

        With at-least-once, a crash may process some messages again. With
        exactly-once, output messages, table changes and consumed offsets are
        committed together in Kafka transactions (one transactional producer
        per partition), and consumers read only committed messages. Kafka
        needs at least three brokers for transactions by default (see the
        broker setting ``transaction.state.log.replication.factor``).
        A transaction commits exactly the output of the events whose
        offsets it commits, whatever is being processed at commit time: see
        :ref:`exactly-once-guarantees`.""",
    )

    stream_buffer_maxsize = UnsignedInt(
        section=sections.Stream,
        env_name="STREAM_BUFFER_MAXSIZE",
        default=4096,
        doc="""Most events waiting in the buffer of one stream (back pressure).

        When a buffer is full, fetching for its partitions pauses. Larger
        buffers raise throughput, but also the number of messages sent and
        table changes pending between commits: lower ``broker_commit_every``
        with them. Also the default size of channels.""",
    )

    stream_processing_timeout = Seconds(
        section=sections.Stream,
        env_name="STREAM_PROCESSING_TIMEOUT",
        default=300.0,
        version_introduced="1.10",
        doc="""Log an error when one event takes longer than this to process.

        Processing is not cancelled. Put timeouts on slow operations (such
        as web requests) in the agent, and send failed events to a retry
        topic.""",
    )

    stream_publish_on_commit = Bool(
        section=sections.Stream,
        default=False,
        doc="""Hold messages sent while processing an event until its offset is
        committed.

        Many messages may then be pending at commit time: commit often
        (lower ``broker_commit_every``).""",
    )

    stream_recovery_delay = Seconds(
        section=sections.Stream,
        env_name="STREAM_RECOVERY_DELAY",
        default=0.0,
        version_introduced="1.3",
        version_changed={"1.5.3": "Disabled by default."},
        doc="""Seconds to wait after a rebalance before recovering tables.

        Waiting lets more workers join or leave first, avoiding repeated
        recoveries. ``0`` disables the wait.""",
    )

    stream_raise_decode_errors = Bool(
        section=sections.Stream,
        env_name="STREAM_RAISE_DECODE_ERRORS",
        default=False,
        doc="""Raise :exc:`~faust.exceptions.KeyDecodeError` /
        :exc:`~faust.exceptions.ValueDecodeError` at the ``async for`` of
        the stream reading a message that cannot be decoded, as
        faust-streaming does, instead of skipping it.

        The message is acked either way (a bad message never stalls its
        partition); catch the error around the loop and iterate the stream
        again to go on. By default (``False``) the message is logged, counted
        (``decode_errors``) and skipped.""",
    )

    stream_wait_empty = Bool(
        section=sections.Stream,
        env_name="STREAM_WAIT_EMPTY",
        default=True,
        doc="""On rebalance and shutdown, wait for the events being processed.

        Events still buffered are processed again after the rebalance
        anyway; waiting avoids processing the current ones twice. Disable
        when processing is idempotent and fast shutdown matters more.""",
    )

    recovery_consistency_check = Bool(
        section=sections.Stream,
        env_name="RECOVERY_CONSISTENCY_CHECK",
        default=True,
        version_introduced="0.4.7 (faust-streaming)",
        doc="""Fail recovery if a persistent table is ahead of its changelog.

        Raises :class:`~faust.exceptions.ConsistencyError` when the offset
        stored with a table (e.g. in RocksDB) is beyond the changelog's high
        watermark, which means the changelog lost data.""",
    )

    store_check_exists = Bool(
        section=sections.Stream,
        env_name="STORE_CHECK_EXISTS",
        default=True,
        version_introduced="0.6.0 (faust-streaming)",
        doc="""faust-streaming's Aerospike store: check keys exist before reads.

        Accepted for compatibility only: this package has no Aerospike store
        (``store='aerospike://'`` fails at start, naming the stores there are),
        so the setting has no effect.""",
    )

    crash_app_on_aerospike_exception = Bool(
        section=sections.Stream,
        env_name="CRASH_APP_ON_AEROSPIKE_EXCEPTION",
        default=True,
        version_introduced="0.6.3 (faust-streaming)",
        doc="""faust-streaming's Aerospike store: crash the app on client errors."""
        + _NO_AEROSPIKE,
    )

    aerospike_retries_on_exception = Int(
        section=sections.Stream,
        env_name="AEROSPIKE_RETRIES_ON_EXCEPTION",
        default=60,
        min_value=0,
        version_introduced="0.6.10 (faust-streaming)",
        doc="""faust-streaming's Aerospike store: retries of a failed operation."""
        + _NO_AEROSPIKE,
    )

    aerospike_sleep_seconds_between_retries_on_exception = Int(
        section=sections.Stream,
        env_name="AEROSPIKE_SLEEP_SECONDS_BETWEEN_RETRIES_ON_EXCEPTION",
        default=1,
        min_value=0,
        version_introduced="0.6.10 (faust-streaming)",
        doc="""faust-streaming's Aerospike store: seconds between retries."""
        + _NO_AEROSPIKE,
    )

    stream_ack_cancelled_tasks = Bool(
        section=sections.Stream,
        default=True,
        version_deprecated="1.0",
        deprecation_reason="it no longer has any effect",
        doc="""Deprecated; has no effect.""",
    )

    stream_ack_exceptions = Bool(
        section=sections.Stream,
        default=True,
        version_deprecated="1.0",
        deprecation_reason="it no longer has any effect",
        doc="""Deprecated; has no effect.""",
    )
