"""One partition's log in the in-memory broker.

Storage is a list of :data:`~.broker_types.StoredRecord` plain tuples in
offset order plus a parallel list of cumulative byte sizes, so that:

- appending a record is O(1): one tuple and two list appends;
- a fetch is a slice: the start is found by arithmetic (or a bisect once
  compaction or control markers left gaps) and the ``max_bytes`` limit by a
  bisect over the cumulative sizes.

Offsets are never renumbered.  The ``high_watermark`` is the offset the next
record will get (one replica, so it is also the log end offset).  Control
markers of transactions take one offset each but store no record, which
leaves a gap like the one Kafka consumers see.

Transactions leave two traces here: ``open_txns`` (producer id -> first offset
written in its open transaction), which gives the last stable offset, and
``aborted`` (offsets of records of aborted transactions), which
``read_committed`` fetches skip and compaction removes.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from operator import itemgetter

from faust.types.tuples import TP

from .broker_types import Headers, OffsetAndTimestamp, StoredRecord
from .broker_wait import WaitSet

__all__ = ["PartitionLog", "NEVER"]

#: ``compact_at`` of a log that is never compacted automatically.
NEVER = sys.maxsize

_offset_of = itemgetter(0)


class PartitionLog:
    """The records of one partition, and its offsets.

    Arguments:
        tp: the partition.
        compact_threshold: for compacted topics, compact automatically once
            this many records were appended since the last compaction *and*
            at least as many as the log held after it (so compaction costs
            O(1) amortized per append); None never compacts automatically.
    """

    __slots__ = (
        "tp",
        "records",
        "log_start_offset",
        "high_watermark",
        "waiters",
        "open_txns",
        "aborted",
        "dirty",
        "compact_at",
        "compact_threshold",
        "_cum",
        "_bytes_base",
        "_total",
    )

    def __init__(self, tp: TP, *, compact_threshold: int | None = None) -> None:
        self.tp = tp
        self.records: list[StoredRecord] = []
        self.log_start_offset = 0
        self.high_watermark = 0
        #: Consumers long-polling this partition.
        self.waiters = WaitSet()
        #: producer id -> first offset of its open transaction here.
        self.open_txns: dict[int, int] = {}
        #: Offsets of records of aborted transactions still in the log.
        self.aborted: set[int] = set()
        #: Records appended since the last compaction.
        self.dirty = 0
        self.compact_threshold = compact_threshold
        #: Compact automatically when ``dirty`` reaches this.
        self.compact_at = NEVER if compact_threshold is None else compact_threshold
        self._cum: list[int] = []
        self._bytes_base = 0
        self._total = 0

    def __repr__(self) -> str:
        return (
            f"<PartitionLog {self.tp.topic}[{self.tp.partition}] "
            f"start={self.log_start_offset} end={self.high_watermark} "
            f"records={len(self.records)}>"
        )

    @property
    def last_stable_offset(self) -> int:
        """First offset of the oldest open transaction, else the high watermark."""
        open_txns = self.open_txns
        return min(open_txns.values()) if open_txns else self.high_watermark

    @property
    def size_bytes(self) -> int:
        """Payload bytes (keys, values, headers) of the records in the log."""
        return self._total - self._bytes_base

    def end_offset(self, read_committed: bool = False) -> int:
        """Return the offset a consumer at the end is at, for its isolation."""
        if read_committed and self.open_txns:
            return min(self.open_txns.values())
        return self.high_watermark

    def append(
        self,
        key: bytes | None,
        value: bytes | None,
        timestamp: float,
        timestamp_type: int,
        headers: Headers,
        size: int,
    ) -> int:
        """Append one record and wake the waiting consumers.

        Arguments:
            key: the key, already validated.
            value: the value, already validated.
            timestamp: seconds since the epoch.
            timestamp_type: create time or log append time.
            headers: a tuple of ``(str, bytes)``.
            size: payload size used by ``max_bytes`` limits of fetches.

        Returns:
            The offset of the record.
        """
        offset = self.high_watermark
        self.records.append((offset, key, value, timestamp, timestamp_type, headers))
        total = self._total + size
        self._total = total
        self._cum.append(total)
        self.high_watermark = offset + 1
        self.dirty += 1
        if self.waiters:
            self.waiters.wake()
        return offset

    def append_marker(self) -> int:
        """Take one offset for a transaction control marker (no record).

        Returns:
            The offset of the marker.
        """
        offset = self.high_watermark
        self.high_watermark = offset + 1
        if self.waiters:
            self.waiters.wake()
        return offset

    def index(self, offset: int) -> int:
        """Return the list index of the first record at or after ``offset``."""
        records = self.records
        if not records:
            return 0
        i = offset - records[0][0]
        if i <= 0:
            return 0
        n = len(records)
        if i < n:
            if records[i][0] == offset:
                return i  # no gap before it: the common case
            return bisect_left(records, offset, 0, i, key=_offset_of)
        if offset > records[-1][0]:
            return n
        return bisect_left(records, offset, 0, n, key=_offset_of)

    def fetch(
        self, offset: int, max_records: int, max_bytes: int, read_committed: bool
    ) -> tuple[list[StoredRecord], int]:
        """Read records from ``offset`` (which must be in range).

        Arguments:
            offset: the first offset wanted.
            max_records: at most this many records.
            max_bytes: at most this many payload bytes, except that the first
                record is always returned, whatever its size.
            read_committed: stop at the last stable offset and skip records
                of aborted transactions.

        Returns:
            ``(records, next_offset)``: see :class:`~.broker_types.FetchResult`.
        """
        end = self.end_offset(read_committed)
        if offset >= end:
            return [], offset
        records = self.records
        i = self.index(offset)
        j = len(records) if end == self.high_watermark else self.index(end)
        if i >= j:
            return [], end
        if read_committed and self.aborted:
            return self._fetch_skipping_aborted(i, j, end, max_records, max_bytes)
        stop = j if j - i <= max_records else i + max(max_records, 1)
        cum = self._cum
        limit = (cum[i - 1] if i else self._bytes_base) + max_bytes
        if cum[stop - 1] > limit:
            stop = max(bisect_right(cum, limit, i, stop), i + 1)
        return records[i:stop], (records[stop][0] if stop < j else end)

    def _fetch_skipping_aborted(
        self, i: int, j: int, end: int, max_records: int, max_bytes: int
    ) -> tuple[list[StoredRecord], int]:
        records = self.records
        cum = self._cum
        aborted = self.aborted
        out: list[StoredRecord] = []
        used = 0
        previous = cum[i - 1] if i else self._bytes_base
        for idx in range(i, j):
            record = records[idx]
            size = cum[idx] - previous
            previous = cum[idx]
            if record[0] in aborted:
                continue
            if out and (len(out) >= max_records or used + size > max_bytes):
                return out, record[0]
            out.append(record)
            used += size
        return out, end

    def offset_for_time(self, timestamp: float) -> OffsetAndTimestamp | None:
        """Return the first record with a timestamp at or after ``timestamp``."""
        for record in self.records:
            if record[3] >= timestamp:
                return OffsetAndTimestamp(record[0], record[3])
        return None

    def truncate_before(self, offset: int) -> int:
        """Delete every record below ``offset`` and move the log start there.

        Arguments:
            offset: the new log start offset (at most the high watermark).

        Returns:
            How many records were deleted.
        """
        if offset <= self.log_start_offset:
            return 0
        k = self.index(offset)
        if k:
            self._bytes_base = self._cum[k - 1]
            del self._cum[:k]
            del self.records[:k]
        self.log_start_offset = offset
        if self.aborted:
            self.aborted = {o for o in self.aborted if o >= offset}
        return k

    def expire(self, cutoff: float) -> int:
        """Delete the oldest records with a timestamp before ``cutoff``.

        Only a prefix of the log below the last stable offset is deleted: the
        first record that is recent enough (or part of an open transaction)
        stops it, as Kafka deletes whole old segments and never newer data.

        Returns:
            How many records were deleted.
        """
        records = self.records
        stable = self.index(self.last_stable_offset)
        k = 0
        while k < stable and records[k][3] < cutoff:
            k += 1
        if not k:
            return 0
        return self.truncate_before(records[k - 1][0] + 1)

    def compact(self, tombstone_horizon: float) -> int:
        """Keep only the latest record of each key (below the stable offset).

        Records of aborted transactions are removed, and so are tombstones
        (``value is None``) whose timestamp is at or before
        ``tombstone_horizon`` (now minus ``delete.retention.ms``).  Records of
        open transactions (at or above the last stable offset) are left alone.
        Offsets are kept: compaction leaves gaps.

        Returns:
            How many records were removed.
        """
        records = self.records
        stable_offset = self.last_stable_offset
        stable = self.index(stable_offset)
        aborted = self.aborted
        latest: dict[bytes | None, int] = {}
        for idx in range(stable):
            record = records[idx]
            if not aborted or record[0] not in aborted:
                latest[record[1]] = idx
        kept: list[StoredRecord] = []
        cum: list[int] = []
        old_cum = self._cum
        previous = total = self._bytes_base
        for idx, record in enumerate(records):
            size = old_cum[idx] - previous
            previous = old_cum[idx]
            if idx < stable and (
                latest.get(record[1]) != idx
                or (record[2] is None and record[3] <= tombstone_horizon)
            ):
                continue
            kept.append(record)
            total += size
            cum.append(total)
        removed = len(records) - len(kept)
        self.records = kept
        self._cum = cum
        self._total = total
        if aborted:
            self.aborted = {o for o in aborted if o >= stable_offset}
        self.dirty = 0
        if self.compact_threshold is not None:
            self.compact_at = max(self.compact_threshold, len(kept))
        return removed
