"""Extension settings: the classes faust builds its components from.

Each is a class or a ``'module:Class'`` string; strings are imported on
first read, so importing the settings never imports an implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import sections
from .params import Param, Symbol

if TYPE_CHECKING:  # pragma: no cover
    from mode import SupervisorStrategyT

    from faust.types.agents import AgentT
    from faust.types.assignor import LeaderAssignorT, PartitionAssignorT
    from faust.types.events import EventT
    from faust.types.router import RouterT
    from faust.types.sensors import SensorT
    from faust.types.serializers import RegistryT, SchemaT
    from faust.types.streams import StreamT
    from faust.types.tables import GlobalTableT, TableManagerT, TableT
    from faust.types.topics import TopicT

__all__ = ["ExtensionSettings"]

_Cls = Param[Any, Any]  # readable alias for the annotations below


def _ext(default: str, doc: str, **kwargs: Any) -> Symbol:
    kwargs.setdefault("section", sections.Extension)
    return Symbol(default=default, default_doc=f"``{default!r}``", doc=doc, **kwargs)


class ExtensionSettings:
    """Extension settings (mixed into :class:`~.settings.Settings`)."""

    agent_supervisor: Param[Any, type[SupervisorStrategyT]] = _ext(
        "mode.OneForOneSupervisor",
        """How the actors of an agent (``concurrency > 1``) are restarted.

        * :class:`mode.OneForOneSupervisor`: restart the crashed actor only;
        * :class:`mode.OneForAllSupervisor`: restart every actor of the agent;
        * :class:`mode.CrashingSupervisor`: stop the worker, leaving restarts
          to the operating system's process supervisor;
        * :class:`mode.ForfeitOneForOneSupervisor`: never restart the crashed
          actor;
        * :class:`mode.ForfeitOneForAllSupervisor`: stop every actor of the
          agent for good.""",
        section=sections.Agent,
        env_name="AGENT_SUPERVISOR",
    )

    Agent: Param[Any, type[AgentT[Any]]] = _ext(
        "faust:Agent", "Class of agents created by ``@app.agent``."
    )
    Event: Param[Any, type[EventT[Any]]] = _ext(
        "faust:Event", "Class of events (``app.create_event()``)."
    )
    Schema: Param[Any, type[SchemaT]] = _ext(
        "faust:Schema", "Default schema class of channels and topics."
    )
    Stream: Param[Any, type[StreamT[Any]]] = _ext(
        "faust:Stream", "Class of streams (``app.stream()``, ``channel.stream()``)."
    )
    Table: Param[Any, type[TableT]] = _ext(
        "faust:Table", "Class of tables created by ``app.Table()``."
    )
    SetTable: Param[Any, type[TableT]] = _ext(
        "faust:SetTable", "Class of tables created by ``app.SetTable()``."
    )
    GlobalTable: Param[Any, type[GlobalTableT]] = _ext(
        "faust:GlobalTable", "Class of tables created by ``app.GlobalTable()``."
    )
    SetGlobalTable: Param[Any, type[GlobalTableT]] = _ext(
        "faust:SetGlobalTable",
        "Class of tables created by ``app.SetGlobalTable()``.",
    )
    TableManager: Param[Any, type[TableManagerT]] = _ext(
        "faust.tables:TableManager", "Class of ``app.tables``."
    )
    Serializers: Param[Any, type[RegistryT]] = _ext(
        "faust.serializers:Registry",
        "Class of ``app.serializers``, which encodes and decodes messages.",
    )
    Worker: _Cls = _ext(
        "faust.worker:Worker",
        "Class of the worker started by ``faust worker`` and ``app.main()``.",
    )
    PartitionAssignor: Param[Any, type[PartitionAssignorT]] = _ext(
        "faust.assignor:PartitionAssignor",
        "Class assigning topic partitions to workers during a rebalance.",
    )
    LeaderAssignor: Param[Any, type[LeaderAssignorT]] = _ext(
        "faust.assignor:LeaderAssignor",
        "Class electing the leader worker (for ``on_leader=True`` tasks).",
    )
    Router: Param[Any, type[RouterT]] = _ext(
        "faust.app.router:Router",
        "Class of ``app.router``, which finds the worker owning a table key.",
    )
    Topic: Param[Any, type[TopicT[Any]]] = _ext(
        "faust:Topic", "Class of topics created by ``app.topic()``."
    )
    HttpClient: _Cls = _ext(
        "aiohttp.client:ClientSession", "Class of ``app.http_client``."
    )
    Monitor: Param[Any, type[SensorT]] = _ext(
        "faust.sensors:Monitor",
        "Class of ``app.monitor``, the sensor keeping the statistics served "
        "by the web server.",
    )
