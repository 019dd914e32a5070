"""App configuration and the service tree."""

from __future__ import annotations

import types
import warnings

import pytest

import faust
from faust.app.boot import BootStrategy
from faust.exceptions import AlreadyConfiguredWarning, ImproperlyConfigured


def test_children_in_faust_boot_order(app: faust.App) -> None:
    names = [type(s).__name__ for s in app.on_init_dependencies()]
    assert names == [
        "Monitor",
        "Producer",
        "Consumer",
        "LeaderAssignor",
        "ReplyConsumer",
        "AgentManager",
        "Conductor",
        "TableManager",
    ]


@pytest.mark.conf(web_enabled=True)
def test_web_server_after_producer(app: faust.App) -> None:
    names = [type(s).__name__ for s in app.on_init_dependencies()]
    assert names.index("Web") == names.index("Producer") + 1


def test_boot_strategy_switches(app: faust.App) -> None:
    app.boot_strategy = BootStrategy(
        app, enable_kafka_consumer=False, enable_sensors=False
    )
    names = [type(s).__name__ for s in app.on_init_dependencies()]
    assert names == ["Producer"]
    app.boot_strategy = BootStrategy(app, enable_kafka=False, enable_web=True)
    names = [type(s).__name__ for s in app.on_init_dependencies()]
    assert names == ["Monitor", "Web"]


def test_producer_only_app(app: faust.App) -> None:
    app.producer_only = True
    assert [type(s).__name__ for s in app.on_init_dependencies()] == ["Producer"]


def test_settings_from_kwargs_and_late_configuration(app: faust.App) -> None:
    assert app.conf.topic_partitions == 4
    app.conf.broker_commit_every = 7
    assert app.conf.broker_commit_every == 7


def test_config_from_object_module_ignores_non_settings(broker_url: str) -> None:
    module = types.ModuleType("proj_settings")
    module.broker = broker_url  # type: ignore[attr-defined]
    module.topic_partitions = 3  # type: ignore[attr-defined]
    module.os = __import__("os")  # type: ignore[attr-defined]  # an import, not a setting
    app = faust.App("cfg", config_source=module)
    assert app.conf.topic_partitions == 3
    assert str(app.conf.broker[0]).startswith("memory:")


def test_config_from_object_after_configured_warns(broker_url: str) -> None:
    app = faust.App("cfg2", broker=broker_url)
    assert app.conf.topic_partitions == 8
    with pytest.warns(AlreadyConfiguredWarning):
        app.config_from_object({"topic_partitions": 2})
    assert app.conf.topic_partitions == 2


def test_bad_setting_value_is_one_clear_line() -> None:
    app = faust.App("bad", processing_guarantee="twice")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        app.finalize()
    message = str(excinfo.value)
    assert "processing_guarantee" in message and "twice" in message
    assert "\n" not in message


def test_unknown_setting_names_suggestion() -> None:
    app = faust.App("bad2", brokr="memory://")
    with pytest.raises(ImproperlyConfigured, match="broker"):
        app.finalize()


def test_app_without_id_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="id"):
        faust.App("").finalize()


def test_class_level_signal_reaches_every_app(broker_url: str) -> None:
    seen: list[object] = []

    def on_configured(sender, conf, **kwargs):
        seen.append(sender)

    faust.App.on_configured.connect(on_configured)
    try:
        one = faust.App("sig-one", broker=broker_url)
        two = faust.App("sig-two", broker=broker_url)
        one.finalize()
        two.finalize()
    finally:
        faust.App.on_configured.disconnect(on_configured)
    assert seen == [one, two]


def test_instance_signal_reaches_only_that_app(broker_url: str) -> None:
    seen: list[object] = []
    one = faust.App("sig-a", broker=broker_url)
    two = faust.App("sig-b", broker=broker_url)

    @one.on_after_configured.connect
    def after(sender, **kwargs):
        seen.append(sender)

    one.finalize()
    two.finalize()
    assert seen == [one]


def test_children_can_be_replaced_for_tests(app: faust.App) -> None:
    sentinel = object()
    app.producer = sentinel  # type: ignore[assignment]
    assert app.producer is sentinel


def test_repr_and_label(app: faust.App) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "agents(0)" in repr(app)
    assert app.label.startswith("App: test-")


def test_aerospike_store_is_a_clear_error_at_finalize() -> None:
    app = faust.App("aero", broker="memory://", store="aerospike://localhost:3000")
    with pytest.raises(ImproperlyConfigured, match="aerospike:// table store is not"):
        app.finalize()
