"""Credential interfaces for connecting to the broker."""

from __future__ import annotations

import abc
import enum
import ssl
from typing import Optional

__all__ = ["AuthProtocol", "CredentialsT", "SASLMechanism"]


class AuthProtocol(enum.Enum):
    """Kafka security protocols."""

    SSL = "SSL"
    PLAINTEXT = "PLAINTEXT"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SASLMechanism(enum.Enum):
    """SASL mechanisms."""

    PLAIN = "PLAIN"
    GSSAPI = "GSSAPI"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    OAUTHBEARER = "OAUTHBEARER"


class CredentialsT(abc.ABC):
    """Credentials used to authenticate with the broker."""

    protocol: AuthProtocol
    ssl_context: Optional[ssl.SSLContext] = None
