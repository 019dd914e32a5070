"""Every error and warning faust raises.

The tree::

    Exception
    └── FaustError
        ├── FaustPredicate                 control flow, not failures
        │   ├── NotReady
        │   │   ├── ConsumerNotStarted
        │   │   └── TablesRecovering       a web view read a table still recovering
        │   └── Skip                       drop the current value
        ├── ImproperlyConfigured           bad setting / missing optional dependency
        ├── SecurityError                  e.g. str() of a Sensitive field
        ├── ValidationError (ValueError)   a model field failed validation
        ├── DecodeError                    bytes that could not be deserialized
        │   ├── KeyDecodeError
        │   └── ValueDecodeError
        ├── SameNode                       router: the key lives on this worker
        ├── ProducerSendError              attached messages failed before commit
        ├── PartitionsMismatch             co-partitioned topics disagree
        ├── ConsistencyError               persisted table offset past the highwater
        ├── RecoveryTimeout                table recovery stopped making progress
        └── TransportError                 broker/client failures (``retriable``)
            ├── AuthenticationFailed       the broker refused our credentials
            ├── BrokerUnavailable
            ├── MessageSizeTooLarge
            ├── ProducerFenced
            └── TopicConflict              existing topic with other partitions

    UserWarning
    └── FaustWarning
        ├── AlreadyConfiguredWarning       setting changed after it was read
        └── SecurityWarning                e.g. the pickle codec

Messages say what went wrong and what to do about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .types.models import FieldDescriptorT

__all__ = [
    "FaustError",
    "FaustWarning",
    "FaustPredicate",
    "SecurityError",
    "SecurityWarning",
    "NotReady",
    "Skip",
    "AlreadyConfiguredWarning",
    "ImproperlyConfigured",
    "ValidationError",
    "DecodeError",
    "KeyDecodeError",
    "ValueDecodeError",
    "SameNode",
    "ProducerSendError",
    "ConsumerNotStarted",
    "TablesRecovering",
    "PartitionsMismatch",
    "ConsistencyError",
    "RecoveryTimeout",
    "TransportError",
    "AuthenticationFailed",
    "BrokerUnavailable",
    "MessageSizeTooLarge",
    "ProducerFenced",
    "TopicConflict",
]


class FaustError(Exception):
    """Base class for every error raised by faust."""


class FaustWarning(UserWarning):
    """Base class for every warning issued by faust."""


class FaustPredicate(FaustError):
    """Base class for exceptions used for control flow, not failure."""


class SecurityError(FaustError):
    """A security rule was broken (e.g. formatting a ``Sensitive`` value)."""


class SecurityWarning(FaustWarning):
    """A feature with security implications is in use (e.g. pickle)."""


class NotReady(FaustPredicate):
    """A service is not ready to perform the operation yet."""


class TablesRecovering(NotReady):
    """A web view read a table before table recovery finished.

    The view answers 503 (try again shortly); views that read no table
    answer at once.
    """


class Skip(FaustPredicate):
    """Raise in a stream processor to drop the current value."""


class AlreadyConfiguredWarning(FaustWarning):
    """A setting was changed after it had already been read."""


class ImproperlyConfigured(FaustError):
    """The configuration is invalid, or an optional dependency is missing."""


class ValidationError(FaustError, ValueError):
    """A model field failed validation.

    Arguments:
        reason: what is wrong with the value.
        field: the field descriptor of the offending field.
    """

    reason: str
    field: Optional[FieldDescriptorT[Any]]

    def __init__(
        self, reason: str, *, field: Optional[FieldDescriptorT[Any]] = None
    ) -> None:
        self.reason = reason
        self.field = field
        super().__init__(reason, field)

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        ident = getattr(self.field, "ident", None)
        return f"<{type(self).__name__}: {ident}: {self.reason!r}>"


class DecodeError(FaustError):
    """A message key or value could not be deserialized.

    Arguments:
        reason: why decoding failed.
        topic: the topic the message came from, when known.
        partition: the partition the message came from, when known.
        offset: the offset of the message, when known.
    """

    topic: Optional[str]
    partition: Optional[int]
    offset: Optional[int]

    def __init__(
        self,
        reason: Any = "",
        *,
        topic: Optional[str] = None,
        partition: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        self.reason = str(reason)
        self.topic = topic
        self.partition = partition
        self.offset = offset
        super().__init__(reason)

    def __str__(self) -> str:
        if self.topic is None:
            return self.reason
        return (
            f"{self.reason} (topic={self.topic!r} partition={self.partition} "
            f"offset={self.offset})"
        )


class KeyDecodeError(DecodeError):
    """A message key could not be deserialized."""


class ValueDecodeError(DecodeError):
    """A message value could not be deserialized."""


class SameNode(FaustError):
    """The requested key is served by this worker: handle it locally."""


class ProducerSendError(FaustError):
    """Sending messages attached to an event failed before commit."""


class ConsumerNotStarted(NotReady):
    """The consumer has not been started yet."""


class PartitionsMismatch(FaustError):
    """Co-partitioned topics do not have the same number of partitions."""


class ConsistencyError(FaustError):
    """A table's persisted offset is ahead of its changelog highwater."""


class RecoveryTimeout(FaustError):
    """Table recovery made no progress for ``app.tables.recovery.timeout`` seconds."""


class TransportError(FaustError):
    """The broker or the client failed.

    Arguments:
        reason: what went wrong.
        retriable: True if retrying the operation may succeed.
    """

    retriable: bool = False

    def __init__(self, reason: Any = "", *, retriable: Optional[bool] = None) -> None:
        if retriable is not None:
            self.retriable = retriable
        super().__init__(reason)


class AuthenticationFailed(TransportError):
    """The broker refused the credentials (``broker_credentials``, TLS).

    Not retried: the same credentials would be refused again.
    """


class BrokerUnavailable(TransportError):
    """No broker could be reached within the configured timeout."""

    retriable = True


class MessageSizeTooLarge(TransportError):
    """A message is larger than ``producer_max_request_size``."""


class ProducerFenced(TransportError):
    """A newer producer with the same transactional id took over."""


class TopicConflict(TransportError):
    """An existing topic does not match the declared configuration."""
