"""The ``confluent://`` transport, built on confluent-kafka (librdkafka).

Needs the ``confluent`` extra: ``pip install 'faust-ng[confluent]'``.
"""

from __future__ import annotations

from .producer import Producer
from .transport import Transport

__all__ = ["Producer", "Transport"]
