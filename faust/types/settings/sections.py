"""Sections group the settings in ``Settings.SETTINGS_BY_SECTION`` and the docs.

A :class:`Section` is a plain value: every :class:`~faust.types.settings.params.Param`
names the section it belongs to, and the settings reference
(``docs/userguide/settings.rst``) has one chapter per section, in the order of
:data:`SECTIONS`.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .descriptor import Param

__all__ = [
    "Section",
    "SectionType",
    "SECTIONS",
    "Common",
    "Agent",
    "Broker",
    "Consumer",
    "Serialization",
    "Producer",
    "RPC",
    "Stream",
    "Table",
    "Topic",
    "WebServer",
    "Worker",
    "Extension",
]


class SectionType(Enum):
    """The kinds of section (the value is the section's short name)."""

    COMMON = "Common"
    AGENT = "Agent"
    BROKER = "Broker"
    CONSUMER = "Consumer"
    SERIALIZATION = "Serialization"
    PRODUCER = "Producer"
    RPC = "RPC"
    STREAM = "Stream"
    TABLE = "Table"
    TOPIC = "Topic"
    WEB_SERVER = "WebServer"
    WORKER = "Worker"
    EXTENSION = "Extension"


@dataclass(frozen=True)
class Section:
    """A group of related settings.

    Arguments:
        type: which section this is.
        title: chapter title in the settings reference.
        refid: the Sphinx label of the chapter.
        content: optional introduction printed under the title.
    """

    type: SectionType
    title: str
    refid: str
    content: Optional[str] = None

    @property
    def name(self) -> str:
        """Short name (``"Broker"``), as used in ``Param(section=...)``."""
        return self.type.value

    def setting(
        self, param: builtins.type[Param[Any, Any]], **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Param[Any, Any]]:
        """Declare a setting of this section on a Settings subclass.

        The decorated method names the setting and its docstring documents
        it; its body is not used::

            class MySettings(faust.Settings):
                @Common.setting(params.Int, default=10, env_name="MY_BATCH")
                def my_batch(self) -> int:
                    \"\"\"How many orders to process at once.\"\"\"

            class MyApp(faust.App):
                Settings = MySettings

            app = MyApp("orders", my_batch=20)

        Arguments:
            param: the kind of setting (a class of
                :mod:`faust.types.settings.params`, e.g. ``params.Int``).
            **kwargs: passed to ``param`` (``default``, ``env_name``, ...).
        """

        def declare(fun: Callable[..., Any]) -> Param[Any, Any]:
            kwargs.setdefault("doc", fun.__doc__ or "")
            return param(section=self, **kwargs)

        return declare

    def __repr__(self) -> str:
        return f"<Section: {self.name}>"


Common = Section(SectionType.COMMON, "Commonly Used Settings", "settings-common")
Agent = Section(SectionType.AGENT, "Agent Settings", "settings-agent")
Broker = Section(SectionType.BROKER, "Advanced Broker Settings", "settings-broker")
Consumer = Section(
    SectionType.CONSUMER, "Advanced Consumer Settings", "settings-consumer"
)
Serialization = Section(
    SectionType.SERIALIZATION, "Serialization Settings", "settings-serialization"
)
Producer = Section(
    SectionType.PRODUCER, "Advanced Producer Settings", "settings-producer"
)
RPC = Section(
    SectionType.RPC,
    "Agent RPC Settings",
    "settings-rpc",
    "Settings used by ``agent.ask()``, ``agent.map()`` and friends.",
)
Stream = Section(SectionType.STREAM, "Advanced Stream Settings", "settings-stream")
Table = Section(SectionType.TABLE, "Advanced Table Settings", "settings-table")
Topic = Section(SectionType.TOPIC, "Topic Settings", "settings-topic")
WebServer = Section(SectionType.WEB_SERVER, "Web Server Settings", "settings-web")
Worker = Section(SectionType.WORKER, "Worker Settings", "settings-worker")
Extension = Section(
    SectionType.EXTENSION,
    "Extension Settings",
    "settings-extending",
    "Each of these names the class faust uses for a component: pass the class "
    "itself, or its import path as a string (``'myproj.agents:MyAgent'``). "
    "Paths are imported the first time the setting is read.",
)

#: Every section, in documentation order.
SECTIONS: tuple[Section, ...] = (
    Common,
    Agent,
    Broker,
    Consumer,
    Serialization,
    Producer,
    RPC,
    Stream,
    Table,
    Topic,
    WebServer,
    Worker,
    Extension,
)
