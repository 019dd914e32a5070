"""Connections to Kafka: broker addresses, credentials, starting clients.

What every aiokafka client of the driver (producer, consumer, admin) needs:

- :func:`server_list`: broker URLs to ``host:port`` strings;
- :func:`credentials_to_aiokafka_auth` / :func:`auth_of`:
  ``broker_credentials`` / ``ssl_context`` to aiokafka's security keyword
  arguments;
- :func:`connect`: start an aiokafka client, retrying unreachable brokers
  until ``broker_request_timeout`` passes, then fail with
  :class:`~faust.exceptions.BrokerUnavailable` (the worker exits with
  status 1); refused credentials fail at once with
  :class:`~faust.exceptions.AuthenticationFailed` (:func:`probe`).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Optional, TypeVar

from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from mode import Seconds, want_seconds
from yarl import URL

from ....auth import (
    GSSAPICredentials,
    OAuthCredentials,
    SASLCredentials,
    SSLCredentials,
)
from ....exceptions import (
    AuthenticationFailed,
    BrokerUnavailable,
    ImproperlyConfigured,
    TransportError,
)
from ....types import AppT
from ....types.auth import CredentialsT

__all__ = [
    "auth_of",
    "connect",
    "credentials_to_aiokafka_auth",
    "probe",
    "server_list",
    "to_ms",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PORT = 9092
#: Kafka caps request timeouts at a signed 32-bit number of milliseconds.
_MAX_MS = 2**31 - 1


def server_list(urls: Iterable[URL], default_port: int = DEFAULT_PORT) -> list[str]:
    """``host:port`` of each broker URL (``kafka://h1:9092;h2`` style)."""
    return [f"{url.host or 'localhost'}:{url.port or default_port}" for url in urls]


def auth_of(app: AppT) -> dict[str, Any]:
    """The security keyword arguments of aiokafka clients for ``app``."""
    conf = app.conf
    return credentials_to_aiokafka_auth(conf.broker_credentials, conf.ssl_context)


def credentials_to_aiokafka_auth(
    credentials: Optional[CredentialsT] = None,
    ssl_context: Any = None,
) -> dict[str, Any]:
    """Security keyword arguments of aiokafka clients for faust credentials.

    Arguments:
        credentials: ``broker_credentials``.
        ssl_context: the older ``ssl_context`` setting (used when no
            credentials are given).

    Raises:
        ImproperlyConfigured: credentials of a kind aiokafka cannot use.
    """
    if credentials is None and ssl_context is not None:
        credentials = SSLCredentials(ssl_context)
    if credentials is None:
        return {"security_protocol": "PLAINTEXT"}
    if isinstance(credentials, SSLCredentials):
        return {"security_protocol": "SSL", "ssl_context": credentials.context}
    common = {
        "security_protocol": credentials.protocol.value,
        "ssl_context": credentials.ssl_context,
    }
    if isinstance(credentials, SASLCredentials):
        return {
            **common,
            "sasl_mechanism": credentials.mechanism.value,
            "sasl_plain_username": credentials.username,
            "sasl_plain_password": credentials.password,
        }
    if isinstance(credentials, GSSAPICredentials):
        return {
            **common,
            "sasl_mechanism": credentials.mechanism.value,
            "sasl_kerberos_service_name": credentials.kerberos_service_name,
            "sasl_kerberos_domain_name": credentials.kerberos_domain_name,
        }
    if isinstance(credentials, OAuthCredentials):
        return {
            **common,
            "sasl_mechanism": "OAUTHBEARER",
            "sasl_oauth_token_provider": credentials.oauth_cb,
        }
    raise ImproperlyConfigured(
        f"The kafka:// transport does not support credentials {credentials!r}: "
        "use SSLCredentials, SASLCredentials, GSSAPICredentials or OAuthCredentials"
    )


def to_ms(seconds: Seconds) -> int:
    """Seconds to whole milliseconds, capped to what Kafka accepts."""
    return min(int(want_seconds(seconds) * 1000), _MAX_MS)


async def connect(
    factory: Callable[[], T],
    *,
    what: str,
    servers: list[str],
    timeout: float,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    auth: Optional[Mapping[str, Any]] = None,
) -> T:
    """Start an aiokafka client, retrying while the brokers are unreachable.

    aiokafka reports a refused login only in its log (bootstrapping then
    fails like an unreachable broker), so after a failed attempt one
    connection is opened by hand (:func:`probe`) to learn why: refused
    credentials fail at once, with what to check.

    Arguments:
        factory: makes a new, not started client (one per attempt).
        what: name of the client for messages (``"producer"``).
        servers: the bootstrap servers (for messages).
        timeout: give up after this many seconds.
        sleep: how to wait between attempts.
        auth: the client's security arguments
            (:func:`credentials_to_aiokafka_auth`), for the probe.

    Raises:
        AuthenticationFailed: the broker refused the credentials.
        BrokerUnavailable: no broker answered within ``timeout``.
        TransportError: the broker refused the client otherwise.
    """
    deadline = time.monotonic() + timeout
    delay = 0.2
    attempt = 0
    while True:
        attempt += 1
        client: Any = factory()
        remaining = max(deadline - time.monotonic(), 0.01)
        try:
            await asyncio.wait_for(client.start(), timeout=remaining)
            return client  # type: ignore[no-any-return]  # the factory's type
        except (KafkaConnectionError, asyncio.TimeoutError, OSError) as exc:
            await close_quietly(client)
            why = await probe(servers, auth or {}, deadline - time.monotonic())
            if isinstance(why, AuthenticationFailed):
                raise AuthenticationFailed(f"{why} (the {what})") from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerUnavailable(
                    f"Cannot connect the {what} to the Kafka broker(s) "
                    f"{', '.join(servers)}: no answer within {timeout:g} seconds "
                    f"(broker_request_timeout), {attempt} attempt(s). Last error: "
                    f"{why or exc!r}. Check the 'broker' setting and that the "
                    f"broker is running and reachable from this host."
                ) from exc
            logger.warning(
                "Cannot reach the Kafka broker(s) %s (%r); retrying for %.0f more "
                "seconds",
                ", ".join(servers),
                exc,
                remaining,
            )
            await sleep(min(delay, remaining))
            delay = min(delay * 2, 5.0)
        except KafkaError as exc:
            await close_quietly(client)
            raise TransportError(
                f"The Kafka broker(s) {', '.join(servers)} refused the {what}: {exc!r}",
                retriable=bool(getattr(exc, "retriable", False)),
            ) from exc


#: errors of a connection that mean "these credentials are refused"
_REFUSED = (
    SaslAuthenticationFailed,
    AuthenticationFailedError,
    UnsupportedSaslMechanismError,
    ssl.SSLCertVerificationError,
)


async def probe(
    servers: list[str], auth: Mapping[str, Any], timeout: float
) -> Optional[Exception]:
    """Open one connection to each server; why it failed, or None.

    Returns:
        :class:`AuthenticationFailed` when a broker refused the credentials
        or its certificate was not trusted; else the last connection error
        (or None when a connection succeeded).
    """
    last: Optional[Exception] = None
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            conn = await asyncio.wait_for(
                create_conn(host, int(port), **auth), max(min(timeout, 5.0), 0.1)
            )
        except _REFUSED as exc:
            return AuthenticationFailed(_refusal(server, auth, exc))
        except (KafkaError, OSError, asyncio.TimeoutError) as exc:
            last = exc
            if isinstance(exc, KafkaConnectionError) and "SSL" in str(
                auth.get("security_protocol")
            ):
                last = KafkaConnectionError(
                    f"{exc} (a broker that requires a client certificate "
                    "closes TLS connections that do not present one it trusts)"
                )
        else:
            conn.close()
            return None
    return last


def _refusal(server: str, auth: Mapping[str, Any], exc: BaseException) -> str:
    protocol = auth.get("security_protocol", "PLAINTEXT")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"The Kafka broker {server} presented a certificate this client "
            f"does not trust ({exc.verify_message or exc}): check the CA of "
            "the SSL context in broker_credentials (or ssl_context)"
        )
    mechanism = auth.get("sasl_mechanism")
    detail = str(exc) or f"{type(exc).__name__} {getattr(exc, 'description', '')}"
    return (
        f"The Kafka broker {server} refused the credentials "
        f"({protocol}, mechanism {mechanism}): {detail}. Check "
        "broker_credentials: the user name, the password and the SASL "
        "mechanism the broker enables"
    )


async def close_quietly(client: Any) -> None:
    closer = getattr(client, "stop", None) or getattr(client, "close", None)
    if closer is None:
        return
    try:
        await closer()
    except Exception as exc:  # closing a half-started client: nothing to lose
        logger.debug("Closing a failed client raised %r", exc)
