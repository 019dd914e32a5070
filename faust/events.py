"""Events: a decoded message plus the operations a stream can do with it.

Created by a channel (or the conductor) for every message delivered to a
stream; holds the decoded key and value, the headers and the raw
:class:`~faust.types.tuples.Message`. Acking the event releases the stream's
reference on the message.
"""

from __future__ import annotations

from collections.abc import Awaitable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union

from .types import AppT, ChannelT, CodecArg, EventT, K, RecordMetadata, SchemaT, V
from .types.core import HeadersArg
from .types.tuples import ConsumerMessage, Message, MessageSentCallback

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["Event", "USE_EXISTING_KEY", "USE_EXISTING_VALUE", "USE_EXISTING_HEADERS"]

#: Sentinel values: ``event.send()`` defaults to the event's own key/value/headers.
USE_EXISTING_KEY: Any = object()
USE_EXISTING_VALUE: Any = object()
USE_EXISTING_HEADERS: Any = object()


class Event(EventT[Any]):
    """A message decoded by a channel.

    Arguments:
        app: the app.
        key: the deserialized key.
        value: the deserialized value.
        headers: message headers (mapping or list of pairs).
        message: the raw message.

    Example:
        >>> async for event in stream.events():
        ...     print(event.key, event.value, event.message.offset)
    """

    __slots__ = ()

    def __init__(
        self,
        app: AppT,
        key: K,
        value: V,
        headers: Optional[HeadersArg],
        message: Message,
    ) -> None:
        self.app = app
        self.key = key
        self.value = value
        self.message = message
        if headers.__class__ is dict or isinstance(headers, dict):
            self.headers = headers
        elif headers:
            self.headers = dict(headers)
        else:  # None, or no headers at all (Kafka gives an empty tuple)
            self.headers = {}
        self.acked = False

    async def send(
        self,
        channel: Union[str, ChannelT[Any]],
        key: K = USE_EXISTING_KEY,
        value: V = USE_EXISTING_VALUE,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Any = USE_EXISTING_HEADERS,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]:
        """Send the deserialized key/value (or new ones) to another channel.

        Returns:
            The send future: await it again for the :class:`RecordMetadata`.
        """
        if key is USE_EXISTING_KEY:
            key = self.key
        if value is USE_EXISTING_VALUE:
            value = self.value
        if headers is USE_EXISTING_HEADERS:
            headers = self.headers
        return await self._send(
            channel,
            key,
            value,
            partition,
            timestamp,
            headers,
            schema,
            key_serializer,
            value_serializer,
            callback,
            force,
        )

    async def forward(
        self,
        channel: Union[str, ChannelT[Any]],
        key: Any = USE_EXISTING_KEY,
        value: Any = USE_EXISTING_VALUE,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Any = USE_EXISTING_HEADERS,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
        force: bool = False,
    ) -> Awaitable[RecordMetadata]:
        """Send the original bytes of the message on to another channel.

        Nothing is re-serialized, so the bytes arrive exactly as they came.
        """
        if key is USE_EXISTING_KEY:
            key = self.message.key
        if value is USE_EXISTING_VALUE:
            value = self.message.value
        if headers is USE_EXISTING_HEADERS:
            headers = self.message.headers
        return await self._send(
            channel,
            key,
            value,
            partition,
            timestamp,
            headers,
            schema,
            key_serializer,
            value_serializer,
            callback,
            force,
        )

    async def _send(
        self,
        channel: Union[str, ChannelT[Any]],
        key: Any,
        value: Any,
        partition: Optional[int],
        timestamp: Optional[float],
        headers: Any,
        schema: Optional[SchemaT],
        key_serializer: CodecArg,
        value_serializer: CodecArg,
        callback: Optional[MessageSentCallback],
        force: bool,
    ) -> Awaitable[RecordMetadata]:
        app = self.app
        chan = app.topic(channel) if isinstance(channel, str) else channel
        return await chan.send(
            key=key,
            value=value,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
            schema=schema,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            callback=callback,
            force=force,
        )

    def ack(self) -> bool:
        """Release this stream's reference on the message.

        Acking twice has no effect: each stream releases its reference once.

        Returns:
            True if the message became fully acknowledged.
        """
        if self.acked:
            return False
        self.acked = True
        message = self.message
        if message.__class__ is ConsumerMessage:
            # ConsumerMessage.ack, inlined: this runs for every event
            if message.acked:
                return False
            refcount = message.refcount - 1
            if refcount > 0:
                message.refcount = refcount
                return False
            message.refcount = 0
            message.acked = True
            return self.app.consumer.ack(message)
        # only messages read by a consumer need it (and creating it is work)
        return message.ack(self.app.consumer if message.use_tracking else None)

    async def __aenter__(self) -> Event:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]] = None,
        exc_val: Optional[BaseException] = None,
        exc_tb: Optional[TracebackType] = None,
    ) -> Optional[bool]:
        self.ack()
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: k={self.key!r} v={self.value!r}>"
