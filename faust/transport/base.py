"""The Transport base: a broker driver's factory of consumer, producer and conductor."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Optional, cast

from yarl import URL

from ..types import AppT, ConductorT, ConsumerT, ProducerT, TransactionManagerT
from ..types.transports import ConsumerCallback, TransportT
from .conductor import Conductor
from .fetcher import Fetcher
from .transaction import TransactionManager

__all__ = ["Transport"]


class Transport(TransportT):
    """Creates the driver's services for an app.

    Arguments:
        url: broker URLs (``app.conf.broker``).
        app: the app.
    """

    Conductor: ClassVar[type[ConductorT]] = Conductor
    Fetcher: ClassVar[type[Any]] = Fetcher
    TransactionManager: ClassVar[type[Any]] = TransactionManager
    driver_version = "unknown"

    def __init__(
        self,
        url: list[URL],
        app: AppT,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        self.url = url
        self.app = app
        self.loop = loop

    def create_consumer(self, callback: ConsumerCallback, **kwargs: Any) -> ConsumerT:
        """Create the consumer (not started)."""
        consumer_cls: Any = self.Consumer
        return cast(ConsumerT, consumer_cls(self, callback=callback, **kwargs))

    def create_producer(self, **kwargs: Any) -> ProducerT:
        """Create the producer (not started)."""
        producer_cls: Any = self.Producer
        return cast(ProducerT, producer_cls(self, **kwargs))

    def create_transaction_manager(
        self, consumer: ConsumerT, producer: ProducerT, **kwargs: Any
    ) -> TransactionManagerT:
        """Create the exactly-once transaction manager."""
        manager_cls: Any = self.TransactionManager
        return cast(
            TransactionManagerT,
            manager_cls(self, consumer=consumer, producer=producer, **kwargs),
        )

    def create_conductor(self, **kwargs: Any) -> ConductorT:
        """Create the conductor (``app.topics``)."""
        return self.Conductor(app=self.app, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.url}>"
