"""Topic settings: declaring internal topics, and default serializers."""

from __future__ import annotations

from . import sections
from .base import CompatAlias
from .params import Bool, Codec, Str, UnsignedInt

__all__ = ["TopicSettings"]


class TopicSettings:
    """Topic and serialization settings (mixed into ``Settings``)."""

    topic_allow_declare = Bool(
        section=sections.Topic,
        env_name="TOPIC_ALLOW_DECLARE",
        default=True,
        version_introduced="1.5",
        doc="""Let faust create the topics it manages.

        These are internal topics only: changelogs, repartition, reply and
        leader topics. Disable when topics must be created by an
        administrator; they must then exist before the worker starts.""",
    )

    topic_disable_leader = Bool(
        section=sections.Topic,
        env_name="TOPIC_DISABLE_LEADER",
        default=False,
        version_introduced="1.7",
        doc="""Do not create or use the leader election topic.

        Only possible when no task, timer or cron job uses
        ``on_leader=True``.""",
    )

    topic_partitions = UnsignedInt(
        section=sections.Topic,
        env_name="TOPIC_PARTITIONS",
        default=8,
        doc="""Number of partitions of topics faust creates.

        This is the most workers that can share the work of the app.""",
    )

    topic_replication_factor = UnsignedInt(
        section=sections.Topic,
        env_name="TOPIC_REPLICATION_FACTOR",
        default=1,
        doc="""Replication factor of topics faust creates.

        Usually the replication factor configured for the Kafka cluster.""",
    )

    topic_dead_letter = Str.nullable(
        section=sections.Topic,
        env_name="TOPIC_DEAD_LETTER",
        doc="""Topic to forward messages that cannot be decoded to.

        The original key and value bytes are sent unchanged, with the
        message's headers plus ``faust-error`` (the error's class and
        reason), ``faust-error-topic``, ``faust-error-partition`` and
        ``faust-error-offset``. The message is then skipped as without
        this setting (or raised into the stream with
        ``stream_raise_decode_errors``). ``None`` (the default): no
        forwarding.""",
    )

    key_serializer = Codec(
        section=sections.Serialization,
        env_name="APP_KEY_SERIALIZER",
        default="raw",
        doc="""Codec for message keys when neither a model nor a serializer is
        given: a codec name (``'raw'``, ``'json'``, ``'json|binary'``) or a
        :class:`~faust.serializers.codecs.Codec`.""",
    )

    value_serializer = Codec(
        section=sections.Serialization,
        env_name="APP_VALUE_SERIALIZER",
        default="json",
        doc="""Codec for message values when neither a model nor a serializer is
        given: a codec name or a :class:`~faust.serializers.codecs.Codec`.""",
    )

    default_partitions = CompatAlias("topic_partitions")
    replication_factor = CompatAlias("topic_replication_factor")
