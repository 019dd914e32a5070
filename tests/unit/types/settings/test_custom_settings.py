"""Custom settings: ``Section.setting`` on a Settings subclass, ``on_init``."""

from __future__ import annotations

from typing import Any

import faust
from faust.types.settings import Settings, params
from faust.types.settings.sections import Common, SectionType


class MySettings(Settings):
    @Common.setting(params.Int, default=10, env_name="MY_BATCH")
    def my_batch(self) -> int:
        """How many orders to process at once."""


class MyApp(faust.App):
    Settings = MySettings


def test_custom_setting_has_default_keyword_and_env() -> None:
    assert MySettings("orders", env={}).my_batch == 10
    assert MySettings("orders", env={}, my_batch="20").my_batch == 20
    assert MySettings("orders", env={"MY_BATCH": "30"}).my_batch == 30


def test_custom_setting_is_documented_in_its_section() -> None:
    param = MySettings.SETTINGS["my_batch"]
    assert param.section is Common and param.section.type is SectionType.COMMON
    assert param.doc == "How many orders to process at once."
    assert param in MySettings.SETTINGS_BY_SECTION[Common]


def test_app_with_custom_settings_class() -> None:
    app = MyApp("orders", broker="memory://", my_batch=5)
    assert app.conf.my_batch == 5  # type: ignore[attr-defined]


class ExtraArgSettings(Settings):
    def on_init(self, id: str, *, region: str = "eu", **kwargs: Any) -> None:
        super().on_init(id, **kwargs)
        object.__setattr__(self, "region", region)


def test_on_init_override_takes_more_arguments() -> None:
    conf = ExtraArgSettings("orders", region="us", broker="memory://")
    assert conf.region == "us"  # type: ignore[attr-defined]
    assert str(conf.broker[0]) == "memory:"
