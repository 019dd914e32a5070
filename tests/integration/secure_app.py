"""The app of the security tests (``faust -A secure_app worker``).

It forwards every event of ``IT_TOPIC`` to ``IT_OUT_TOPIC``, so one event
that comes out shows that its consumer, producer and admin client all
logged in. How it authenticates is set by ``IT_AUTH``, each a way faust
users configure it:

- ``sasl-plain`` / ``sasl-scram``: ``broker_credentials=SASLCredentials(...)``
  (mechanism PLAIN / SCRAM-SHA-512) on a SASL_PLAINTEXT listener;
- ``sasl-ssl``: ``SASLCredentials(..., ssl_context=...)`` (SASL_SSL);
- ``ssl-credentials``: ``broker_credentials=SSLCredentials(context)``;
- ``ssl-context``: ``broker_credentials=<ssl.SSLContext>``;
- ``ssl-context-setting``: the older ``ssl_context=<ssl.SSLContext>``.

``IT_USER``/``IT_PASSWORD`` are the SASL account; ``IT_CA`` the CA file;
``IT_CERT``/``IT_KEY`` the client certificate (TLS modes; left out when
empty).
"""

from __future__ import annotations

import os
import ssl
from typing import Any

import faust

env = os.environ


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=env["IT_CA"])
    if env.get("IT_CERT"):
        context.load_cert_chain(env["IT_CERT"], env["IT_KEY"])
    return context


def _security(mode: str) -> dict[str, Any]:
    sasl = {"username": env.get("IT_USER"), "password": env.get("IT_PASSWORD")}
    if mode == "sasl-plain":
        return {"broker_credentials": faust.SASLCredentials(**sasl)}
    if mode == "sasl-scram":
        credentials = faust.SASLCredentials(**sasl, mechanism="SCRAM-SHA-512")
        return {"broker_credentials": credentials}
    if mode == "sasl-ssl":
        credentials = faust.SASLCredentials(**sasl, ssl_context=_context())
        return {"broker_credentials": credentials}
    if mode == "ssl-credentials":
        return {"broker_credentials": faust.SSLCredentials(_context())}
    if mode == "ssl-context":
        return {"broker_credentials": _context()}
    if mode == "ssl-context-setting":
        return {"ssl_context": _context()}
    raise ValueError(f"unknown IT_AUTH {mode!r}")


app = faust.App(
    env["IT_APP_ID"],
    broker=env["IT_BROKER"],
    web_enabled=False,
    topic_partitions=1,
    broker_session_timeout=3.0,
    broker_heartbeat_interval=0.5,
    broker_request_timeout=10.0,
    broker_commit_interval=0.2,
    datadir=env["IT_DATADIR"],
    **_security(env["IT_AUTH"]),
)

source = app.topic(env["IT_TOPIC"], value_serializer="raw", partitions=1)
out = app.topic(env["IT_OUT_TOPIC"], value_serializer="raw", partitions=1)


@app.agent(source)
async def forward(stream):
    """Send each event on to the output topic."""
    async for value in stream:
        await out.send(value=value)
