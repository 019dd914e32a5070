"""Sections group the settings in ``Settings.SETTINGS_BY_SECTION`` and the docs.

A :class:`Section` is a plain value: every :class:`~faust.types.settings.params.Param`
names the section it belongs to, and the settings reference
(``docs/userguide/settings.rst``) has one chapter per section, in the order of
:data:`SECTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Section",
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


@dataclass(frozen=True)
class Section:
    """A group of related settings.

    Arguments:
        name: short name (``"Broker"``), as used in ``Param(section=...)``.
        title: chapter title in the settings reference.
        refid: the Sphinx label of the chapter.
        content: optional introduction printed under the title.
    """

    name: str
    title: str
    refid: str
    content: str = ""

    def __repr__(self) -> str:
        return f"<Section: {self.name}>"


Common = Section("Common", "Commonly Used Settings", "settings-common")
Agent = Section("Agent", "Agent Settings", "settings-agent")
Broker = Section("Broker", "Advanced Broker Settings", "settings-broker")
Consumer = Section("Consumer", "Advanced Consumer Settings", "settings-consumer")
Serialization = Section(
    "Serialization", "Serialization Settings", "settings-serialization"
)
Producer = Section("Producer", "Advanced Producer Settings", "settings-producer")
RPC = Section(
    "RPC",
    "Agent RPC Settings",
    "settings-rpc",
    "Settings used by ``agent.ask()``, ``agent.map()`` and friends.",
)
Stream = Section("Stream", "Advanced Stream Settings", "settings-stream")
Table = Section("Table", "Advanced Table Settings", "settings-table")
Topic = Section("Topic", "Topic Settings", "settings-topic")
WebServer = Section("WebServer", "Web Server Settings", "settings-web")
Worker = Section("Worker", "Worker Settings", "settings-worker")
Extension = Section(
    "Extension",
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
