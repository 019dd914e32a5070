"""What happens when the consumer group rebalances.

The consumer calls :meth:`Rebalancer.on_partitions_revoked` first, then
:meth:`Rebalancer.on_partitions_assigned` with the new assignment:

revoked:
  1. stop the flow: no more fetching, no more delivery into streams;
  2. drop the events still waiting in stream buffers (their offsets stay
     uncommitted: whoever owns the partition next reads them again);
  3. wait for the events being processed right now to be acked;
  4. flush the producer and commit the acked offsets;
  5. tell tables and agents, then send ``app.on_partitions_revoked``.

assigned:
  1. remember the group generation: events fetched under an older one are
     discarded when they reach a stream;
  2. route new pattern topics, tell agents and tables (table recovery);
  3. send ``app.on_partitions_assigned`` and resume the flow.

Owner: the app (one per app). No service, no tasks.
"""

from __future__ import annotations

import logging
from typing import Any

from ..types import TP, AppT

__all__ = ["Rebalancer"]

logger = logging.getLogger(__name__)


class Rebalancer:
    """Runs the revoke/assign protocol for an app.

    Arguments:
        app: the app.
    """

    def __init__(self, app: AppT) -> None:
        self.app = app
        self.assigned: set[TP] = set()
        self._sensor_state: Any = None
        #: between on_rebalance_start and on_rebalance_end
        self.in_rebalance = False

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Stop processing and commit before partitions move away."""
        app = self.app
        app.on_rebalance_start()
        consumer = app.consumer
        consumer.stop_flow()
        app.flow_control.suspend()
        dropped = app.topics.clear_buffers()
        if dropped:
            logger.debug("Rebalance: dropped %d buffered event(s)", dropped)
        if app.conf.stream_wait_empty:
            await consumer.wait_empty()
        try:
            await consumer.commit()
        except Exception as exc:  # a failed commit means re-reading, not losing
            logger.warning("Commit at rebalance failed: %r", exc)
        # writes not tied to an offset (timers, window expiry) must land too
        # before the partitions (and their changelogs) change hands
        await app.maybe_flush_producer()
        await app.tables.on_partitions_revoked(revoked)
        await app.agents.on_rebalance(revoked, set())
        await app.on_partitions_revoked.send(revoked)

    async def on_partitions_assigned(
        self, assigned: set[TP], generation_id: int = 0
    ) -> None:
        """Start processing the new assignment."""
        app = self.app
        if not self.in_rebalance:
            # an assignment without a revoke first (the first one, on some
            # brokers): still one whole start/return/end cycle, as in Faust
            app.on_rebalance_start()
        app.consumer_generation_id = generation_id
        previous = self.assigned
        revoked = previous - assigned
        newly_assigned = assigned - previous
        self.assigned = set(assigned)
        app.unassigned = not assigned
        await app.topics.on_partitions_assigned(assigned)
        # agents get the whole assignment: with the eager protocol everything
        # was revoked first, sticky partitions included
        await app.agents.on_rebalance(set(), assigned)
        await app.tables.on_rebalance(assigned, revoked, newly_assigned, generation_id)
        await app.on_partitions_assigned.send(assigned)
        app.on_rebalance_return()
        app.consumer.resume_flow()
        app.flow_control.resume()
        app.rebalancing = False
        logger.info(
            "Assigned %d partition(s) (generation %d)%s",
            len(assigned),
            generation_id,
            ": " + ", ".join(f"{tp.topic}:{tp.partition}" for tp in sorted(assigned))
            if len(assigned) <= 16
            else "",
        )

    async def on_rebalance_complete(
        self, sender: Any, /, *args: Any, signal: Any, **kwargs: Any
    ) -> None:
        """Receiver of ``app.on_rebalance_complete`` (tables recovered)."""
        self.app.on_rebalance_end()

    # -- the App hooks (``app.on_rebalance_start()`` etc.) delegate here ---------

    def on_rebalance_start(self) -> None:
        """Count the rebalance and tell the sensors it started."""
        app = self.app
        app.rebalancing = True
        app.rebalancing_count += 1
        self._sensor_state = app.sensors.on_rebalance_start(app)
        self.in_rebalance = True

    def on_rebalance_return(self) -> None:
        """Tell the sensors the assignment came back."""
        if self._sensor_state is not None:
            self.app.sensors.on_rebalance_return(self.app, self._sensor_state)

    def on_rebalance_end(self) -> None:
        """Tell the sensors the tables recovered (once per rebalance)."""
        self.in_rebalance = False
        if self._sensor_state is not None:
            state, self._sensor_state = self._sensor_state, None
            self.app.sensors.on_rebalance_end(self.app, state)
