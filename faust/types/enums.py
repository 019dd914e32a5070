"""Enumerations used in settings."""

from __future__ import annotations

import enum

__all__ = ["ProcessingGuarantee"]


class ProcessingGuarantee(enum.Enum):
    """The delivery guarantee of stream processing."""

    #: Events are processed at least once; duplicates are possible after a crash.
    AT_LEAST_ONCE = "at_least_once"
    #: Output and offsets are committed atomically in Kafka transactions.
    EXACTLY_ONCE = "exactly_once"
