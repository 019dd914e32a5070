"""Diverted partitions: fetched messages that go to a handler, not to streams.

Table recovery reads changelog partitions through the consumer this way.
:class:`Diverting` is a mixin of :class:`~faust.transport.consumer.Consumer`
(its owner); it keeps the handler of each diverted partition and runs no
service and no task: the consumer's fetch calls :meth:`_deliver_diverted`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..types import TP, Message
from ..types.transports import RecordMap

__all__ = ["DivertHandler", "Diverting"]

#: Receives the fetched messages of diverted partitions (see Consumer.divert).
DivertHandler = Callable[[Mapping[TP, list[Message]]], Awaitable[None]]


class Diverting:
    """The divert half of the consumer (state: ``_diverted``)."""

    _diverted: dict[TP, DivertHandler]
    _paused: set[TP]

    if TYPE_CHECKING:  # provided by the Consumer

        def _to_message(self, tp: TP, record: Any) -> Message: ...

        def _wake_fetcher(self) -> None: ...

    async def _deliver_diverted(self, records: RecordMap) -> RecordMap:
        diverted = self._diverted
        rest: dict[TP, list[Any]] = {}
        groups: dict[DivertHandler, dict[TP, list[Message]]] = {}
        to_message = self._to_message
        for tp, batch in records.items():
            handler = diverted.get(tp)
            if handler is None:
                rest[tp] = batch
            elif tp not in self._paused:
                messages = [to_message(tp, record) for record in batch]
                groups.setdefault(handler, {})[tp] = messages
        # one call per handler with everything of this fetch: positions have
        # moved past all of it, so the handler sees a consistent state
        for handler, batches in groups.items():
            await handler(batches)
        return rest

    def divert(self, tps: Iterable[TP], handler: DivertHandler) -> None:
        """Hand fetched messages of ``tps`` to ``handler`` instead of streams.

        Table recovery reads changelog partitions this way: their messages
        are never tracked, acked or committed and never reach the conductor;
        ``await handler({tp: messages, ...})`` receives everything one fetch
        got for the partitions diverted to it, in the fetch loop (so the next
        fetch waits for it). With
        :attr:`~faust.transport.consumer.Consumer.reads_unassigned_partitions`,
        ``tps`` may be partitions outside the assignment: they are read from
        wherever they were :meth:`~faust.types.transports.ConsumerT.seek`-ed
        to.
        """
        for tp in tps:
            self._diverted[tp] = handler
        self._wake_fetcher()

    def undivert(self, tps: Iterable[TP]) -> None:
        """Deliver messages of ``tps`` to streams again (see :meth:`divert`)."""
        for tp in tps:
            self._diverted.pop(tp, None)

    @property
    def diverted(self) -> set[TP]:
        """Partitions whose messages go to a divert handler."""
        return set(self._diverted)
