"""Recovery: replays table changelogs after every rebalance.

On assignment (:meth:`Recovery.on_rebalance`, called from the consumer's
rebalance handling, before the next fetch):

1. the assigned changelog partitions are split into *actives* (this worker
   writes them) and *standbys* (replicas the partition assignor gave us);
   every partition of a global table's changelog is read too;
2. each table is told which changelog partitions it holds (a RocksDB store
   opens their databases);
3. source partitions are paused, so no event is processed before its tables
   are complete;
4. each changelog partition is sought to the offset after the one its store
   already holds (``persisted_offset``, RocksDB) or to its start, and
   *diverted*: the consumer hands its messages to ``_on_changelog()``
   (applied in batches of ``recovery_buffer_size``) instead of to streams.

The ``_watcher`` task then checks each partition's position against its high
watermark (from fetch responses), so empty, compacted and transactional
changelogs finish too, logs progress (partitions and records left, rate),
and fails with :class:`~faust.exceptions.RecoveryTimeout` after
:attr:`Recovery.timeout` seconds without progress. When the actives are
complete it pauses them (this worker writes them now), tells the tables
(``on_recovery_completed``), calls their ``on_recover`` callbacks, resumes
the source partitions and sends ``app.on_rebalance_complete``. Standbys and
global tables keep being read for as long as they are assigned.

Owner: the TableManager. Children: none. Tasks: ``_watcher``. ``on_stop``
stops reading changelogs (before the tables and their stores stop).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Optional

from mode import Service

from ..exceptions import ConsistencyError, RecoveryTimeout
from ..types import TP, AppT, EventT, Message
from ..types.tables import CollectionT
from ..utils.progress import Progress
from .changelog import ChangelogEvent

if TYPE_CHECKING:  # pragma: no cover
    from .manager import TableManager

__all__ = ["Recovery"]

logger = logging.getLogger(__name__)


class Recovery(Service):
    """Replays changelogs into tables (see the module docs).

    Arguments:
        app: the app.
        tables: the table manager.
    """

    #: Seconds between progress checks when nothing wakes the watcher.
    check_interval = 0.2
    #: Seconds between progress log lines.
    stats_interval = 5.0
    #: Seconds recovery may make no progress (no record applied, no partition
    #: complete) before it fails with RecoveryTimeout; 0 disables the limit.
    #: Change it with ``app.tables.recovery.timeout = 600`` before starting.
    timeout = 300.0
    #: Called with a :class:`~faust.utils.progress.Progress` on every check
    #: while actives recover, and once when they are complete; the worker
    #: sets it to show progress to a person (a bar or log lines).
    on_progress: Optional[Callable[[Progress], None]] = None

    def __init__(self, app: AppT, tables: TableManager, **kwargs: Any) -> None:
        self.app = app
        self.tables = tables
        self.active_tps: set[TP] = set()
        self.standby_tps: set[TP] = set()
        #: active partitions not complete yet
        self.pending: set[TP] = set()
        self.standby_pending: set[TP] = set()
        self.active_highwaters: dict[TP, int] = {}
        self._continuous: set[TP] = set()
        self._owned: set[TP] = set()
        self._paused_sources: set[TP] = set()
        self._signal = False
        self._completing = -1
        self._progress: dict[TP, tuple[int, int]] = {}
        self._generation = 0
        self._recovering = False
        self._resume_at: Optional[float] = None
        self._applied = 0
        #: changelog records skipped by this recovery (reported at its end)
        self._skipped = 0
        self._started_at = self._last_progress = self._last_stats = 0.0
        self._completed: Optional[asyncio.Event] = None
        self._wakeup: Optional[asyncio.Event] = None
        super().__init__(**kwargs)

    @property
    def completed(self) -> asyncio.Event:
        """Set while the actives of the current assignment are recovered."""
        if self._completed is None:
            self._completed = asyncio.Event()
        return self._completed

    def _wake(self) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        self._wakeup.set()

    @property
    def in_recovery(self) -> bool:
        """True from an assignment until the active tables have caught up.

        (Standby partitions are followed on afterwards: not "in recovery".)
        """
        return self._recovering and not self.tables.actives_ready

    async def on_stop(self) -> None:
        """Stop reading changelogs: the tables and their stores stop next."""
        self._recovering = False
        held = self.active_tps | self.standby_tps
        if held:
            consumer = self.app.consumer
            consumer.undivert(held)  # type: ignore[attr-defined]  # Consumer.undivert
            consumer.pause_partitions(held)

    # -- rebalancing -------------------------------------------------------------

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Stop recovering: the assignment is changing."""
        self._generation += 1
        self._recovering = False
        self.completed.clear()
        consumer = self.app.consumer
        consumer.undivert(self.active_tps | self.standby_tps)  # type: ignore[attr-defined]  # Consumer.undivert
        consumer.resume_partitions(self._paused_sources)
        self._paused_sources = set()
        self.pending.clear()
        self.standby_pending.clear()
        self._progress.clear()
        self._signal = False
        self.active_tps, self.standby_tps = set(), set()

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        """Start recovering the changelog partitions of ``assigned``."""
        await self.on_partitions_revoked(set())  # forget the previous assignment
        generation = self._generation
        consumer = self.app.consumer
        by_topic = self.tables._tables_by_changelog()
        changelog = {tp for tp in assigned if tp.topic in by_topic}
        continuous = self._global_tps(by_topic, changelog)
        assigned_standbys = self._assigned_standbys() & changelog
        # the partitions this worker writes (and expires windows of)
        self._owned = changelog - assigned_standbys
        standbys = assigned_standbys - continuous
        actives = (changelog - standbys) | continuous
        held = actives | standbys
        for table in by_topic.values():
            await table.on_rebalance(held, revoked, newly_assigned, generation_id)
        if generation != self._generation:
            return  # revoked meanwhile
        sources = assigned - changelog
        if actives:
            consumer.pause_partitions(sources)
            self._paused_sources = sources
        await self._seek(held, by_topic)
        self._start(actives, standbys, continuous)
        if actives:
            logger.info(
                "Recovering %d changelog partition(s) of %d table(s)",
                len(actives),
                len({tp.topic for tp in actives}),
            )
        # empty (or already complete) changelogs: done before the next fetch
        await self._maybe_complete(generation)
        self._wake()

    def _start(self, actives: set[TP], standbys: set[TP], continuous: set[TP]) -> None:
        consumer = self.app.consumer
        held = actives | standbys
        consumer.divert(held, self._on_changelog)  # type: ignore[attr-defined]  # Consumer.divert
        delay = float(self.app.conf.stream_recovery_delay or 0.0)
        if delay > 0:
            consumer.pause_partitions(held)
            self._resume_at = time.monotonic() + delay
        else:
            self._resume_at = None
            consumer.resume_partitions(held)
        self.active_tps, self.standby_tps = actives, standbys
        self._continuous = continuous
        self.pending, self.standby_pending = set(actives), set(standbys)
        self.tables.actives_ready = self.tables.standbys_ready = False
        self._applied = self._skipped = 0
        self._started_at = self._last_progress = self._last_stats = time.monotonic()
        self._recovering = True

    def _global_tps(
        self, by_topic: dict[str, CollectionT], assigned: set[TP]
    ) -> set[TP]:
        consumer = self.app.consumer
        tps: set[TP] = set()
        for topic, table in by_topic.items():
            if not table.is_global:
                continue
            if not consumer.reads_unassigned_partitions:  # type: ignore[attr-defined]  # Consumer class attribute
                tps |= {tp for tp in assigned if tp.topic == topic}
                continue
            count = consumer.topic_partitions(topic) or (
                table.partitions or self.app.conf.topic_partitions
            )
            tps |= {TP(topic, partition) for partition in range(count)}
        return tps

    def _assigned_standbys(self) -> set[TP]:
        # standbys come from the faust partition assignor (Kafka); other
        # assignors (the memory broker's) give none
        try:
            assignor = self.app.assignor
            return set(assignor.assigned_standbys())
        except (ImportError, AttributeError, NotImplementedError):
            return set()
        except Exception as exc:  # an assignor that is not the faust one
            logger.debug("No standby information from the assignor: %r", exc)
            return set()

    async def _seek(self, tps: set[TP], by_topic: dict[str, CollectionT]) -> None:
        if not tps:
            return
        consumer = self.app.consumer
        earliest = await consumer.earliest_offsets(*tps)
        highwaters = await consumer.highwaters(*tps)
        self.active_highwaters = dict(highwaters)
        for tp in sorted(tps):
            persisted = by_topic[tp.topic].persisted_offset(tp)
            if persisted is not None:
                self._check_consistency(tp, persisted, highwaters.get(tp))
            low = earliest.get(tp, 0)
            start = low if persisted is None else max(persisted + 1, low)
            await consumer.seek(tp, start)

    # -- applying changelog records ----------------------------------------------

    async def _on_changelog(self, batches: Mapping[TP, list[Message]]) -> None:
        """Apply changelog records of one fetch (called in the fetch loop)."""
        by_topic = self.tables._tables_by_changelog()
        app = self.app
        applied: list[tuple[CollectionT, list[EventT[Any]]]] = []
        # apply everything before the first await, so no other task sees
        # positions past records that are not applied yet
        for tp, messages in batches.items():
            table = by_topic.get(tp.topic)
            if table is None or not messages:
                continue
            schema = table.changelog_topic.schema
            events: list[EventT[Any]] = [
                ChangelogEvent(app, schema, message) for message in messages
            ]
            size = (
                table.standby_buffer_size
                if tp in self.standby_tps
                else table.recovery_buffer_size
            )
            for i in range(0, len(events), size):
                self._apply(table, events[i : i + size])
            applied.append((table, events))
            self._applied += len(messages)
        self._last_progress = time.monotonic()
        for table, events in applied:
            if table.wants_changelog_events:
                for event in events:
                    await table.on_changelog_event(event)
        if not batches.keys().isdisjoint(self.pending | self.standby_pending):
            await self._maybe_complete(self._generation)
        await asyncio.sleep(0)  # let other tasks run between batches

    def _apply(self, table: CollectionT, batch: list[EventT[Any]]) -> None:
        try:
            table.apply_changelog_batch(batch)
        except Exception:
            # find and skip the records that cannot be applied
            for event in batch:
                try:
                    table.apply_changelog_batch([event])
                except Exception as exc:
                    message = event.message
                    self._skipped += 1
                    self.app.sensors.on_changelog_record_skipped(table, message, exc)
                    logger.error(
                        "Skipping changelog record of table %r that cannot be "
                        "applied (topic=%r partition=%s offset=%s): %r",
                        table.name,
                        message.topic,
                        message.partition,
                        message.offset,
                        exc,
                    )

    async def _caught_up(self, tp: TP, applied_to: int = 0) -> bool:
        """True (and no longer pending) if ``tp`` reached its high watermark."""
        consumer = self.app.consumer
        highwater = max(consumer.highwater(tp) or 0, self.active_highwaters.get(tp, 0))
        position = await consumer.position(tp)
        reached = max(position if position is not None else 0, applied_to)
        self._progress[tp] = (reached, highwater)
        if reached < highwater:
            return False
        self.pending.discard(tp)
        self.standby_pending.discard(tp)
        self._last_progress = time.monotonic()
        return True

    def _check_consistency(
        self, tp: TP, persisted: int, highwater: Optional[int]
    ) -> None:
        if (
            highwater is not None
            and persisted >= highwater
            and self.app.conf.recovery_consistency_check
        ):
            raise ConsistencyError(
                f"The local store of changelog {tp.topic!r} partition "
                f"{tp.partition} holds records up to offset {persisted}, but the "
                f"changelog ends at offset {highwater}: the changelog topic was "
                "deleted or truncated. Delete the local table data (faust reset, "
                "or remove the tabledir) and restart to rebuild it from the "
                "changelog, or set recovery_consistency_check=False."
            )

    # -- watching progress -------------------------------------------------------

    @Service.task
    async def _watcher(self) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        wakeup = self._wakeup
        while not self.should_stop:
            await self.wait_for_stopped(wakeup.wait(), timeout=self.check_interval)
            wakeup.clear()
            if self.should_stop:
                break
            try:
                await self._check()
            except (ConsistencyError, RecoveryTimeout) as exc:
                await self.crash(exc)
                break

    async def _check(self) -> None:
        if self._signal:
            self._signal = False
            await self.app.on_rebalance_complete.send()
        if not self._recovering:
            return
        if self._resume_at is not None and time.monotonic() >= self._resume_at:
            self._resume_at = None
            self.app.consumer.resume_partitions(self.active_tps | self.standby_tps)
        await self._maybe_complete(self._generation)
        if self.pending:
            self._log_progress()
            self._check_timeout()

    async def _maybe_complete(self, generation: int) -> None:
        if self._resume_at is not None:
            return  # stream_recovery_delay: not started yet
        for tp in list(self.pending | self.standby_pending):
            await self._caught_up(tp)
            if generation != self._generation:
                return
        if not self.standby_pending:
            self.tables.standbys_ready = True
        if not self.pending and self._completing != generation and self._recovering:
            self._completing = generation
            await self._complete(generation)

    async def _complete(self, generation: int) -> None:
        consumer = self.app.consumer
        finished = self.active_tps - self._continuous
        consumer.undivert(finished)  # type: ignore[attr-defined]  # Consumer.undivert
        consumer.pause_partitions(finished)  # this worker writes them now
        tables = list(self.tables._tables_by_changelog().values())
        for table in tables:
            await table.on_recovery_completed(
                self._owned, (self.active_tps | self.standby_tps) - self._owned
            )
        for table in tables:
            try:
                await table.call_recover_callbacks()
            except Exception as exc:
                logger.exception("on_recover callback of %r raised: %r", table, exc)
        if generation != self._generation:
            return  # a rebalance started meanwhile: it recovers again
        consumer.resume_partitions(self._paused_sources)
        self._paused_sources = set()
        self.tables.actives_ready = True
        self.completed.set()
        elapsed = time.monotonic() - self._started_at
        if self.active_tps and self.on_progress is not None:
            self.on_progress(self.progress(done=True))
        if self.active_tps:
            logger.info(
                "Recovery complete: %d changelog record(s) of %d partition(s) in "
                "%.2fs (%.0f records/s)",
                self._applied,
                len(self.active_tps),
                elapsed,
                self._applied / elapsed if elapsed > 0 else 0.0,
            )
        if self._skipped:
            logger.warning(
                "Recovery skipped %d changelog record(s) it could not apply "
                "(logged above, counted by the Monitor as "
                "changelog_records_skipped): the tables lack their values",
                self._skipped,
            )
            self._skipped = 0
        # app.on_rebalance_complete is sent by the watcher, after the
        # rebalance handler (which may be running this) returned
        self._signal = True
        self._wake()

    def _remaining(self, tps: set[TP]) -> int:
        return sum(
            max(highwater - position, 0)
            for tp, (position, highwater) in self._progress.items()
            if tp in tps
        )

    def active_remaining_total(self) -> int:
        """Changelog records the actives still have to recover (last checked)."""
        return self._remaining(self.pending)

    def standby_remaining_total(self) -> int:
        """Changelog records the standbys are behind (last checked)."""
        return self._remaining(self.standby_pending)

    def progress(self, *, done: bool = False) -> Progress:
        """How far the recovery of the actives is (a snapshot)."""
        return Progress(
            partitions_total=len(self.active_tps),
            partitions_left=0 if done else len(self.pending),
            records_applied=self._applied,
            records_remaining=0 if done else self.active_remaining_total(),
            elapsed=time.monotonic() - self._started_at,
            done=done,
        )

    def _log_progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress())
        now = time.monotonic()
        if now - self._last_stats < self.stats_interval:
            return
        self._last_stats = now
        elapsed = now - self._started_at
        rate = self._applied / elapsed if elapsed > 0 else 0.0
        remaining = self.active_remaining_total()
        eta = f"{remaining / rate:.0f}s" if rate > 0 else "unknown"
        logger.info(
            "Recovery: %d partition(s) left (%s): %d record(s) remaining, "
            "%d applied, %.0f records/s, ETA %s",
            len(self.pending),
            ", ".join(f"{tp.topic}:{tp.partition}" for tp in sorted(self.pending)[:8]),
            remaining,
            self._applied,
            rate,
            eta,
        )

    def _check_timeout(self) -> None:
        timeout = float(self.timeout or 0.0)
        if not timeout or self._resume_at is not None:
            return
        if time.monotonic() - self._last_progress < timeout:
            return
        consumer = self.app.consumer
        stuck = ", ".join(
            f"{tp.topic}:{tp.partition} (high watermark {consumer.highwater(tp)})"
            for tp in sorted(self.pending)
        )
        raise RecoveryTimeout(
            f"Table recovery made no progress for {timeout:.0f} seconds; "
            f"changelog partitions not complete: {stuck}. Check that the broker "
            "is reachable and the changelog topics exist, or raise "
            "app.tables.recovery.timeout."
        )
