"""``stream_publish_on_commit``: output published when its input is committed.

With the setting on, a message sent with ``topic.send()`` while a stream
processes an event is not produced at once: it is *attached* to that event's
partition and offset, and published just before the consumer commits an
offset past it. If the worker dies first, neither the output nor the commit
happens, and the event is processed again: no output is published for input
that is not committed.

Owner: the app (``app.attachments``). No service, no tasks: the consumer
calls :meth:`Attachments.publish_up_to` before each commit.
"""

from __future__ import annotations

import bisect
import typing
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Optional

from .._context import current_event
from ..exceptions import ProducerSendError
from ..types import TP, AppT, ChannelT, FutureMessage

__all__ = ["Attachments"]


class _Attached(typing.NamedTuple):
    offset: int
    seq: int
    fut: FutureMessage


class Attachments:
    """Messages waiting for their source offset to be committed.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT) -> None:
        self.app = app
        self._pending: dict[TP, list[_Attached]] = defaultdict(list)
        self._seq = 0

    @property
    def enabled(self) -> bool:
        """True when ``stream_publish_on_commit`` is on."""
        return bool(self.app.conf.stream_publish_on_commit)

    def maybe_put(self, channel: ChannelT[Any], fut: FutureMessage) -> bool:
        """Attach ``fut`` to the event being processed, if there is one."""
        event = current_event()
        if event is None or not event.message.tracked:
            return False
        message = event.message
        self._seq += 1
        bisect.insort(
            self._pending[message.tp], _Attached(message.offset, self._seq, fut)
        )
        return True

    async def publish_up_to(self, offsets: Mapping[TP, int]) -> None:
        """Publish what is attached to offsets below the ones to commit.

        Raises:
            ProducerSendError: a message could not be published; the caller
                must not commit.
        """
        for tp, offset in offsets.items():
            pending = self._pending.get(tp)
            if not pending:
                continue
            index = bisect.bisect_left(pending, (offset,))
            due, self._pending[tp] = pending[:index], pending[index:]
            for attached in due:
                await self._publish(attached.fut)

    async def _publish(self, fut: FutureMessage) -> None:
        channel: Any = fut.message.channel
        try:
            await channel.publish_message(fut, wait=True)
        except Exception as exc:
            raise ProducerSendError(
                f"Publishing a message attached to an event failed: {exc!r}; "
                "the source offset is not committed and the event will be "
                "processed again"
            ) from exc

    def discard(self, tps: typing.Iterable[TP]) -> None:
        """Forget what is attached to revoked partitions (it is redone)."""
        for tp in tps:
            self._pending.pop(tp, None)

    def pending_count(self, tp: Optional[TP] = None) -> int:
        """Number of attached messages (of ``tp``, or in all)."""
        if tp is not None:
            return len(self._pending.get(tp, ()))
        return sum(len(p) for p in self._pending.values())
