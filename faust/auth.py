"""Credentials for connecting to the broker (``broker_credentials``)."""

from __future__ import annotations

import ssl
from typing import Any, Optional, Union

from .types.auth import AuthProtocol, CredentialsT, SASLMechanism

__all__ = [
    "Credentials",
    "GSSAPICredentials",
    "OAuthCredentials",
    "SASLCredentials",
    "SSLCredentials",
]


class Credentials(CredentialsT):
    """Base class of broker credentials."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: protocol={self.protocol.value}>"


class SASLCredentials(Credentials):
    """SASL PLAIN / SCRAM credentials (SASL_SSL when an SSL context is given).

    Arguments:
        username: the user name.
        password: the password (never shown in ``repr``).
        ssl_context: use TLS with this context.
        mechanism: ``PLAIN`` (default), ``SCRAM-SHA-256`` or ``SCRAM-SHA-512``.
    """

    def __init__(
        self,
        *,
        username: Optional[str] = None,
        password: Optional[str] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        mechanism: Optional[Union[str, SASLMechanism]] = None,
    ) -> None:
        self.username = username
        self.password = password
        self.ssl_context = ssl_context
        self.mechanism = SASLMechanism(mechanism) if mechanism else SASLMechanism.PLAIN
        self.protocol = (
            AuthProtocol.SASL_SSL if ssl_context else AuthProtocol.SASL_PLAINTEXT
        )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: username={self.username!r} "
            f"mechanism={self.mechanism.value}>"
        )


class GSSAPICredentials(Credentials):
    """Kerberos (GSSAPI) credentials.

    Arguments:
        kerberos_service_name: the broker's service name (default ``kafka``).
        kerberos_domain_name: the Kerberos domain.
        ssl_context: use TLS with this context.
        mechanism: the SASL mechanism (default ``GSSAPI``).
    """

    def __init__(
        self,
        *,
        kerberos_service_name: str = "kafka",
        kerberos_domain_name: Optional[str] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        mechanism: Optional[Union[str, SASLMechanism]] = None,
    ) -> None:
        self.kerberos_service_name = kerberos_service_name
        self.kerberos_domain_name = kerberos_domain_name
        self.ssl_context = ssl_context
        self.mechanism = SASLMechanism(mechanism) if mechanism else SASLMechanism.GSSAPI
        self.protocol = (
            AuthProtocol.SASL_SSL if ssl_context else AuthProtocol.SASL_PLAINTEXT
        )


class OAuthCredentials(Credentials):
    """SASL OAUTHBEARER credentials.

    Arguments:
        oauth_cb: a token provider (aiokafka's ``AbstractTokenProvider``).
        ssl_context: use TLS with this context.
    """

    def __init__(
        self, *, oauth_cb: Any, ssl_context: Optional[ssl.SSLContext] = None
    ) -> None:
        self.oauth_cb = oauth_cb
        self.ssl_context = ssl_context
        self.mechanism = SASLMechanism.OAUTHBEARER
        self.protocol = (
            AuthProtocol.SASL_SSL if ssl_context else AuthProtocol.SASL_PLAINTEXT
        )


class SSLCredentials(Credentials):
    """TLS credentials.

    Arguments:
        context: an existing SSL context; else one is created from the
            other arguments (``purpose`` defaults to server authentication,
            fixing Faust's ``SSLCredentials()`` TypeError).
        purpose: purpose of the created context.
        cafile: CA bundle file.
        capath: CA directory.
        cadata: CA data.
    """

    def __init__(
        self,
        context: Optional[ssl.SSLContext] = None,
        *,
        purpose: Optional[ssl.Purpose] = None,
        cafile: Optional[str] = None,
        capath: Optional[str] = None,
        cadata: Optional[str] = None,
    ) -> None:
        if context is None:
            context = ssl.create_default_context(
                purpose=purpose or ssl.Purpose.SERVER_AUTH,
                cafile=cafile,
                capath=capath,
                cadata=cadata,
            )
        self.context = context
        self.ssl_context = context
        self.protocol = AuthProtocol.SSL
