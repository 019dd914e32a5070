"""Credential interfaces for connecting to the broker."""

from __future__ import annotations

import abc
import enum
import ssl
from typing import Optional, Union

from mode.utils.imports import symbol_by_name

from faust.exceptions import ImproperlyConfigured

__all__ = [
    "AUTH_PROTOCOLS_SASL",
    "AUTH_PROTOCOLS_SSL",
    "AuthProtocol",
    "CredentialsArg",
    "CredentialsT",
    "SASLMechanism",
    "to_credentials",
]

#: Import path of the class an :class:`ssl.SSLContext` is wrapped in.
_SSL_CREDENTIALS = "faust.auth:SSLCredentials"


class AuthProtocol(enum.Enum):
    """Kafka security protocols."""

    SSL = "SSL"
    PLAINTEXT = "PLAINTEXT"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


#: Protocols that encrypt the connection with TLS.
AUTH_PROTOCOLS_SSL = frozenset({AuthProtocol.SSL, AuthProtocol.SASL_SSL})
#: Protocols that authenticate with SASL.
AUTH_PROTOCOLS_SASL = frozenset({AuthProtocol.SASL_PLAINTEXT, AuthProtocol.SASL_SSL})


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


#: What ``broker_credentials`` accepts: credentials or an SSL context.
CredentialsArg = Union[CredentialsT, ssl.SSLContext]


def to_credentials(obj: Optional[CredentialsArg] = None) -> Optional[CredentialsT]:
    """Credentials from a ``broker_credentials`` value.

    Arguments:
        obj: credentials (returned as they are), an :class:`ssl.SSLContext`
            (wrapped in :class:`faust.SSLCredentials`) or None.

    Raises:
        ImproperlyConfigured: ``obj`` is something else; pass one of
            ``faust.SASLCredentials``, ``faust.GSSAPICredentials``,
            ``faust.SSLCredentials``, ``faust.OAuthCredentials`` or an SSLContext.
    """
    if obj is None or isinstance(obj, CredentialsT):
        return obj
    if isinstance(obj, ssl.SSLContext):
        credentials: CredentialsT = symbol_by_name(_SSL_CREDENTIALS)(obj)
        return credentials
    raise ImproperlyConfigured(
        f"Cannot use {obj!r} as broker credentials: pass faust.SASLCredentials, "
        "faust.GSSAPICredentials, faust.SSLCredentials, faust.OAuthCredentials "
        "or an ssl.SSLContext"
    )
