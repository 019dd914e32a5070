"""Records used by agents for request/reply (``agent.ask``).

Their namespaces are Faust's, so requests and replies travel between our
workers and Faust's.
"""

from __future__ import annotations

from typing import Any

from ..models import Record

__all__ = [
    "ModelReqRepRequest",
    "ModelReqRepResponse",
    "ReqRepRequest",
    "ReqRepResponse",
]


class ReqRepRequest(
    Record,
    serializer="json",
    namespace="@ReqRepRequest",
    polymorphic_fields=True,
):
    """A value sent with ``agent.ask()``, wrapped with where to reply.

    Used when the agent does not take request metadata from headers
    (``use_reply_headers=False``).
    """

    value: Any
    reply_to: str
    correlation_id: str


class ModelReqRepRequest(ReqRepRequest):
    """A request whose value is a model."""


class ReqRepResponse(Record, serializer="json", namespace="@ReqRepResponse"):
    """The reply to a request: the agent's yielded value."""

    key: Any
    value: Any
    correlation_id: str


class ModelReqRepResponse(ReqRepResponse):
    """A reply whose value is a model."""
