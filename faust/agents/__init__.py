"""Agents: stream processors (``@app.agent``)."""

from __future__ import annotations

from ..types.agents import AgentFun, AgentManagerT, AgentT, SinkT
from .agent import Agent, current_agent
from .manager import AgentManager
from .replies import ReplyConsumer

__all__ = [
    "Agent",
    "AgentFun",
    "AgentManager",
    "AgentManagerT",
    "AgentT",
    "ReplyConsumer",
    "SinkT",
    "current_agent",
]
