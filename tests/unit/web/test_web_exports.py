"""The public names of faust.web and faust.sensors."""

from __future__ import annotations

import faust
import faust.sensors
import faust.web


def test_faust_web_names() -> None:
    for name in (
        "Request",
        "Response",
        "ResourceOptions",
        "Web",
        "Blueprint",
        "View",
        "gives_model",
        "takes_model",
    ):
        assert getattr(faust.web, name) is not None
    assert set(faust.web.__all__) >= {"View", "Blueprint", "takes_model"}


def test_faust_sensors_names() -> None:
    assert faust.Monitor is faust.sensors.Monitor
    assert faust.Sensor is faust.sensors.Sensor
    assert faust.sensors.TableState and faust.sensors.SensorDelegate


def test_optional_sensor_modules_import_without_their_packages() -> None:
    # the client packages are imported when a client is first needed
    from faust.sensors.datadog import DatadogMonitor
    from faust.sensors.statsd import StatsdMonitor

    assert DatadogMonitor()._client is None
    assert StatsdMonitor()._client is None


def test_drivers_by_name() -> None:
    import pytest

    from faust.exceptions import ImproperlyConfigured
    from faust.web.drivers import by_name
    from faust.web.drivers.aiohttp import Web

    assert by_name("aiohttp") is Web
    with pytest.raises(ImproperlyConfigured, match="Unknown web driver 'nope'"):
        by_name("nope")
