"""Every setting's section, type, default and env var match Faust (features §2.6)."""

from __future__ import annotations

import socket
from datetime import timezone
from pathlib import Path

import pytest
from yarl import URL

import faust
from faust.types.enums import ProcessingGuarantee
from faust.types.settings import Settings, params

COMPUTED = object()  # default checked in a dedicated test below

# name, section, Param class, evaluated default, env var (None = no env var)
TABLE: list[tuple[str, str, str, object, str | None]] = [
    ("autodiscover", "Common", "Autodiscover", False, None),
    ("datadir", "Common", "Path", Path("app-data"), "APP_DATADIR"),
    ("tabledir", "Common", "Path", Path("app-data/v1/tables"), "APP_TABLEDIR"),
    ("debug", "Common", "Bool", False, "APP_DEBUG"),
    ("env_prefix", "Common", "Str", None, "APP_ENV_PREFIX"),
    ("id_format", "Common", "Str", "{id}-v{self.version}", "APP_ID_FORMAT"),
    ("origin", "Common", "Str", None, None),
    ("timezone", "Common", "Timezone", timezone.utc, "TIMEZONE"),
    ("version", "Common", "Version", 1, "APP_VERSION"),
    ("agent_supervisor", "Agent", "Symbol", COMPUTED, "AGENT_SUPERVISOR"),
    ("cython_optimizations", "Common", "Bool", False, "CYTHON_OPTIMIZATIONS"),
    ("blocking_timeout", "Common", "Seconds", None, "BLOCKING_TIMEOUT"),
    ("broker", "Common", "BrokerList", [URL("kafka://localhost:9092")], "BROKER_URL"),
    (
        "broker_consumer",
        "Broker",
        "BrokerList",
        [URL("kafka://localhost:9092")],
        "BROKER_CONSUMER_URL",
    ),
    (
        "broker_producer",
        "Broker",
        "BrokerList",
        [URL("kafka://localhost:9092")],
        "BROKER_PRODUCER_URL",
    ),
    ("broker_api_version", "Broker", "Str", "auto", "BROKER_API_VERSION"),
    ("broker_check_crcs", "Broker", "Bool", True, "BROKER_CHECK_CRCS"),
    (
        "broker_client_id",
        "Broker",
        "Str",
        f"faust-{faust.__version__}",
        "BROKER_CLIENT_ID",
    ),
    ("broker_commit_every", "Broker", "UnsignedInt", 10000, "BROKER_COMMIT_EVERY"),
    ("broker_commit_interval", "Broker", "Seconds", 2.8, "BROKER_COMMIT_INTERVAL"),
    (
        "broker_commit_livelock_soft_timeout",
        "Broker",
        "Seconds",
        300.0,
        "BROKER_COMMIT_LIVELOCK_SOFT_TIMEOUT",
    ),
    ("broker_credentials", "Common", "Credentials", None, "BROKER_CREDENTIALS"),
    (
        "broker_heartbeat_interval",
        "Broker",
        "Seconds",
        3.0,
        "BROKER_HEARTBEAT_INTERVAL",
    ),
    (
        "broker_max_poll_interval",
        "Broker",
        "Seconds",
        1000.0,
        "BROKER_MAX_POLL_INTERVAL",
    ),
    (
        "broker_max_poll_records",
        "Broker",
        "UnsignedInt",
        None,
        "BROKER_MAX_POLL_RECORDS",
    ),
    ("broker_rebalance_timeout", "Broker", "Seconds", 60.0, "BROKER_REBALANCE_TIMEOUT"),
    ("broker_request_timeout", "Broker", "Seconds", 90.0, "BROKER_REQUEST_TIMEOUT"),
    ("broker_session_timeout", "Broker", "Seconds", 60.0, "BROKER_SESSION_TIMEOUT"),
    ("ssl_context", "Common", "SSLContext", None, None),
    ("consumer_api_version", "Consumer", "Str", "auto", "CONSUMER_API_VERSION"),
    (
        "consumer_max_fetch_size",
        "Consumer",
        "UnsignedInt",
        1048576,
        "CONSUMER_MAX_FETCH_SIZE",
    ),
    (
        "consumer_auto_offset_reset",
        "Consumer",
        "Str",
        "earliest",
        "CONSUMER_AUTO_OFFSET_RESET",
    ),
    (
        "consumer_group_instance_id",
        "Consumer",
        "Str",
        None,
        "CONSUMER_GROUP_INSTANCE_ID",
    ),
    (
        "consumer_metadata_max_age_ms",
        "Consumer",
        "Int",
        300000,
        "CONSUMER_METADATA_MAX_AGE_MS",
    ),
    (
        "consumer_connections_max_idle_ms",
        "Consumer",
        "Int",
        540000,
        "CONSUMER_CONNECTIONS_MAX_IDLE_MS",
    ),
    ("key_serializer", "Serialization", "Codec", "raw", "APP_KEY_SERIALIZER"),
    ("value_serializer", "Serialization", "Codec", "json", "APP_VALUE_SERIALIZER"),
    ("logging_config", "Common", "Dict", None, None),
    ("loghandlers", "Common", "LogHandlers", [], None),
    ("producer_acks", "Producer", "Int", -1, "PRODUCER_ACKS"),
    ("producer_api_version", "Producer", "Str", "auto", "PRODUCER_API_VERSION"),
    ("producer_compression_type", "Producer", "Str", None, "PRODUCER_COMPRESSION_TYPE"),
    ("producer_linger", "Producer", "Seconds", 0.0, "PRODUCER_LINGER"),
    (
        "producer_max_batch_size",
        "Producer",
        "UnsignedInt",
        16384,
        "PRODUCER_MAX_BATCH_SIZE",
    ),
    (
        "producer_max_request_size",
        "Producer",
        "UnsignedInt",
        1000000,
        "PRODUCER_MAX_REQUEST_SIZE",
    ),
    ("producer_partitioner", "Producer", "Symbol", None, None),
    (
        "producer_request_timeout",
        "Producer",
        "Seconds",
        1200.0,
        "PRODUCER_REQUEST_TIMEOUT",
    ),
    ("producer_threaded", "Producer", "Bool", False, "PRODUCER_THREADED"),
    (
        "producer_metadata_max_age_ms",
        "Producer",
        "Int",
        300000,
        "PRODUCER_METADATA_MAX_AGE_MS",
    ),
    (
        "producer_connections_max_idle_ms",
        "Producer",
        "Int",
        540000,
        "PRODUCER_CONNECTIONS_MAX_IDLE_MS",
    ),
    (
        "recovery_consistency_check",
        "Stream",
        "Bool",
        True,
        "RECOVERY_CONSISTENCY_CHECK",
    ),
    ("store_check_exists", "Stream", "Bool", True, "STORE_CHECK_EXISTS"),
    (
        "crash_app_on_aerospike_exception",
        "Stream",
        "Bool",
        True,
        "CRASH_APP_ON_AEROSPIKE_EXCEPTION",
    ),
    (
        "aerospike_retries_on_exception",
        "Stream",
        "Int",
        60,
        "AEROSPIKE_RETRIES_ON_EXCEPTION",
    ),
    (
        "aerospike_sleep_seconds_between_retries_on_exception",
        "Stream",
        "Int",
        1,
        "AEROSPIKE_SLEEP_SECONDS_BETWEEN_RETRIES_ON_EXCEPTION",
    ),
    ("reply_create_topic", "RPC", "Bool", False, "APP_REPLY_CREATE_TOPIC"),
    ("reply_expires", "RPC", "Seconds", 86400.0, "APP_REPLY_EXPIRES"),
    ("reply_to", "RPC", "Str", COMPUTED, None),
    ("reply_to_prefix", "RPC", "Str", "f-reply-", "APP_REPLY_TO_PREFIX"),
    (
        "processing_guarantee",
        "Common",
        "Enum",
        ProcessingGuarantee.AT_LEAST_ONCE,
        "PROCESSING_GUARANTEE",
    ),
    ("stream_buffer_maxsize", "Stream", "UnsignedInt", 4096, "STREAM_BUFFER_MAXSIZE"),
    (
        "stream_processing_timeout",
        "Stream",
        "Seconds",
        300.0,
        "STREAM_PROCESSING_TIMEOUT",
    ),
    ("stream_publish_on_commit", "Stream", "Bool", False, None),
    ("stream_recovery_delay", "Stream", "Seconds", 0.0, "STREAM_RECOVERY_DELAY"),
    (
        "stream_raise_decode_errors",
        "Stream",
        "Bool",
        False,
        "STREAM_RAISE_DECODE_ERRORS",
    ),
    ("stream_wait_empty", "Stream", "Bool", True, "STREAM_WAIT_EMPTY"),
    ("store", "Common", "URL", URL("memory://"), "APP_STORE"),
    ("table_cleanup_interval", "Table", "Seconds", 30.0, "TABLE_CLEANUP_INTERVAL"),
    ("table_key_index_size", "Table", "UnsignedInt", 1000, "TABLE_KEY_INDEX_SIZE"),
    ("table_standby_replicas", "Table", "UnsignedInt", 1, "TABLE_STANDBY_REPLICAS"),
    ("topic_allow_declare", "Topic", "Bool", True, "TOPIC_ALLOW_DECLARE"),
    ("topic_disable_leader", "Topic", "Bool", False, "TOPIC_DISABLE_LEADER"),
    ("topic_partitions", "Topic", "UnsignedInt", 8, "TOPIC_PARTITIONS"),
    ("topic_dead_letter", "Topic", "Str", None, "TOPIC_DEAD_LETTER"),
    ("topic_replication_factor", "Topic", "UnsignedInt", 1, "TOPIC_REPLICATION_FACTOR"),
    ("cache", "Common", "URL", URL("memory://"), "CACHE_URL"),
    ("web", "WebServer", "URL", URL("aiohttp://"), None),
    ("web_bind", "WebServer", "Str", "0.0.0.0", "WEB_BIND"),
    ("web_application_options", "WebServer", "Dict", None, None),
    ("web_cors_options", "WebServer", "Dict", None, None),
    ("web_enabled", "WebServer", "Bool", True, "APP_WEB_ENABLED"),
    ("web_stats_enabled", "WebServer", "Bool", False, "APP_WEB_STATS_ENABLED"),
    ("web_graph_enabled", "WebServer", "Bool", False, "APP_WEB_GRAPH_ENABLED"),
    ("web_router_enabled", "WebServer", "Bool", True, "APP_WEB_ROUTER_ENABLED"),
    ("web_tables_enabled", "WebServer", "Bool", True, "APP_WEB_TABLES_ENABLED"),
    ("web_metrics_enabled", "WebServer", "Bool", False, "APP_WEB_METRICS_ENABLED"),
    ("web_host", "WebServer", "Str", socket.gethostname(), "WEB_HOST"),
    ("web_in_thread", "WebServer", "Bool", False, None),
    ("web_port", "WebServer", "Port", 6066, "WEB_PORT"),
    ("web_ssl_context", "WebServer", "SSLContext", None, None),
    ("web_transport", "WebServer", "URL", URL("tcp://"), None),
    (
        "canonical_url",
        "WebServer",
        "URL",
        URL(f"http://{socket.gethostname()}:6066"),
        "NODE_CANONICAL_URL",
    ),
    ("worker_redirect_stdouts", "Worker", "Bool", True, "WORKER_REDIRECT_STDOUTS"),
    (
        "worker_redirect_stdouts_level",
        "Worker",
        "Severity",
        "WARN",
        "WORKER_REDIRECT_STDOUTS_LEVEL",
    ),
    ("Agent", "Extension", "Symbol", "faust:Agent", None),
    (
        "ConsumerScheduler",
        "Consumer",
        "Symbol",
        "faust.transport.utils:DefaultSchedulingStrategy",
        None,
    ),
    ("Event", "Extension", "Symbol", "faust:Event", None),
    ("Schema", "Extension", "Symbol", "faust:Schema", None),
    ("Stream", "Extension", "Symbol", "faust:Stream", None),
    ("Table", "Extension", "Symbol", "faust:Table", None),
    ("SetTable", "Extension", "Symbol", "faust:SetTable", None),
    ("GlobalTable", "Extension", "Symbol", "faust:GlobalTable", None),
    ("SetGlobalTable", "Extension", "Symbol", "faust:SetGlobalTable", None),
    ("TableManager", "Extension", "Symbol", "faust.tables:TableManager", None),
    ("Serializers", "Extension", "Symbol", "faust.serializers:Registry", None),
    ("Worker", "Extension", "Symbol", "faust.worker:Worker", None),
    (
        "PartitionAssignor",
        "Extension",
        "Symbol",
        "faust.assignor:PartitionAssignor",
        None,
    ),
    ("LeaderAssignor", "Extension", "Symbol", "faust.assignor:LeaderAssignor", None),
    ("Router", "Extension", "Symbol", "faust.app.router:Router", None),
    ("Topic", "Extension", "Symbol", "faust:Topic", None),
    ("HttpClient", "Extension", "Symbol", "aiohttp.client:ClientSession", None),
    ("Monitor", "Extension", "Symbol", "faust.sensors:Monitor", None),
    ("stream_ack_cancelled_tasks", "Stream", "Bool", True, None),
    ("stream_ack_exceptions", "Stream", "Bool", True, None),
    ("producer_linger_ms", "Producer", "UnsignedInt", 0, "PRODUCER_LINGER_MS"),
    ("url", "Common", "BrokerList", None, None),
]

DEPRECATED = {
    "stream_ack_cancelled_tasks",
    "stream_ack_exceptions",
    "producer_linger_ms",
    "url",
}


def test_table_covers_every_setting() -> None:
    names = [row[0] for row in TABLE]
    assert len(names) == len(set(names)) == 116
    assert set(names) == set(Settings.SETTINGS)
    assert Settings.setting_names() == set(names) - DEPRECATED


@pytest.mark.parametrize(("name", "section", "kind", "default", "env_name"), TABLE)
def test_declaration(
    name: str, section: str, kind: str, default: object, env_name: str | None
) -> None:
    param = Settings.SETTINGS[name]
    assert param.name == name
    assert param.section.name == section
    assert type(param).__name__ == kind
    assert param.env_name == env_name
    assert param.deprecated == (name in DEPRECATED)
    assert param.doc, f"{name} has no documentation"


@pytest.mark.parametrize(
    ("name", "section", "kind", "default", "env_name"),
    [row for row in TABLE if row[3] is not COMPUTED],  # others: tests below
)
def test_default(
    name: str, section: str, kind: str, default: object, env_name: str | None
) -> None:
    conf = Settings("app", env={})
    value = Settings.SETTINGS[name].peek(conf)  # peek: no import, no warning
    assert value == default
    assert type(value) is type(default)


def test_symbol_defaults_resolve_lazily() -> None:
    conf = Settings("app", env={})
    assert Settings.SETTINGS["agent_supervisor"].peek(conf) == (
        "mode.OneForOneSupervisor"
    )
    import mode

    assert conf.agent_supervisor is mode.OneForOneSupervisor
    assert conf.HttpClient.__name__ == "ClientSession"


def test_reply_to_default_is_random_and_stable() -> None:
    a, b = Settings("app", env={}), Settings("app", env={})
    assert a.reply_to.startswith("f-reply-")
    assert len(a.reply_to) == len("f-reply-") + 36
    assert a.reply_to != b.reply_to
    first = a.reply_to
    a.topic_partitions = 3  # clears the read cache
    assert a.reply_to == first
    a.reply_to_prefix = "other-"
    assert a.reply_to == first  # stable once read, as documented


def test_reply_to_uses_prefix_when_read_first() -> None:
    conf = Settings("app", env={}, reply_to_prefix="rpc-")
    assert conf.reply_to.startswith("rpc-")


def test_every_default_converts() -> None:
    """Defaults pass their own converter (guards typos in declarations)."""
    conf = Settings("app", env={})
    for param in Settings.SETTINGS.values():
        if isinstance(param, params.Symbol):
            continue
        param.read(conf)
