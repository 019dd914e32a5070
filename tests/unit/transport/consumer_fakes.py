"""A Consumer driver for unit tests: records are canned offsets, commits succeed.

Tests subclass :class:`CannedConsumer` and override what they exercise
(``assignment``, ``_getmany``, ``_commit``); the broker operations no test
uses stay abstract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import faust
from faust.transport.consumer import Consumer
from faust.types import TP, ConsumerMessage, Message


class CannedConsumer(Consumer):
    """A driver without a broker: a record is the offset of its message."""

    def __init__(self, app: faust.App) -> None:
        super().__init__(
            app.transport,
            callback=self._noop,
            on_partitions_revoked=self._noop,
            on_partitions_assigned=self._noop,
        )

    async def _noop(self, *args: Any) -> None: ...

    def _to_message(self, tp: TP, record: Any) -> Message:
        return ConsumerMessage(
            tp.topic, tp.partition, record, 0.0, 0, None, b"k", b"v", None, 1, 1, tp
        )

    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        return True

    async def _committed_offsets(self, tps: set[TP]) -> Mapping[TP, Optional[int]]:
        return {}

    async def seek_to_committed(self, tps: Any = None, committed: Any = None) -> Any:
        return {}


# the broker operations the unit tests do not use stay abstract
CannedConsumer.__abstractmethods__ = frozenset()
