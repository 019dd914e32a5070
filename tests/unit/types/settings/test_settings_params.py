"""Every Param type: accepted inputs, and the error a bad input gives."""

from __future__ import annotations

import logging
import re
import ssl
import zoneinfo
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

from faust.exceptions import ImproperlyConfigured
from faust.types.auth import AuthProtocol, CredentialsT
from faust.types.enums import ProcessingGuarantee
from faust.types.settings import Settings, params


def conf(**kwargs: Any) -> Settings:
    return Settings("app", env={}, **kwargs)


def rejects(name: str, value: Any, *fragments: str) -> str:
    """Assert that ``name=value`` fails with a one-line message naming both."""
    with pytest.raises(ImproperlyConfigured) as excinfo:
        conf(**{name: value})
    message = str(excinfo.value)
    assert "\n" not in message
    assert f"setting {name!r}" in message
    assert repr(value)[:40] in message
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- Bool ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("Yes", True),
        ("1", True),
        ("on", True),
        (" TRUE ", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_bool(given: Any, expected: bool) -> None:
    assert conf(debug=given).debug is expected


@pytest.mark.parametrize("bad", ["maybe", "2", 2, [], 1.5])
def test_bool_rejects(bad: Any) -> None:
    rejects("debug", bad, "expected True/False", "'yes'")


def test_to_bool() -> None:
    assert params.to_bool("YES") is True
    with pytest.raises(ValueError):
        params.to_bool("nope")
    with pytest.raises(TypeError):
        params.to_bool(None)  # type: ignore[arg-type]


# -- Int / UnsignedInt / Port / Version --------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"), [(3, 3), ("3", 3), (" 12 ", 12), (4.0, 4)]
)
def test_unsigned_int(given: Any, expected: int) -> None:
    assert conf(topic_partitions=given).topic_partitions == expected


@pytest.mark.parametrize("bad", [-1, "-1"])
def test_unsigned_int_range(bad: Any) -> None:
    rejects("topic_partitions", bad, "out of range", "an integer >= 0")


@pytest.mark.parametrize("bad", ["eight", 2.5, True, [8]])
def test_int_rejects_non_integers(bad: Any) -> None:
    rejects("topic_partitions", bad, "expected an integer")


@pytest.mark.parametrize(
    ("given", "expected"), [("all", -1), ("ALL", -1), (0, 0), ("1", 1)]
)
def test_int_number_aliases(given: Any, expected: int) -> None:
    assert conf(producer_acks=given).producer_acks == expected


def test_acks_range_lists_aliases() -> None:
    rejects("producer_acks", 2, "an integer from -1 to 1 (or 'all')")


def test_port() -> None:
    assert conf(web_port="8080").web_port == 8080
    assert conf(web_port=0).web_port == 0
    rejects("web_port", 70000, "an integer from 0 to 65535")


def test_version() -> None:
    assert conf(version=3).version == 3
    rejects("version", 0, "an integer >= 1")


# -- Seconds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [(5, 5.0), (2.5, 2.5), ("1.5", 1.5), (timedelta(minutes=2), 120.0), (0, 0.0)],
)
def test_seconds(given: Any, expected: float) -> None:
    value = conf(broker_commit_interval=given).broker_commit_interval
    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize("bad", ["soon", -1, timedelta(seconds=-1), True, [1]])
def test_seconds_rejects(bad: Any) -> None:
    rejects("broker_commit_interval", bad, "expected a number of seconds >= 0")


# -- Str ---------------------------------------------------------------------


def test_str() -> None:
    assert conf(broker_api_version="0.10").broker_api_version == "0.10"
    rejects("broker_api_version", 0.10, "expected a string")


def test_str_choices() -> None:
    assert conf(consumer_auto_offset_reset="LATEST").consumer_auto_offset_reset == (
        "latest"
    )
    rejects(
        "consumer_auto_offset_reset",
        "newest",
        "expected one of 'earliest', 'latest', 'none'",
    )
    assert conf(producer_compression_type="gzip").producer_compression_type == "gzip"
    rejects("producer_compression_type", "rar", "'zstd'")


# -- URL / BrokerList --------------------------------------------------------


def test_url() -> None:
    assert conf(store="rocksdb://").store == URL("rocksdb://")
    assert conf(cache=URL("redis://h:6379/0")).cache == URL("redis://h:6379/0")
    rejects("store", "rocksdb", "missing scheme", "expected a URL with a scheme")
    rejects("cache", 42, "expected a URL")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("kafka://a:9092", ["kafka://a:9092"]),
        ("localhost:9092", ["kafka://localhost:9092"]),
        ("a:9092;b:9092", ["kafka://a:9092", "kafka://b:9092"]),
        ("aiokafka://a:1; b:2", ["aiokafka://a:1", "aiokafka://b:2"]),
        (["kafka://a:1", "b:2"], ["kafka://a:1", "kafka://b:2"]),
        (("memory://",), ["memory://"]),
        (URL("kafka://x:1"), ["kafka://x:1"]),
        ([URL("kafka://x:1"), "y:2"], ["kafka://x:1", "kafka://y:2"]),
    ],
)
def test_broker_list(given: Any, expected: list[str]) -> None:
    value = conf(broker=given).broker
    assert value == [URL(u) for u in expected]
    assert all(isinstance(u, URL) for u in value)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ([], "empty list"),
        ("a:1;;b:2", "empty URL"),
        ("://x", "missing scheme"),
        (9092, ""),
        ([1], ""),
    ],
)
def test_broker_list_rejects(bad: Any, why: str) -> None:
    rejects("broker", bad, why, "expected a URL, a ';'-separated string")


# -- Path --------------------------------------------------------------------


def test_path_expands_user_and_formats_name() -> None:
    c = conf(datadir="~/{conf.name}-state")
    assert c.datadir == Path("~/app-state").expanduser()
    assert conf(datadir=Path("/srv/x")).datadir == Path("/srv/x")
    rejects("datadir", 5, "expected a path")
    rejects("datadir", "  ", "empty path")


def test_datadir_with_literal_braces_kept() -> None:
    assert conf(datadir="/srv/{unknown}").datadir == Path("/srv/{unknown}")


def test_tabledir_relative_and_absolute() -> None:
    assert conf(tabledir="t").tabledir == Path("app-data/v1/t")
    assert conf(tabledir="/abs/t").tabledir == Path("/abs/t")


# -- Dict --------------------------------------------------------------------


def test_dict() -> None:
    cfg = {"version": 1}
    assert conf(logging_config=cfg).logging_config is cfg
    assert conf(logging_config='{"version": 1}').logging_config == cfg
    rejects("logging_config", "{bad", "not valid JSON", "expected a dict")
    rejects("logging_config", "[1]", "expected a dict")
    rejects("web_cors_options", 3, "expected a dict")


# -- Timezone ----------------------------------------------------------------


def test_timezone_utc_needs_no_pytz() -> None:
    assert conf(timezone="UTC").timezone is timezone.utc
    assert conf(timezone="utc").timezone is timezone.utc
    tz = timezone(timedelta(hours=2))
    assert conf(timezone=tz).timezone is tz


def test_timezone_by_name() -> None:
    # the test extra installs tzdata, so machines without /usr/share/zoneinfo
    # resolve names too
    expected = zoneinfo.ZoneInfo("Europe/Oslo")
    assert conf(timezone="Europe/Oslo").timezone == expected


@pytest.mark.parametrize("bad", ["Mars/Olympus", "../etc", 5])
def test_timezone_rejects(bad: Any) -> None:
    rejects("timezone", bad, "expected a tzinfo or a time zone name")


# -- Enum --------------------------------------------------------------------


@pytest.mark.parametrize(
    "given", ["exactly_once", "EXACTLY_ONCE", ProcessingGuarantee.EXACTLY_ONCE]
)
def test_enum(given: Any) -> None:
    assert conf(processing_guarantee=given).processing_guarantee is (
        ProcessingGuarantee.EXACTLY_ONCE
    )


def test_enum_rejects() -> None:
    message = rejects(
        "processing_guarantee",
        "twice",
        "expected one of 'at_least_once', 'exactly_once'",
    )
    assert message == (
        "Invalid value 'twice' for setting 'processing_guarantee': "
        "expected one of 'at_least_once', 'exactly_once'"
    )
    rejects("processing_guarantee", 1, "expected one of")


# -- Symbol ------------------------------------------------------------------


class MyAgent:
    pass


def agent_of(c: Settings) -> Any:
    return c.Agent


def test_symbol_class_kept() -> None:
    assert agent_of(conf(Agent=MyAgent)) is MyAgent


def test_symbol_path_resolved_on_read() -> None:
    c = conf(Agent=f"{__name__}:MyAgent")
    assert Settings.SETTINGS["Agent"].peek(c) == f"{__name__}:MyAgent"
    assert agent_of(c) is MyAgent
    assert agent_of(conf(Agent=f"{__name__}.MyAgent")) is MyAgent


def test_symbol_callable() -> None:
    def partition(key: Any, all_partitions: Any, available: Any) -> int:
        return 0

    assert conf(producer_partitioner=partition).producer_partitioner is partition


@pytest.mark.parametrize("bad", ["not a path", "a::b", ":Agent", 42])
def test_symbol_rejects_malformed(bad: Any) -> None:
    rejects("Agent", bad, "expected a class, or an import path")


def test_symbol_import_error_on_read() -> None:
    c = conf(Agent="faust_no_such_module:Agent")
    with pytest.raises(
        ImproperlyConfigured,
        match=re.escape("Setting 'Agent': cannot import 'faust_no_such_module:Agent'"),
    ):
        _ = c.Agent
    c2 = conf(Agent=f"{__name__}:NoSuchClass")
    with pytest.raises(ImproperlyConfigured, match="NoSuchClass"):
        _ = c2.Agent


# -- Credentials / SSLContext ------------------------------------------------


class FakeCredentials(CredentialsT):
    protocol = AuthProtocol.SASL_PLAINTEXT


def test_credentials_object() -> None:
    creds = FakeCredentials()
    assert conf(broker_credentials=creds).broker_credentials is creds


def test_credentials_ssl_context_wrapped_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from faust.types.settings import converters

    made: list[Any] = []

    class SSLCredentials:
        def __init__(self, context: ssl.SSLContext) -> None:
            self.context = context
            made.append(self)

    monkeypatch.setattr(converters, "symbol_by_name", lambda path: SSLCredentials)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c = conf(broker_credentials=ctx)
    first = c.broker_credentials
    assert isinstance(first, SSLCredentials) and first.context is ctx
    c.topic_partitions = 2  # clears the read cache
    assert c.broker_credentials is first
    assert len(made) == 1


def test_credentials_rejects() -> None:
    rejects("broker_credentials", "user:pass", "expected a credentials object")


def test_ssl_context() -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    assert conf(web_ssl_context=ctx).web_ssl_context is ctx
    assert conf(ssl_context=ctx).ssl_context is ctx
    rejects("web_ssl_context", "cert.pem", "expected an ssl.SSLContext")


# -- LogHandlers / Codec / Severity / Autodiscover ---------------------------


def test_loghandlers() -> None:
    handler = logging.NullHandler()
    assert conf(loghandlers=[handler]).loghandlers == [handler]
    rejects("loghandlers", [print], "is not a logging.Handler")
    rejects("loghandlers", handler, "expected a list of logging.Handler")


def test_loghandlers_default_is_per_instance_and_kept() -> None:
    a, b = conf(), conf()
    handler = logging.NullHandler()
    a.loghandlers.append(handler)
    a.broker = "kafka://other:9092"  # unrelated change keeps the list
    assert a.loghandlers == [handler]
    assert b.loghandlers == []


def test_codec() -> None:
    class Codec:
        def dumps(self, obj: Any) -> bytes:
            return b""

        def loads(self, s: bytes) -> Any:
            return None

    codec = Codec()
    assert conf(value_serializer=codec).value_serializer is codec
    assert conf(key_serializer="json|binary").key_serializer == "json|binary"
    rejects("key_serializer", 3, "expected a codec name")
    rejects("key_serializer", "", "empty name")


@pytest.mark.parametrize(
    ("given", "expected"), [("info", "INFO"), ("WARN", "WARN"), (10, 10)]
)
def test_severity(given: Any, expected: Any) -> None:
    c = conf(worker_redirect_stdouts_level=given)
    assert c.worker_redirect_stdouts_level == expected


@pytest.mark.parametrize("bad", ["LOUD", -1, 1.5, True])
def test_severity_rejects(bad: Any) -> None:
    rejects("worker_redirect_stdouts_level", bad, "expected a logging level")


def test_autodiscover() -> None:
    def packages() -> list[str]:
        return ["a"]

    assert conf(autodiscover=True).autodiscover is True
    assert conf(autodiscover=("a", "b")).autodiscover == ["a", "b"]
    assert conf(autodiscover=packages).autodiscover is packages
    rejects("autodiscover", "proj", "use autodiscover=['proj']")
    rejects("autodiscover", [1], "a list of package names")


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        conf(store="x" * 500)
    assert len(str(excinfo.value)) < 250


def test_param_repr_and_nullable() -> None:
    param = Settings.SETTINGS["origin"]
    assert repr(param) == "<Str: origin>"
    assert param.allow_none
    assert not Settings.SETTINGS["broker"].allow_none
    assert (
        Settings.SETTINGS["version"].summary
        == "Version of the app's state (1 or more)."
    )
