"""Connections, credentials and topic creation of the kafka:// transport."""

from __future__ import annotations

import ssl
from types import SimpleNamespace
from unittest.mock import AsyncMock, Mock

import pytest
from aiokafka.errors import (
    AuthenticationFailedError,
    KafkaConnectionError,
    SaslAuthenticationFailed,
    TopicAlreadyExistsError,
)
from yarl import URL

import faust
from faust.exceptions import (
    AuthenticationFailed,
    BrokerUnavailable,
    ImproperlyConfigured,
    TopicConflict,
    TransportError,
)
from faust.transport import by_url
from faust.transport.drivers.aiokafka import Consumer, Producer, Transport, connection
from faust.transport.drivers.aiokafka.transport import (
    TopicCreator,
    connect,
    credentials_to_aiokafka_auth,
    server_list,
    to_ms,
    topic_config,
)


def test_registered_for_kafka_and_aiokafka_schemes() -> None:
    assert by_url("kafka://localhost:9092") is Transport
    assert by_url("aiokafka://localhost") is Transport
    assert Transport.Consumer is Consumer
    assert Transport.Producer is Producer
    assert Transport.driver_version.startswith("aiokafka=")


def test_server_list_defaults_port() -> None:
    urls = [URL("kafka://a:1234"), URL("kafka://b"), URL("kafka://")]
    assert server_list(urls) == ["a:1234", "b:9092", "localhost:9092"]


def test_to_ms_caps_to_int32() -> None:
    assert to_ms(1.5) == 1500
    assert to_ms(10**9) == 2**31 - 1


def test_no_credentials_is_plaintext() -> None:
    assert credentials_to_aiokafka_auth(None) == {"security_protocol": "PLAINTEXT"}


def test_ssl_context_setting_becomes_ssl_credentials() -> None:
    context = ssl.create_default_context()
    assert credentials_to_aiokafka_auth(None, context) == {
        "security_protocol": "SSL",
        "ssl_context": context,
    }


def test_sasl_credentials() -> None:
    creds = faust.SASLCredentials(username="u", password="p", mechanism="SCRAM-SHA-512")
    assert credentials_to_aiokafka_auth(creds) == {
        "security_protocol": "SASL_PLAINTEXT",
        "ssl_context": None,
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "u",
        "sasl_plain_password": "p",
    }
    context = ssl.create_default_context()
    tls = faust.SASLCredentials(username="u", password="p", ssl_context=context)
    auth = credentials_to_aiokafka_auth(tls)
    assert auth["security_protocol"] == "SASL_SSL"
    assert auth["ssl_context"] is context
    assert auth["sasl_mechanism"] == "PLAIN"


def test_gssapi_credentials() -> None:
    creds = faust.GSSAPICredentials(
        kerberos_service_name="svc", kerberos_domain_name="example.com"
    )
    assert credentials_to_aiokafka_auth(creds) == {
        "security_protocol": "SASL_PLAINTEXT",
        "ssl_context": None,
        "sasl_mechanism": "GSSAPI",
        "sasl_kerberos_service_name": "svc",
        "sasl_kerberos_domain_name": "example.com",
    }


def test_oauth_credentials() -> None:
    provider = object()
    auth = credentials_to_aiokafka_auth(faust.OAuthCredentials(oauth_cb=provider))
    assert auth["sasl_mechanism"] == "OAUTHBEARER"
    assert auth["sasl_oauth_token_provider"] is provider


def test_unknown_credentials_are_refused() -> None:
    class Weird(faust.auth.Credentials):
        protocol = faust.auth.AuthProtocol.PLAINTEXT

    with pytest.raises(ImproperlyConfigured, match="does not support"):
        credentials_to_aiokafka_auth(Weird())


def test_topic_config() -> None:
    assert topic_config() == {}
    assert topic_config(
        {"min.insync.replicas": 2}, retention=3.5, compacting=True, deleting=True
    ) == {
        "min.insync.replicas": "2",
        "cleanup.policy": "compact,delete",
        "retention.ms": "3500",
    }
    assert topic_config(compacting=True) == {"cleanup.policy": "compact"}


class FakeClient:
    """A client whose start() fails a number of times first."""

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = errors
        self.stopped = False

    async def start(self) -> None:
        if self.errors:
            raise self.errors.pop(0)

    async def stop(self) -> None:
        self.stopped = True


@pytest.fixture(autouse=True)
def probe_conn(monkeypatch) -> AsyncMock:
    """The probe's own connection (no network): fails as unreachable."""
    create = AsyncMock(side_effect=KafkaConnectionError("Connection refused"))
    monkeypatch.setattr(connection, "create_conn", create)
    return create


async def test_connect_retries_until_the_broker_answers() -> None:
    errors: list[BaseException] = [KafkaConnectionError("refused")] * 2
    made: list[FakeClient] = []
    sleeps: list[float] = []

    def factory() -> FakeClient:
        made.append(FakeClient(errors))
        return made[-1]

    async def sleep(n: float) -> None:
        sleeps.append(n)

    client = await connect(
        factory, what="producer", servers=["h:1"], timeout=60, sleep=sleep
    )
    assert client is made[-1]
    assert len(made) == 3
    assert [c.stopped for c in made] == [True, True, False]  # failed ones closed
    assert sleeps == [0.2, 0.4]


async def test_connect_gives_up_after_the_timeout() -> None:
    def factory() -> FakeClient:
        return FakeClient([KafkaConnectionError("Connection refused")])

    with pytest.raises(BrokerUnavailable) as info:
        await connect(factory, what="consumer", servers=["h:1", "h:2"], timeout=0)
    message = str(info.value)
    assert "consumer" in message and "h:1, h:2" in message
    assert "broker_request_timeout" in message
    assert info.value.retriable


async def test_connect_does_not_retry_a_refusal() -> None:
    made: list[FakeClient] = []

    def factory() -> FakeClient:
        made.append(FakeClient([AuthenticationFailedError("bad password")]))
        return made[-1]

    with pytest.raises(TransportError, match="refused the producer"):
        await connect(factory, what="producer", servers=["h:1"], timeout=60)
    assert len(made) == 1 and made[0].stopped


SASL = {
    "security_protocol": "SASL_PLAINTEXT",
    "sasl_mechanism": "PLAIN",
    "sasl_plain_username": "alice",
    "sasl_plain_password": "wrong",
}


async def test_refused_credentials_fail_at_once(probe_conn) -> None:
    # aiokafka only logs a refused login; bootstrapping then fails as if
    # the broker were away, and retrying would wait out the timeout
    probe_conn.side_effect = SaslAuthenticationFailed(
        "Authentication failed: Invalid username or password"
    )
    made: list[FakeClient] = []

    def factory() -> FakeClient:
        made.append(FakeClient([KafkaConnectionError("Unable to bootstrap")]))
        return made[-1]

    with pytest.raises(AuthenticationFailed) as info:
        await connect(factory, what="consumer", servers=["h:1"], timeout=60, auth=SASL)
    message = str(info.value)
    assert "h:1 refused the credentials (SASL_PLAINTEXT, mechanism PLAIN)" in message
    assert "Invalid username or password" in message
    assert "Check broker_credentials" in message and "(the consumer)" in message
    assert not info.value.retriable
    assert len(made) == 1 and made[0].stopped
    # the probe connected as the client would
    assert probe_conn.await_args.args == ("h", 1)
    assert probe_conn.await_args.kwargs == SASL


async def test_an_untrusted_broker_certificate_fails_at_once(probe_conn) -> None:
    error = ssl.SSLCertVerificationError("certificate verify failed")
    error.verify_message = "self-signed certificate in certificate chain"
    probe_conn.side_effect = error
    with pytest.raises(AuthenticationFailed, match="does not trust .*self-signed"):
        await connect(
            lambda: FakeClient([KafkaConnectionError("closed")]),
            what="producer",
            servers=["h:1"],
            timeout=60,
            auth={"security_protocol": "SSL", "ssl_context": object()},
        )


async def test_the_timeout_error_says_what_the_probe_saw(probe_conn) -> None:
    probe_conn.side_effect = KafkaConnectionError("Connection at h:1 closed")
    with pytest.raises(BrokerUnavailable) as info:
        await connect(
            lambda: FakeClient([KafkaConnectionError("Unable to bootstrap")]),
            what="producer",
            servers=["h:1"],
            timeout=0,
            auth={"security_protocol": "SSL", "ssl_context": object()},
        )
    assert "Connection at h:1 closed" in str(info.value)
    assert "client certificate" in str(info.value)


async def test_probe_finds_nothing_wrong_when_it_connects(probe_conn) -> None:
    conn = Mock()
    probe_conn.side_effect = None
    probe_conn.return_value = conn
    assert await connection.probe(["h:1", "h:2"], {}, 5.0) is None
    conn.close.assert_called_once_with()
    assert probe_conn.await_count == 1


def topic_creator(
    app, response_errors, describe=None, listings=None
) -> tuple[TopicCreator, Mock]:
    creator = TopicCreator(app, [URL("kafka://h:1")])
    admin = Mock(spec=["create_topics", "describe_topics", "list_topics", "close"])
    admin.create_topics = AsyncMock(
        return_value=SimpleNamespace(topic_errors=response_errors)
    )
    admin.describe_topics = AsyncMock(return_value=describe or [])
    # what the brokers list, one answer per call (the last one repeats)
    answers = list(listings or [[name for name, *_ in response_errors]])
    admin.list_topics = AsyncMock(
        side_effect=lambda: answers.pop(0) if len(answers) > 1 else answers[0]
    )
    admin.close = AsyncMock()
    creator._admin = admin
    return creator, admin


async def test_create_topic_returns_once_the_brokers_list_it(app) -> None:
    # Kafka answers CreateTopics before its brokers' metadata has the topic:
    # a consumer subscribing at once would join without it
    creator, admin = topic_creator(
        app, [("t", 0, None)], listings=[[], ["other"], ["t", "other"]]
    )
    assert await creator.create_topic("t", 4, 1) is True
    assert admin.list_topics.await_count == 3


async def test_delete_topics_returns_once_they_are_gone(app) -> None:
    creator, admin = topic_creator(app, [], listings=[["t", "u"], ["u"], []])
    admin.delete_topics = AsyncMock(
        return_value=SimpleNamespace(topic_error_codes=[("t", 0), ("u", 0)])
    )
    await creator.delete_topics(["t", "u"])
    assert admin.list_topics.await_count == 3


async def test_delete_topics_still_listed_is_an_error(app) -> None:
    creator, admin = topic_creator(app, [], listings=[["t"]])
    admin.delete_topics = AsyncMock(
        return_value=SimpleNamespace(topic_error_codes=[("t", 0)])
    )
    with pytest.raises(TransportError, match="still listed"):
        await creator.delete_topics(["t"], timeout=0.1)


async def test_create_topic_sends_partitions_replication_and_config(app) -> None:
    creator, admin = topic_creator(app, [("t", 0, None)])
    created = await creator.create_topic(
        "t", 3, 2, config={"x": 1}, retention=10, compacting=True, timeout=5
    )
    assert created is True
    (new_topics,), kwargs = admin.create_topics.call_args
    (new,) = new_topics
    assert (new.name, new.num_partitions, new.replication_factor) == ("t", 3, 2)
    assert new.topic_configs == {
        "x": "1",
        "cleanup.policy": "compact",
        "retention.ms": "10000",
    }
    assert kwargs == {"timeout_ms": 5000}
    await creator.close()
    admin.close.assert_awaited_once()


async def test_existing_topic_is_left_alone(app) -> None:
    exists = TopicAlreadyExistsError.errno
    creator, admin = topic_creator(
        app,
        [("t", exists, "exists")],
        describe=[{"topic": "t", "partitions": [{}, {}, {}]}],
    )
    assert await creator.create_topic("t", 3, 1) is False


async def test_existing_topic_with_other_partition_count_conflicts(app) -> None:
    exists = TopicAlreadyExistsError.errno
    creator, admin = topic_creator(
        app,
        [("t", exists, "exists")],
        describe=[{"topic": "t", "partitions": [{}, {}]}],
    )
    with pytest.raises(TopicConflict, match="exists with 2 partitions, but 8"):
        await creator.create_topic("t", 8, 1)


async def test_create_topic_error_is_reported(app) -> None:
    creator, admin = topic_creator(app, [("t", 38, "Replication factor too large")])
    with pytest.raises(TransportError, match="replication factor 5.*too large"):
        await creator.create_topic("t", 1, 5)
