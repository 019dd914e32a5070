"""The ``confluent://`` transport: librdkafka producer, shared consumer path.

``broker='confluent://host:port'`` produces through librdkafka
(:class:`~.producer.Producer`, with confluent-kafka's transactional producer
for exactly-once). Consumer group membership, faust's partition assignor,
fetching and the offset commits are those of the ``kafka://`` driver's
consumer, literally the same code, so both transports assign partitions and
commit offsets by the same rules and one app may switch between them (or
run workers of both kinds in one group). Topic creation also uses the
``kafka://`` driver's admin client.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Optional

from yarl import URL

from ....types import AppT
from ..aiokafka.consumer import Consumer
from ..aiokafka.transport import Transport as KafkaTransport
from .client import ck
from .producer import Producer

__all__ = ["Transport"]


class Transport(KafkaTransport):
    """The librdkafka transport (``broker='confluent://host:port'``).

    Raises:
        ImproperlyConfigured: confluent-kafka is not installed (the
            ``confluent`` extra).
    """

    Consumer: ClassVar[type[Any]] = Consumer
    Producer: ClassVar[type[Any]] = Producer

    def __init__(
        self,
        url: list[URL],
        app: AppT,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        module = ck()  # fail at once, with the install hint, when missing
        super().__init__(url, app, loop=loop)
        self.driver_version = (
            f"confluent-kafka={module.__version__}, librdkafka={module.libversion()[0]}"
        )
