"""The ``kafka://`` / ``aiokafka://`` transport, built on aiokafka.

Import path kept from Faust: ``faust.transport.drivers.aiokafka:Transport``.
"""

from __future__ import annotations

from .consumer import Consumer, ConsumerRebalanceListener
from .producer import Producer
from .transport import Transport

Transport.Consumer = Consumer
Transport.Producer = Producer

__all__ = ["Consumer", "ConsumerRebalanceListener", "Producer", "Transport"]
