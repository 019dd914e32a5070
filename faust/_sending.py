"""What the produce path looks up once instead of once per message.

A ``Topic.send``, a ``group_by`` repartition and a table's changelog write
each produce one message, and until its acknowledgement each message went
through half a dozen layers: the sensor delegate (which wraps the only
sensor's state in an object per message), the key and value encoding of the
schema and registry, the topic's completion methods. Here are the parts
that depend only on the sensor set or on the channel's schema:

- :class:`SendHooks`: the sensors' send hooks (the only sensor's own
  methods when there is one, see
  :meth:`SensorDelegate.send_hooks <faust.sensors.base.SensorDelegate.send_hooks>`)
  and the completion callback that goes with them: a message completes
  with the very hooks it was initiated with.
- :func:`channel_encoders`: the key and value encoders of a channel whose
  encoding nobody customised (no override of ``prepare_key`` and friends,
  of the schema's ``dumps_*`` or header hooks, of the registry's
  ``dumps_*``); None otherwise, and the general path runs per message.
"""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from .types.tuples import FutureMessage, PendingMessage, RecordMetadata

if TYPE_CHECKING:  # pragma: no cover
    from .types import AppT

__all__ = [
    "SendHooks",
    "send_hooks",
    "channel_encoders",
    "cache_encoders",
    "notify_produce",
    "on_output_failed",
]

#: ``on_done(fut, state, metadata, exc)`` as the producer calls it.
OnSent = Callable[
    [FutureMessage, Any, Optional[RecordMetadata], Optional[BaseException]], None
]


class SendHooks:
    """The send hooks of one version of the app's sensor set.

    Attributes:
        version: the sensor set's version (None: a delegate without one,
            asked again for every message).
        initiated: ``on_send_initiated(producer, topic, message, keysize,
            valsize)``, returns the state.
        error: ``on_send_error(producer, exc, state)``.
        on_sent: the producer's completion callback of messages initiated
            with :attr:`initiated`.
    """

    __slots__ = ("version", "initiated", "error", "on_sent")

    def __init__(
        self,
        app: AppT,
        version: Optional[int],
        initiated: Callable[..., Any],
        completed: Callable[..., Any],
        error: Callable[..., Any],
    ) -> None:
        self.version = version
        self.initiated = initiated
        self.error = error
        self.on_sent = _completion(app, completed, error)


def send_hooks(app: AppT) -> SendHooks:
    """The app's send hooks as of now."""
    sensors: Any = app.sensors
    get = getattr(sensors, "send_hooks", None)
    if get is not None:
        version, (initiated, completed, error) = get()
        return SendHooks(app, version, initiated, completed, error)
    return SendHooks(
        app,
        None,
        sensors.on_send_initiated,
        sensors.on_send_completed,
        sensors.on_send_error,
    )


def _completion(
    app: AppT, completed: Callable[..., Any], error: Callable[..., Any]
) -> OnSent:
    def on_sent(
        fut: FutureMessage,
        state: Any,
        metadata: Optional[RecordMetadata],
        exc: Optional[BaseException],
    ) -> None:
        if exc is None:
            if not fut.done():
                fut.set_result(metadata)  # type: ignore[arg-type]  # None with acks=0
            completed(app.producer, state, metadata)
            callback = fut.message.callback
            if callback is not None:
                callback(fut)
        elif isinstance(exc, CancelledError):
            fut.cancel()
        else:
            error(app.producer, exc, state)
            if not fut.done():
                fut.set_exception(exc)  # on_failure hears of it (at-least-once)

    return on_sent


def channel_encoders(channel: Any) -> Optional[tuple[Any, Any, bool, bool]]:
    """``(dump_key, dump_value, *passes_bytes)`` for the channel's own encoding.

    The flags say whether each encoder returns ``bytes`` unchanged.

    None when any step of the encoding is customised: then the channel's
    ``prepare_key``/``prepare_value`` run per message.
    """
    from .channels import Channel, SerializedChannel
    from .serializers.schemas import Schema

    cls = type(channel)
    if (
        cls.prepare_key is not SerializedChannel.prepare_key
        or cls.prepare_value is not SerializedChannel.prepare_value
        or cls.prepare_headers is not Channel.prepare_headers
    ):
        return None
    schema = channel.schema
    scls = type(schema)
    if not isinstance(schema, Schema) or any(
        getattr(scls, name) is not getattr(Schema, name)
        for name in (
            "dumps_key",
            "dumps_value",
            "on_dumps_key_prepare_headers",
            "on_dumps_value_prepare_headers",
        )
    ):
        return None
    registry = channel.app.serializers
    make = getattr(registry, "dumper", None)
    if make is None:
        return None
    dump_key = make(
        schema.key_type, channel.key_serializer or schema.key_serializer, key=True
    )
    dump_value = make(
        schema.value_type,
        channel.value_serializer or schema.value_serializer,
        key=False,
    )
    if dump_key is None or dump_value is None:
        return None
    return dump_key, dump_value, _passes(dump_key), _passes(dump_value)


def _passes(dump: Any) -> bool:
    # True if ``dump`` returns bytes unchanged (the caller may skip it)
    return bool(getattr(dump, "passes_bytes", False))


def cache_encoders(channel: Any) -> Optional[tuple[Any, Any, bool, bool]]:
    """:func:`channel_encoders`, kept in the channel with what they depend on.

    ``Channel.as_future_message`` uses them while the channel's schema and
    serializers are the same objects.
    """
    attrs = channel.__dict__
    encoders = channel_encoders(channel) if "key_serializer" in attrs else None
    attrs["_encoders"] = (
        channel.schema,
        attrs.get("key_serializer"),
        attrs.get("value_serializer"),
        encoders,
    )
    return encoders


def notify_produce(signal: Any, message: PendingMessage) -> Any:
    """Send ``app.on_produce_message``; returns the headers (receivers add some)."""
    headers = message.headers
    if headers is None:
        headers = []
    signal.send(
        key=message.key,
        value=message.value,
        partition=message.partition,
        timestamp=message.timestamp,
        headers=headers,
    )
    return headers


def on_output_failed(fut: FutureMessage, exc: BaseException) -> None:
    """Tell the consumer that output of ``fut.source`` failed to be sent."""
    source = fut.source
    consumer = fut.message.channel.app.__dict__.get("consumer")
    if consumer is not None and source is not None:
        consumer.on_output_failed(source, exc)


def _producer_running(app: AppT) -> bool:
    # the per-send check: the producer exists and has started
    producer = app.__dict__.get("producer")
    return producer is not None and bool(producer.started)


def _has_receivers(signal: Any) -> bool:
    """False only when ``signal`` surely has no receiver (skip sending it)."""
    receivers = getattr(signal, "_receivers", None)
    if receivers is None:  # not a mode signal: always send
        return True
    if receivers:
        return True
    filtered: Any = getattr(signal, "_filter_receivers", None)
    return bool(filtered) and any(filtered.values())
