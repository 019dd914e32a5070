"""BootStrategy: which services an app starts, and in what order.

This is the one place that fixes the shape of the service tree. Children start
in the order listed and stop in reverse.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from mode import ServiceT

from ..types import AppT
from ..types.app import BootStrategyT

__all__ = ["BootStrategy"]


class BootStrategy(BootStrategyT):
    """The default boot strategy.

    Arguments:
        app: the app.
        enable_web: serve HTTP (default: the ``web_enabled`` setting).
        enable_kafka: start the producer and the consumer.
        enable_kafka_producer: start the producer (default: ``enable_kafka``).
        enable_kafka_consumer: start the consumer, agents, conductor and
            tables (default: ``enable_kafka``).
        enable_sensors: start the sensors (the Monitor).
    """

    def __init__(
        self,
        app: AppT,
        *,
        enable_web: Optional[bool] = None,
        enable_kafka: Optional[bool] = None,
        enable_kafka_producer: Optional[bool] = None,
        enable_kafka_consumer: Optional[bool] = None,
        enable_sensors: Optional[bool] = None,
    ) -> None:
        self.app = app
        if enable_kafka is not None:
            self.enable_kafka = enable_kafka
        if enable_kafka_producer is not None:
            self.enable_kafka_producer = enable_kafka_producer
        if enable_kafka_consumer is not None:
            self.enable_kafka_consumer = enable_kafka_consumer
        if enable_web is not None:
            self.enable_web = enable_web
        if enable_sensors is not None:
            self.enable_sensors = enable_sensors

    def server(self) -> Iterable[ServiceT]:
        """Services of a worker, in start order."""
        return [
            # sensors start first and stop last, so everything can report
            *self.sensors(),
            # the producer starts before anything that may send
            *self.kafka_producer(),
            *self.web_server(),
            # the consumer (with its fetcher), leader election, replies
            *self.kafka_consumer(),
            # agents register their topic subscriptions...
            *self.agents(),
            # ...before the conductor subscribes the consumer to them
            *self.kafka_conductor(),
            *self.tables(),
        ]

    def client_only(self) -> Iterable[ServiceT]:
        """Services of a client (``agent.ask()`` outside a worker)."""
        return [
            *self.kafka_producer(),
            *self.kafka_client_consumer(),
            *self.kafka_conductor(),
        ]

    def producer_only(self) -> Iterable[ServiceT]:
        """Services of a producer-only app."""
        return [*self.web_server(), *self.kafka_producer()]

    def sensors(self) -> Iterable[ServiceT]:
        """The sensors (the Monitor and those added with ``app.sensors.add``)."""
        if not self.enable_sensors:
            return []
        self.app.monitor  # noqa: B018  (creates and registers the Monitor)
        return list(self.app.sensors)

    def kafka_producer(self) -> Iterable[ServiceT]:
        """The producer, if enabled."""
        return [self.app.producer] if self._producer_enabled() else []

    def kafka_consumer(self) -> Iterable[ServiceT]:
        """The consumer, leader assignor and reply consumer, if enabled."""
        if not self._consumer_enabled():
            return []
        app = self.app
        return [app.consumer, app.leader_assignor, app.reply_consumer]

    def kafka_client_consumer(self) -> Iterable[ServiceT]:
        """The consumer of a client-only app."""
        return [self.app.consumer]

    def agents(self) -> Iterable[ServiceT]:
        """The agent manager, if the consumer is enabled."""
        return [self.app.agents] if self._consumer_enabled() else []

    def kafka_conductor(self) -> Iterable[ServiceT]:
        """The conductor, if the consumer is enabled."""
        return [self.app.topics] if self._consumer_enabled() else []

    def web_server(self) -> Iterable[ServiceT]:
        """The built-in web server, if enabled and no ``@app.web_server`` is set.

        A ``@app.web_server`` service starts after table recovery instead
        (``App.on_started_init_web_server``).
        """
        if not self.web_enabled() or self.app.web_server_service is not None:
            return []
        return [*self.web_components(), self.app.web]

    def web_components(self) -> Iterable[ServiceT]:
        """Services the built-in web server needs besides itself (none here)."""
        return []

    def web_enabled(self) -> bool:
        """True if this app serves HTTP (``enable_web`` or ``web_enabled``)."""
        return self._web_enabled()

    def tables(self) -> Iterable[ServiceT]:
        """The table manager, if the consumer is enabled."""
        return [self.app.tables] if self._consumer_enabled() else []

    def _web_enabled(self) -> bool:
        if self.enable_web is None:
            return bool(self.app.conf.web_enabled)
        return self.enable_web

    def _producer_enabled(self) -> bool:
        if self.enable_kafka_producer is None:
            return self.enable_kafka
        return self.enable_kafka_producer

    def _consumer_enabled(self) -> bool:
        if self.enable_kafka_consumer is None:
            return self.enable_kafka
        return self.enable_kafka_consumer
