"""What happens to a message whose key or value cannot be decoded.

:meth:`faust.channels.Channel.on_decode_error` (called by the conductor
for each channel of the message, which is acked afterwards) delegates here:

* the Monitor counts it (``decode_errors``, also on ``/metrics`` as
  ``faust_custom_count{name="decode_errors"}``);
* with ``topic_dead_letter`` the original key and value bytes are sent to
  that topic, with the message's headers and ``faust-error``,
  ``faust-error-topic``, ``faust-error-partition``, ``faust-error-offset``;
* with ``stream_raise_decode_errors`` the error is raised at the ``async
  for`` of the stream (as faust-streaming does); otherwise it is logged and
  the message skipped.

A bad message never stalls its partition: it is acked in every case.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .types import ChannelT, Message

__all__ = ["handle_decode_error", "dead_letter_headers"]

logger = logging.getLogger(__name__)


async def handle_decode_error(
    channel: ChannelT[Any], exc: Exception, message: Message
) -> None:
    """Count, forward (``topic_dead_letter``), then raise into the stream or log."""
    app = channel.app
    conf = app.conf
    count = getattr(app.monitor, "count", None)
    if count is not None:
        count("decode_errors")
    dead_letter = conf.topic_dead_letter
    if dead_letter and message.topic != dead_letter:
        await _forward(app, dead_letter, exc, message)
    if conf.stream_raise_decode_errors:
        await channel.throw(exc)
        return
    logger.error(
        "Skipping message that cannot be decoded "
        "(topic=%r partition=%s offset=%s)%s: %s",
        message.topic,
        message.partition,
        message.offset,
        f", forwarded to {dead_letter!r}" if dead_letter else "",
        getattr(exc, "reason", exc),
    )


def dead_letter_headers(exc: Exception, message: Message) -> list[tuple[str, bytes]]:
    """The message's headers plus where it came from and why it failed."""
    headers = message.headers
    items: list[tuple[str, Any]]
    if not headers:
        items = []
    elif isinstance(headers, Mapping):
        items = list(headers.items())
    else:
        items = list(headers)
    reason = getattr(exc, "reason", None) or str(exc)
    items += [
        ("faust-error", f"{type(exc).__name__}: {reason}".encode()),
        ("faust-error-topic", message.topic.encode()),
        ("faust-error-partition", str(message.partition).encode()),
        ("faust-error-offset", str(message.offset).encode()),
    ]
    return items


async def _forward(app: Any, topic: str, exc: Exception, message: Message) -> None:
    target = app.topic(topic, key_serializer="raw", value_serializer="raw")
    try:
        await target.send(
            key=message.key,
            value=message.value,
            headers=dead_letter_headers(exc, message),
        )
    except Exception as send_exc:  # the message is skipped all the same
        logger.error(
            "Could not forward undecodable message (topic=%r partition=%s "
            "offset=%s) to dead-letter topic %r: %r",
            message.topic,
            message.partition,
            message.offset,
            topic,
            send_exc,
        )
