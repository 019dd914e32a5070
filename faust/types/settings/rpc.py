"""RPC settings: the reply topic of ``agent.ask()`` and friends."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from . import sections
from .base import CompatAlias
from .params import Bool, Seconds, Str

__all__ = ["RPCSettings"]


def _default_reply_to(conf: Any) -> str:
    return f"{conf.reply_to_prefix}{uuid4()}"


class RPCSettings:
    """Agent RPC settings (mixed into :class:`~.settings.Settings`)."""

    reply_create_topic = Bool(
        section=sections.RPC,
        env_name="APP_REPLY_CREATE_TOPIC",
        default=False,
        doc="""Create and consume this instance's reply topic at start.

        Needed by instances that call ``agent.ask()``, ``agent.map()`` or
        ``agent.join()``: otherwise the first request subscribes to the reply
        topic, and the group rebalances while that request waits. On the
        in-process ``memory://`` broker an app with agents does this
        whatever the setting.""",
    )

    reply_expires = Seconds(
        section=sections.RPC,
        env_name="APP_REPLY_EXPIRES",
        default=86400.0,
        doc="""Seconds replies are kept in the reply topic (one day).""",
    )

    reply_to = Str(
        section=sections.RPC,
        on_default=_default_reply_to,
        stable_default=True,
        default_doc="``reply_to_prefix`` followed by a random UUID",
        doc="""Name of this instance's reply topic.

        Generated once per app instance unless given.""",
    )

    reply_to_prefix = Str(
        section=sections.RPC,
        env_name="APP_REPLY_TO_PREFIX",
        default="f-reply-",
        doc="""Prefix of generated reply topic names.""",
    )

    create_reply_topic = CompatAlias("reply_create_topic")
