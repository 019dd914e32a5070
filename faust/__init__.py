"""Python stream processing: a faithful, fast and reliable Faust.

Every public name is imported lazily, on first attribute access, from the
single table :data:`_EXPORTS` below (PEP 562), so ``import faust`` is cheap.

``faust.__version__`` is the version string (``python -m faust --version``
prints it); :data:`version_info` is the same, parsed.
"""

from __future__ import annotations

import re
import typing
from typing import Any, NamedTuple

#: The version of faust (the ``faust-ng`` distribution), a PEP 440 string.
__version__ = "2.0.0a1"
__author__ = "The faust developers"
__contact__ = "faust@localhost"
__homepage__ = "https://github.com/faust-ng/faust-ng"
__docformat__ = "restructuredtext"


class VersionInfo(NamedTuple):
    """A parsed version: ``(major, minor, micro, releaselevel, serial)``."""

    major: int
    minor: int
    micro: int
    releaselevel: str
    serial: str


version_info_t = VersionInfo


def _parse_version(version: str) -> VersionInfo:
    m = re.match(r"(\d+)\.(\d+)\.(\d+)(.+)?", version)
    if m is None:  # pragma: no cover - __version__ is a literal
        raise ValueError(f"unparsable version {version!r}")
    major, minor, micro, rest = m.groups()
    return VersionInfo(int(major), int(minor), int(micro), (rest or "").lstrip("."), "")


#: ``__version__`` parsed: ``VersionInfo(major=2, minor=0, micro=0, ...)``.
version_info = VERSION = _parse_version(__version__)

#: public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "App": "faust.app",
    "Agent": "faust.agents",
    "Channel": "faust.channels",
    "ChannelT": "faust.types",
    "Event": "faust.events",
    "EventT": "faust.types",
    "ModelOptions": "faust.types",
    "Record": "faust.models",
    "Model": "faust.models",
    "Monitor": "faust.sensors",
    "Sensor": "faust.sensors",
    "Codec": "faust.serializers",
    "Schema": "faust.serializers",
    "Service": "mode",
    "ServiceT": "mode",
    "Stream": "faust.streams",
    "StreamT": "faust.types",
    "current_event": "faust._context",
    "Table": "faust.tables",
    "GlobalTable": "faust.tables",
    "SetTable": "faust.tables",
    "SetGlobalTable": "faust.tables",
    "Topic": "faust.topics",
    "TopicT": "faust.types",
    "GSSAPICredentials": "faust.auth",
    "SASLCredentials": "faust.auth",
    "SSLCredentials": "faust.auth",
    "OAuthCredentials": "faust.auth",
    "Settings": "faust.types.settings",
    "HoppingWindow": "faust.windows",
    "TumblingWindow": "faust.windows",
    "SlidingWindow": "faust.windows",
    "Window": "faust.windows",
    "Worker": "faust.worker",
    "AppCommand": "faust.cli",
    "Command": "faust.cli",
    "uuid": "faust.utils",
}

__all__ = [
    "App",
    "Agent",
    "Channel",
    "ChannelT",
    "Event",
    "EventT",
    "ModelOptions",
    "Record",
    "Model",
    "Monitor",
    "Sensor",
    "Codec",
    "Schema",
    "Service",
    "ServiceT",
    "Stream",
    "StreamT",
    "current_event",
    "Table",
    "GlobalTable",
    "SetTable",
    "SetGlobalTable",
    "Topic",
    "TopicT",
    "GSSAPICredentials",
    "SASLCredentials",
    "SSLCredentials",
    "OAuthCredentials",
    "Settings",
    "HoppingWindow",
    "TumblingWindow",
    "SlidingWindow",
    "Window",
    "Worker",
    "AppCommand",
    "Command",
    "uuid",
    "__version__",
    "VERSION",
    "version_info",
    "VersionInfo",
]


def __getattr__(name: str) -> Any:
    try:
        module_name = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'faust' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if typing.TYPE_CHECKING:  # pragma: no cover
    from mode import Service, ServiceT

    from ._context import current_event
    from .agents import Agent
    from .app import App
    from .auth import (
        GSSAPICredentials,
        OAuthCredentials,
        SASLCredentials,
        SSLCredentials,
    )
    from .channels import Channel
    from .cli import AppCommand, Command
    from .events import Event
    from .models import Model, Record
    from .sensors import Monitor, Sensor
    from .serializers import Codec, Schema
    from .streams import Stream
    from .tables import GlobalTable, SetGlobalTable, SetTable, Table
    from .topics import Topic
    from .types import ChannelT, EventT, ModelOptions, StreamT, TopicT
    from .types.settings import Settings
    from .utils import uuid
    from .windows import HoppingWindow, SlidingWindow, TumblingWindow, Window
    from .worker import Worker
