"""librdkafka configuration from faust settings.

confluent-kafka takes one flat dict of librdkafka properties. This module
turns the app's settings into such dicts, the same settings the aiokafka
driver reads, so that switching ``kafka://`` to ``confluent://`` changes the
client and nothing else:

- :func:`security_config`: ``broker_credentials`` / ``ssl_context``;
- :func:`producer_config`: the producer settings. Partitioning follows the
  Java client and the aiokafka driver (murmur2 of the key), not librdkafka's
  default CRC32, so both drivers put a key in the same partition.
  ``max.in.flight.requests.per.connection`` is 1: with several requests in
  flight a retried batch can overtake a later one (and librdkafka has had
  ordering and loss bugs when retries interleave); one request per
  connection is also what the aiokafka driver does per partition.
- ``linger.ms``: ``producer_linger``, but :data:`DEFAULT_LINGER_MS` when that
  is 0 (faust's default). The aiokafka driver fills one batch per partition
  while the previous one is in flight and hands them over once per turn of
  the event loop, so its batches grow with the load and need no linger.
  librdkafka puts one partition in each ProduceRequest and, with no linger
  and one request in flight per connection, sent a request of a few dozen
  small messages per partition round trip: in the benchmarks the broker
  then spent five times the CPU per message the aiokafka driver costs it,
  CPU taken from the worker on a small machine. A few milliseconds of linger
  (librdkafka's own default) give requests of hundreds of messages.
"""

from __future__ import annotations

import ssl
from typing import Any, Optional

from ....auth import (
    GSSAPICredentials,
    SASLCredentials,
    SSLCredentials,
)
from ....exceptions import ImproperlyConfigured
from ....types import AppT
from ....types.auth import CredentialsT

__all__ = [
    "ACKS",
    "DEFAULT_LINGER_MS",
    "linger_ms",
    "producer_config",
    "security_config",
]

#: faust's ``producer_acks`` to librdkafka's ``acks``.
ACKS = {-1: "all", 0: "0", 1: "1"}
#: ``linger.ms`` when ``producer_linger`` is 0 (librdkafka's default)
DEFAULT_LINGER_MS = 5


def linger_ms(linger: float) -> int:
    """The ``linger.ms`` of librdkafka for ``producer_linger`` (seconds)."""
    ms = int(round(linger * 1000))
    return ms if ms > 0 else DEFAULT_LINGER_MS


def _ssl_options(context: Optional[ssl.SSLContext]) -> dict[str, Any]:
    # librdkafka cannot use a Python SSLContext: it reads certificates from
    # files (ssl.ca.location, ...) or the system store. What the context says
    # about verification is carried over; its certificates are not.
    if context is None:
        return {}
    return {
        "enable.ssl.certificate.verification": context.verify_mode != ssl.CERT_NONE,
        "ssl.endpoint.identification.algorithm": (
            "https" if context.check_hostname else "none"
        ),
    }


def security_config(
    credentials: Optional[CredentialsT] = None, ssl_context: Any = None
) -> dict[str, Any]:
    """Librdkafka security properties for faust credentials.

    Arguments:
        credentials: ``broker_credentials``.
        ssl_context: the older ``ssl_context`` setting (used when no
            credentials are given).

    Raises:
        ImproperlyConfigured: credentials librdkafka cannot use here
            (OAuth).
    """
    if credentials is None and ssl_context is not None:
        credentials = SSLCredentials(ssl_context)
    if credentials is None:
        return {"security.protocol": "plaintext"}
    if isinstance(credentials, SSLCredentials):
        return {"security.protocol": "ssl", **_ssl_options(credentials.context)}
    protocol = credentials.protocol.value.lower()
    common = {"security.protocol": protocol, **_ssl_options(credentials.ssl_context)}
    if isinstance(credentials, SASLCredentials):
        return {
            **common,
            "sasl.mechanism": credentials.mechanism.value,
            "sasl.username": credentials.username,
            "sasl.password": credentials.password,
        }
    if isinstance(credentials, GSSAPICredentials):
        return {
            **common,
            "sasl.mechanism": "GSSAPI",
            "sasl.kerberos.service.name": credentials.kerberos_service_name,
        }
    raise ImproperlyConfigured(
        f"The confluent:// transport cannot use {type(credentials).__name__}: "
        f"use SASL (PLAIN, SCRAM), GSSAPI or SSL credentials, or the kafka:// "
        f"transport."
    )


def producer_config(app: AppT, servers: list[str]) -> dict[str, Any]:
    """Librdkafka properties of the app's producer.

    Arguments:
        app: the app (settings).
        servers: ``host:port`` of the bootstrap brokers.
    """
    conf = app.conf
    return {
        "bootstrap.servers": ",".join(servers),
        "client.id": conf.broker_client_id,
        "acks": ACKS.get(int(conf.producer_acks), "all"),
        "linger.ms": linger_ms(float(conf.producer_linger)),
        "batch.size": conf.producer_max_batch_size,
        "message.max.bytes": conf.producer_max_request_size,
        "compression.type": conf.producer_compression_type or "none",
        # librdkafka refuses more than 900 s (the default setting is 1200 s)
        "request.timeout.ms": min(int(conf.producer_request_timeout * 1000), 900_000),
        "partitioner": "murmur2_random",
        "max.in.flight.requests.per.connection": 1,
        "enable.idempotence": False,
        **security_config(conf.broker_credentials, conf.ssl_context),
    }
