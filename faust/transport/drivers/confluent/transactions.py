"""Exactly-once on librdkafka: one transactional producer per id.

With ``processing_guarantee='exactly_once'`` faust writes each partition's
output through a transactional id of its own (see
:class:`~faust.transport.transaction.TransactionManager`). For each id,
:class:`Transactions` keeps a ``confluent_kafka.Producer`` with
``transactional.id`` set (idempotent, ``acks=all``), calls
``init_transactions`` once (which fences older producers of the id), and
commits the consumed offsets with the output through
``send_offsets_to_transaction`` with the metadata of the app's consumer
group. librdkafka's transactional calls block, so they run in the loop's
executor; deliveries are polled by the producer's ``_poll_deliveries`` task
through :meth:`Transactions.poll`.

This is a helper of :class:`~.producer.Producer` (not a Service).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ....types import TP
from .client import ck, kafka_error, tp_list

__all__ = ["Transactions"]

logger = logging.getLogger(__name__)

#: producer properties a consumer of the same cluster needs too
_CONNECTION_KEYS = ("bootstrap.", "client.", "security.", "sasl.", "ssl.", "enable.ssl")


class Transactions:
    """The transactional producers of a :class:`~.producer.Producer`.

    Arguments:
        producer: the owning producer (settings, executor, timeouts).
    """

    def __init__(self, producer: Any) -> None:
        self.producer = producer
        self.clients: dict[str, Any] = {}
        self.open_ids: set[str] = set()
        self._group_metadata: dict[str, Any] = {}
        self._group_clients: list[Any] = []

    @property
    def timeout(self) -> float:
        """Seconds a transactional call may take (``broker_request_timeout``)."""
        return float(self.producer.app.conf.broker_request_timeout)

    def poll(self) -> bool:
        """Serve deliveries of every transactional producer; True if busy."""
        busy = False
        for client in self.clients.values():
            client.poll(0)
            busy = busy or len(client) > 0
        return busy

    async def _call(self, tid: str, fun: Any, *args: Any) -> Any:
        try:
            return await self.producer.run_blocking(fun, *args)
        except ck().KafkaException as exc:
            raise kafka_error(exc.args[0], f"Transactional id {tid!r}") from exc

    async def _client(self, tid: str) -> Any:
        client = self.clients.get(tid)
        if client is None:
            settings = self.producer.producer_settings()
            settings.update(
                {
                    "transactional.id": tid,
                    "enable.idempotence": True,
                    "acks": "all",
                }
            )
            client = self.producer._new_producer(settings)
            await self._call(tid, client.init_transactions, self.timeout)
            self.clients[tid] = client
        return client

    async def open(self, tid: str) -> Any:
        """The producer of ``tid``, with a transaction begun."""
        client = await self._client(tid)
        if tid not in self.open_ids:
            await self._call(tid, client.begin_transaction)
            self.open_ids.add(tid)
        return client

    async def commit(self, tid: str) -> None:
        """Commit the open transaction of ``tid`` (if any)."""
        client = self.clients.get(tid)
        if client is not None and tid in self.open_ids:
            self.open_ids.discard(tid)
            await self._call(tid, client.commit_transaction, self.timeout)

    async def abort(self, tid: str) -> None:
        """Abort the open transaction of ``tid`` (if any)."""
        client = self.clients.get(tid)
        if client is not None and tid in self.open_ids:
            self.open_ids.discard(tid)
            await self._call(tid, client.abort_transaction, self.timeout)

    async def stop(self, tid: str) -> None:
        """Abort the open transaction of ``tid`` and drop its producer."""
        try:
            await self.abort(tid)
        except Exception as exc:  # fenced or gone: the broker aborts it
            logger.warning("Aborting %r failed: %r", tid, exc)
        finally:
            self.open_ids.discard(tid)
            self.clients.pop(tid, None)

    async def commit_with_offsets(
        self, tid: str, offsets: Mapping[TP, int], group_id: str
    ) -> None:
        """Add the consumed ``offsets`` to the transaction of ``tid``, commit."""
        client = await self.open(tid)
        metadata = await self._metadata_of(group_id)
        await self._call(
            tid,
            client.send_offsets_to_transaction,
            tp_list(dict(offsets)),
            metadata,
            self.timeout,
        )
        await self.commit(tid)

    async def _metadata_of(self, group_id: str) -> Any:
        # the group is joined by the aiokafka consumer; a librdkafka consumer
        # that never subscribes gives the group's metadata (the id; no
        # generation, as the aiokafka driver's send_offsets_to_transaction)
        metadata = self._group_metadata.get(group_id)
        if metadata is None:
            settings = self.producer.producer_settings()
            consumer = ck().Consumer(
                {k: v for k, v in settings.items() if k.startswith(_CONNECTION_KEYS)}
                | {"group.id": group_id, "enable.auto.commit": False}
            )
            self._group_clients.append(consumer)
            metadata = consumer.consumer_group_metadata()
            self._group_metadata[group_id] = metadata
        return metadata

    async def close(self) -> None:
        """Abort open transactions and drop every client."""
        for tid in list(self.clients):
            await self.stop(tid)
        for consumer in self._group_clients:
            await self.producer.run_blocking(consumer.close)
        self._group_clients.clear()
        self._group_metadata.clear()
