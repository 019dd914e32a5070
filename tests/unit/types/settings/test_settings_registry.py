"""Settings mechanics: keywords, environment, aliases, late configuration."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import faust
from faust.exceptions import AlreadyConfiguredWarning, ImproperlyConfigured
from faust.types.settings import Settings, params, sections
from faust.types.settings.web import node_hostname


def conf(*, env: dict[str, str] | None = None, **kwargs: Any) -> Settings:
    return Settings("app", env={} if env is None else env, **kwargs)


# -- construction ------------------------------------------------------------


def test_public_paths() -> None:
    assert faust.Settings is Settings  # type: ignore[attr-defined]  # lazy export
    import faust.types.settings as module

    assert module.Settings is Settings


@pytest.mark.parametrize("bad", ["", None, 42])
def test_id_required(bad: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="App requires an id!"):
        Settings(bad, env={})


def test_unknown_setting_suggests() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        conf(brokr="kafka://x")
    assert str(excinfo.value) == "Unknown setting 'brokr' (did you mean 'broker'?)"


def test_unknown_settings_all_named() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        conf(BROKER="x", frobnicate=1)
    message = str(excinfo.value)
    assert message.startswith("Unknown settings 'BROKER' (did you mean 'broker'")
    assert "'frobnicate'" in message
    assert "\n" not in message


def test_none_means_default() -> None:
    c = conf(broker=None, topic_partitions=None)
    assert c.broker == [URL("kafka://localhost:9092")]
    assert c.topic_partitions == 8
    assert not c.is_set("broker")


def test_construction_computes_nothing_lazy() -> None:
    c = conf(broker="kafka://a:9092")
    # defaults, imports, hostname lookups: all wait for the first read
    assert set(c._cache) <= {"@id", "version"}
    assert c.is_set("broker")


# -- environment -------------------------------------------------------------


def test_env_overrides_kwargs() -> None:
    c = conf(
        env={"BROKER_URL": "kafka://env:9092", "TOPIC_PARTITIONS": "4"},
        broker="kafka://kwarg:9092",
    )
    assert c.broker == [URL("kafka://env:9092")]
    assert c.topic_partitions == 4
    assert c.getenv("TOPIC_PARTITIONS") == "4"


def test_os_environ_is_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_DEBUG", "yes")
    c = Settings("app")
    assert c.debug is True
    assert c.env is os.environ


@pytest.mark.parametrize("prefix", ["MYAPP_", "MYAPP"])
def test_env_prefix_kwarg(prefix: str) -> None:
    env = {"MYAPP_WEB_PORT": "7000", "WEB_PORT": "1"}
    c = conf(env=env, env_prefix=prefix)
    assert c.web_port == 7000
    assert c.env_prefix == prefix
    assert c.getenv("WEB_PORT") == "7000"


def test_env_prefix_from_environment_wins() -> None:
    env = {"APP_ENV_PREFIX": "ENVP_", "ENVP_WEB_PORT": "7001", "KW_WEB_PORT": "2"}
    c = conf(env=env, env_prefix="KW_")
    assert c.env_prefix == "ENVP_"
    assert c.web_port == 7001


def test_env_error_names_variable() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        conf(env={"X_PROCESSING_GUARANTEE": "twice"}, env_prefix="X_")
    assert str(excinfo.value) == (
        "Invalid value 'twice' for setting 'processing_guarantee' (from environment "
        "variable X_PROCESSING_GUARANTEE): expected one of 'at_least_once', "
        "'exactly_once'"
    )


def test_env_read_once_at_construction() -> None:
    env = {"TOPIC_PARTITIONS": "4"}
    c = conf(env=env)
    env["TOPIC_PARTITIONS"] = "5"
    assert c.topic_partitions == 4


def test_process_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAUST_WEB_PORT", "7070")
    monkeypatch.setenv("F_WEB_BIND", "127.0.0.1")
    monkeypatch.setenv("FAUST_WEB_TRANSPORT", "unix:///tmp/f.sock")
    monkeypatch.setenv("FAUST_DATADIR", "/var/{conf.name}")
    c = conf()
    assert c.web_port == 7070
    assert c.web_bind == "127.0.0.1"
    assert c.web_transport == URL("unix:///tmp/f.sock")
    assert c.datadir == Path("/var/app")
    # the setting's own variable wins over the process default
    assert conf(env={"WEB_PORT": "1234", "WEB_BIND": "10.0.0.1"}).web_port == 1234
    assert conf(env={"WEB_BIND": "10.0.0.1"}).web_bind == "10.0.0.1"


def test_web_host_is_hostname(monkeypatch: pytest.MonkeyPatch) -> None:
    node_hostname.cache_clear()
    monkeypatch.setattr("socket.gethostname", lambda: "node7")
    try:
        c = conf()
        assert c.web_host == "node7"
        assert Settings.NODE_HOSTNAME == "node7"
        assert c.canonical_url == URL("http://node7:6066")
    finally:
        node_hostname.cache_clear()


# -- compat names and deprecated settings -------------------------------------

COMPAT = [
    ("client_id", "broker_client_id", "me"),
    ("commit_interval", "broker_commit_interval", 1.0),
    ("create_reply_topic", "reply_create_topic", True),
    ("num_standby_replicas", "table_standby_replicas", 3),
    ("default_partitions", "topic_partitions", 12),
    ("replication_factor", "topic_replication_factor", 3),
]


@pytest.mark.parametrize(("old", "new", "value"), COMPAT)
def test_compat_kwarg(old: str, new: str, value: Any) -> None:
    with pytest.warns(FutureWarning, match=f"'{old}' is deprecated.*'{new}'"):
        c = conf(**{old: value})
    with pytest.warns(FutureWarning):
        setattr(c, old, value)
    assert getattr(c, new) == value
    with pytest.warns(FutureWarning):
        assert getattr(c, old) == value


@pytest.mark.parametrize(("old", "new", "value"), COMPAT)
def test_compat_with_new_name_is_error(old: str, new: str, value: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"both compat setting '{old}'"):
        conf(**{old: value, new: value})


def test_compat_aliases_listed() -> None:
    assert Settings.COMPAT_ALIASES == {old: new for old, new, _ in COMPAT}


def test_url_alias_of_broker() -> None:
    with pytest.warns(FutureWarning, match="'url' is deprecated"):
        c = conf(url="kafka://old:9092")
    assert c.broker == [URL("kafka://old:9092")]
    assert c.broker_consumer == [URL("kafka://old:9092")]
    with pytest.warns(FutureWarning):
        assert c.url == [URL("kafka://old:9092")]
    with pytest.raises(ImproperlyConfigured, match="both deprecated setting 'url'"):
        conf(url="kafka://a:1", broker="kafka://b:1")


@pytest.mark.parametrize(
    "value",
    ["kafka://a:9092;b:9092", ["kafka://a:9092", "kafka://b:9092"]],
)
def test_url_alias_takes_what_broker_takes(value: object) -> None:
    with pytest.warns(FutureWarning, match="'url' is deprecated"):
        c = conf(url=value)
    assert c.broker == [URL("kafka://a:9092"), URL("kafka://b:9092")]


def test_url_alias_from_config_object() -> None:
    from faust.app.configuration import load_config_source

    class Config:
        url = "memory://"

    options = load_config_source(Config)
    assert options == {"url": "memory://"}
    with pytest.warns(FutureWarning, match="'url' is deprecated"):
        assert conf(**options).broker[0].scheme == "memory"


@pytest.mark.parametrize(
    "name", ["stream_ack_cancelled_tasks", "stream_ack_exceptions"]
)
def test_deprecated_no_effect_settings(name: str) -> None:
    with pytest.warns(FutureWarning, match="no longer has any effect"):
        c = Settings("app", env={}, **{name: False})
    with pytest.warns(FutureWarning):
        assert getattr(c, name) is False


def test_producer_linger_from_ms() -> None:
    with pytest.warns(FutureWarning, match="producer_linger"):
        c = conf(producer_linger_ms=250)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert c.producer_linger == 0.25  # reading the new name does not warn
    assert conf(producer_linger=0.5).producer_linger == 0.5


# -- defaults that follow other settings ---------------------------------------


def test_default_aliases_follow() -> None:
    c = conf(broker="kafka://a:1", broker_api_version="0.10", debug=True)
    assert c.broker_consumer == c.broker_producer == [URL("kafka://a:1")]
    assert c.consumer_api_version == c.producer_api_version == "0.10"
    assert c.web_stats_enabled is c.web_graph_enabled is True
    c.broker = "kafka://b:2"
    assert c.broker_consumer == [URL("kafka://b:2")]
    d = conf(broker="kafka://a:1", broker_consumer="kafka://c:3")
    assert d.broker_consumer == [URL("kafka://c:3")]
    assert d.broker_producer == [URL("kafka://a:1")]


def test_canonical_url_follows_host_and_port() -> None:
    c = conf(web_host="h1", web_port=8000)
    assert c.canonical_url == URL("http://h1:8000")
    c.web_port = 9000
    c.web_host = "h2"
    assert c.canonical_url == URL("http://h2:9000")
    with pytest.warns(AlreadyConfiguredWarning, match="'canonical_url'"):
        c.canonical_url = "https://public.example.com"
    c.web_port = 9001
    assert c.canonical_url == URL("https://public.example.com")
    with pytest.warns(AlreadyConfiguredWarning):
        c.canonical_url = None  # back to the computed default
    assert c.canonical_url == URL("http://h2:9001")
    e = conf(env={"NODE_CANONICAL_URL": "http://lb:80"}, web_host="h")
    assert e.canonical_url == URL("http://lb:80")


# -- late configuration ------------------------------------------------------


def test_late_set_before_read_is_silent() -> None:
    c = conf()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c.broker = "kafka://late:9092"
    assert c.broker == [URL("kafka://late:9092")]


def test_late_set_after_read_warns_with_key() -> None:
    c = conf()
    assert c.topic_partitions == 8
    with pytest.warns(
        AlreadyConfiguredWarning, match="'topic_partitions' changed to 4"
    ):
        c.topic_partitions = 4
    assert c.topic_partitions == 4


def test_internal_reads_are_not_user_reads() -> None:
    c = conf(version=2)
    assert c.id == "app-v2"
    assert c.canonical_url
    c.as_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c.web_port = 1
        c.version = 3
        c.broker = "kafka://x:1"
    assert c.id == "app-v3"


def test_invalid_late_set_keeps_old_value() -> None:
    c = conf(topic_partitions=3)
    with pytest.raises(ImproperlyConfigured, match="'topic_partitions'"):
        c.topic_partitions = "many"
    assert c.topic_partitions == 3


def test_unknown_attribute_rejected() -> None:
    c = conf()
    with pytest.raises(ImproperlyConfigured, match="did you mean 'broker'"):
        c.brokr = "kafka://x"  # type: ignore[attr-defined]
    c._private = 1  # type: ignore[attr-defined]  # private names are not checked
    c.id = "renamed"
    assert c.name == "renamed"
    with pytest.raises(ImproperlyConfigured, match="App requires an id"):
        c.id = ""


# -- id, version, directories ------------------------------------------------


def test_version_and_id() -> None:
    c = conf()
    assert (c.id, c.name, c.version) == ("app", "app", 1)
    v2 = conf(version=2)
    assert (v2.id, v2.name) == ("app-v2", "app")
    assert v2.appdir == Path("app-data/v2")
    assert v2.tabledir == Path("app-data/v2/tables")
    custom = conf(version=3, id_format="{id}.{self.version}.{self.topic_partitions}")
    assert custom.id == "app.3.8"


def test_version_from_env_used_for_id() -> None:
    """Faust computed the id from the keyword version (features §2.5 QUIRK)."""
    c = conf(env={"APP_VERSION": "3"}, version=2)
    assert c.version == 3
    assert c.id == "app-v3"
    assert c.appdir == Path("app-data/v3")


def test_bad_id_format() -> None:
    with pytest.raises(ImproperlyConfigured, match="setting 'id_format'"):
        conf(version=2, id_format="{id}-{self.nosuch}")


def test_directories(tmp_path: Path) -> None:
    c = conf(datadir=tmp_path / "{conf.name}", version=3)
    assert c.datadir == tmp_path / "app"
    assert c.appdir == tmp_path / "app" / "v3"
    assert c.data_directory_for_version(1) == tmp_path / "app" / "v1"
    assert c.relative_to_appdir(Path("x")) == tmp_path / "app" / "v3" / "x"
    assert c.relative_to_appdir(Path("/abs")) == Path("/abs")
    assert list(c.find_old_versiondirs()) == []
    (tmp_path / "app" / "v1").mkdir(parents=True)
    (tmp_path / "app" / "v2").mkdir()
    (tmp_path / "app" / "v3").mkdir()
    assert list(c.find_old_versiondirs()) == [
        tmp_path / "app" / "v2",
        tmp_path / "app" / "v1",
    ]


# -- introspection -----------------------------------------------------------


def test_repr_and_as_dict() -> None:
    c = conf(version=2, Agent="not.imported:Agent")
    assert repr(c) == "<Settings: app-v2>"
    data = c.as_dict()
    assert data["Agent"] == "not.imported:Agent"  # nothing imported
    assert data["topic_partitions"] == 8
    assert set(data) == Settings.setting_names()
    assert c.get("topic_partitions") == 8
    assert c.get("nosuch", "fallback") == "fallback"


def test_sections_index() -> None:
    by_section = Settings.SETTINGS_BY_SECTION
    assert list(by_section) == list(sections.SECTIONS)
    assert sum(len(v) for v in by_section.values()) == len(Settings.SETTINGS)
    assert Settings.SETTINGS["broker"] in by_section[sections.Common]
    assert repr(sections.Broker) == "<Section: Broker>"


def test_subclass_adds_setting() -> None:
    class MySettings(Settings):
        my_timeout = params.Seconds(
            section=sections.Common,
            env_name="MY_TIMEOUT",
            default=10.0,
            doc="How long to wait.",
        )

    c = MySettings("app", env={"MY_TIMEOUT": "2"})
    assert c.my_timeout == 2.0
    assert "my_timeout" in MySettings.SETTINGS
    assert "my_timeout" not in Settings.SETTINGS
    assert MySettings("app", env={}).my_timeout == 10.0


def test_large_and_small_environments_agree() -> None:
    """Both lookup strategies (walk env / walk settings) find the same values."""
    wanted = {"TOPIC_PARTITIONS": "4", "BROKER_URL": "kafka://e:1"}
    big = {f"UNRELATED_{i}": "x" for i in range(500)} | wanted
    for env in (wanted, big):
        c = conf(env=env)
        assert c.topic_partitions == 4
        assert c.broker == [URL("kafka://e:1")]
    prefixed = {f"P_{k}": v for k, v in wanted.items()}
    for env in (prefixed, {**big, **prefixed}):
        c = conf(env=env, env_prefix="P_")
        assert c.topic_partitions == 4


def test_compat_name_with_none_is_ignored() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = conf(client_id=None, broker_client_id="mine")
    assert c.broker_client_id == "mine"


def test_late_env_prefix_changes_getenv() -> None:
    c = conf(env={"A_X": "1", "B_X": "2"}, env_prefix="A_")
    assert c.getenv("X") == "1"
    c.env_prefix = "B_"
    assert c.getenv("X") == "2"
