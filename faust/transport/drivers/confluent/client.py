"""confluent-kafka, imported when used, and its errors as faust's.

:func:`ck` imports ``confluent_kafka`` (the optional ``confluent`` extra) and
fails with one line naming the extra when it is missing.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ....exceptions import (
    AuthenticationFailed,
    ImproperlyConfigured,
    ProducerFenced,
    TransportError,
)
from ....types import TP
from ....utils.extras import install_hint

__all__ = ["ck", "kafka_error", "topic_partitions"]


def ck() -> ModuleType:
    """The ``confluent_kafka`` module.

    Raises:
        ImproperlyConfigured: confluent-kafka is not installed.
    """
    try:
        import confluent_kafka
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"The confluent:// transport needs confluent-kafka: "
            f"{install_hint('confluent')}"
        ) from exc
    return confluent_kafka


def kafka_error(err: Any, what: str) -> TransportError:
    """A faust error for a ``confluent_kafka.KafkaError`` about ``what``."""
    KafkaError = ck().KafkaError
    code = err.code()
    message = f"{what}: {err.name()}: {err.str()}"
    if code == KafkaError._FENCED or code == KafkaError.PRODUCER_FENCED:
        return ProducerFenced(
            f"{what} was taken over by a newer producer (another worker owns "
            f"the partition now): {err.str()}"
        )
    if code in (
        KafkaError.SASL_AUTHENTICATION_FAILED,
        KafkaError._AUTHENTICATION,
    ):
        return AuthenticationFailed(message)
    return TransportError(message, retriable=bool(err.retriable()))


def topic_partitions(client: Any, topic: str, timeout: float) -> dict[str, int]:
    """``{topic: partition count}`` from the cluster metadata (blocking).

    Raises:
        TransportError: the topic is unknown.
    """
    found = client.list_topics(topic, timeout).topics.get(topic)
    if found is None or found.error is not None or not found.partitions:
        raise TransportError(f"Topic {topic!r} is unknown to the cluster")
    return {topic: len(found.partitions)}


def tp_list(offsets: dict[TP, int]) -> list[Any]:
    """Offsets as a list of ``confluent_kafka.TopicPartition``."""
    TopicPartition = ck().TopicPartition
    return [TopicPartition(tp.topic, tp.partition, o) for tp, o in offsets.items()]
