"""A worker logs in with each of faust's credential settings (Apache Kafka).

The session's Kafka node has SASL_PLAINTEXT (PLAIN and SCRAM-SHA-512),
SASL_SSL and TLS listeners (``extra/kafka_broker.py``; the TLS listener
requires a client certificate; the fixture makes the CA and certificates).
Each test runs ``faust -A secure_app worker`` against one listener: an event
sent in on the plaintext listener comes out through the worker, so its
consumer, producer and admin client all logged in. Wrong credentials end
the worker at once with one error line saying what to check, instead of
retrying until ``broker_request_timeout`` as if the broker were away.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from kafka_broker import PLAIN_USER, SCRAM_USER
from worker_helpers import Worker, create_topic, produce, read_all, until

pytestmark = pytest.mark.kafka_only

PLAIN = {"IT_USER": PLAIN_USER[1], "IT_PASSWORD": PLAIN_USER[2]}
SCRAM = {"IT_USER": SCRAM_USER[1], "IT_PASSWORD": SCRAM_USER[2]}


async def start(
    faust_bin: str, secure_kafka, listener: str, tmp_path: Path, ids, **env
):
    """A secure_app worker on ``listener``; returns (worker, in, out topics)."""
    source, out = ids("in"), ids("out")
    for topic in (source, out):  # one partition each, made on the plain listener
        await create_topic(secure_kafka.url, topic, partitions=1)
    certs = secure_kafka.certs
    full = {
        **os.environ,
        "IT_BROKER": secure_kafka.url_for(listener),
        "IT_APP_ID": ids("secure"),
        "IT_TOPIC": source,
        "IT_OUT_TOPIC": out,
        "IT_DATADIR": str(tmp_path / "data"),
        "IT_CA": str(certs["ca"]),
        "IT_CERT": str(certs["client_cert"]),
        "IT_KEY": str(certs["client_key"]),
        **env,
    }
    log = tmp_path / "worker.log"
    return Worker(faust_bin, full, log, app="secure_app"), source, out


@pytest.mark.parametrize(
    ("auth", "listener", "account"),
    [
        ("sasl-plain", "SASL_PLAINTEXT", PLAIN),
        ("sasl-scram", "SASL_PLAINTEXT", SCRAM),
        ("sasl-ssl", "SASL_SSL", PLAIN),
        ("ssl-credentials", "SSL", {}),
        ("ssl-context", "SSL", {}),
        ("ssl-context-setting", "SSL", {}),
    ],
)
async def test_worker_connects(
    auth, listener, account, secure_kafka, faust_bin, tmp_path, unique_topic
) -> None:
    worker, source, out = await start(
        faust_bin, secure_kafka, listener, tmp_path, unique_topic,
        IT_AUTH=auth, **account,
    )  # fmt: skip
    plaintext = secure_kafka.url
    try:
        await produce(plaintext, source, range(1), key=lambda i: auth)
        records = await read_all(plaintext, out, 1, expected=1, timeout=60)
        assert [r.value for r in records] == [b"0"], worker.text()[-3000:]
    finally:
        worker.stop(signal.SIGTERM)
    assert "refused" not in worker.text()


@pytest.mark.parametrize(
    ("auth", "account"), [("sasl-plain", PLAIN), ("sasl-scram", SCRAM)]
)
async def test_confluent_worker_logs_in_with_sasl(
    auth, account, secure_kafka, faust_bin, tmp_path, unique_topic
) -> None:
    # confluent:// hands SASL credentials to librdkafka (its producer); the
    # event only comes out if librdkafka logged in too
    url = secure_kafka.url_for("SASL_PLAINTEXT").replace("kafka://", "confluent://")
    worker, source, out = await start(
        faust_bin, secure_kafka, "SASL_PLAINTEXT", tmp_path, unique_topic,
        IT_AUTH=auth, IT_BROKER=url, **account,
    )  # fmt: skip
    plaintext = secure_kafka.url
    try:
        await produce(plaintext, source, range(1), key=lambda i: auth)
        records = await read_all(plaintext, out, 1, expected=1, timeout=60)
        assert [r.value for r in records] == [b"0"], worker.text()[-3000:]
    finally:
        worker.stop(signal.SIGTERM)
    assert "confluent-kafka" in worker.text() or "librdkafka" in worker.text()


@pytest.mark.parametrize(
    ("auth", "account", "says"),
    [
        (
            "sasl-plain",
            {**PLAIN, "IT_PASSWORD": "wrong"},
            "refused the credentials (SASL_PLAINTEXT, mechanism PLAIN)",
        ),
        (
            "sasl-scram",
            {**SCRAM, "IT_PASSWORD": "wrong"},
            "refused the credentials (SASL_PLAINTEXT, mechanism SCRAM-SHA-512)",
        ),
    ],
)
async def test_wrong_password_fails_at_once_saying_so(
    auth, account, says, secure_kafka, faust_bin, tmp_path, unique_topic
) -> None:
    worker, _, _ = await start(
        faust_bin, secure_kafka, "SASL_PLAINTEXT", tmp_path, unique_topic,
        IT_AUTH=auth, **account,
    )  # fmt: skip
    try:
        await until(lambda: worker.proc.poll() is not None, 60, "the worker to exit")
    finally:
        code = worker.stop(signal.SIGKILL)
    text = worker.text()
    assert code != 0
    assert says in text and "Check broker_credentials" in text, text[-3000:]
    # refused once, not retried as if the broker were unreachable
    assert "retrying for" not in text, text[-3000:]


async def test_missing_client_certificate_is_named(
    secure_kafka, faust_bin, tmp_path, unique_topic
) -> None:
    worker, _, _ = await start(
        faust_bin, secure_kafka, "SSL", tmp_path, unique_topic,
        IT_AUTH="ssl-credentials", IT_CERT="",
    )  # fmt: skip
    try:
        await until(lambda: worker.proc.poll() is not None, 60, "the worker to exit")
    finally:
        code = worker.stop(signal.SIGKILL)
    text = worker.text()
    assert code != 0
    assert "client certificate" in text, text[-3000:]
