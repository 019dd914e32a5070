"""Bodies behind ``@app.task``, ``@app.timer`` and ``@app.crontab``.

Each builds a coroutine function the app schedules (as a future of the app
service) once tables have recovered. Exceptions raised by one run of a timer
or cron job are logged and the next run happens as planned: one failing job
never stops the worker or the other jobs.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from functools import wraps
from typing import Any, NamedTuple, Optional

from mode import Seconds, want_seconds
from mode.utils.imports import symbol_by_name
from mode.utils.objects import qualname

from ..types import AgentFun, AgentT, AppT
from ..utils.cron import secs_for_next

__all__ = [
    "TaskEntry",
    "make_agent",
    "make_timer",
    "make_crontab",
    "call_task",
    "command_decorator",
]

logger = logging.getLogger(__name__)


class TaskEntry(NamedTuple):
    """A function registered with ``@app.task``."""

    fun: Callable[..., Awaitable[Any]]
    on_leader: bool
    traced: bool


def make_agent(app: AppT, fun: AgentFun, **options: Any) -> AgentT[Any]:
    """An agent of the ``Agent`` setting's class, registered in ``app.agents``."""
    agent_cls: Any = app.conf.Agent
    agent: AgentT[Any] = agent_cls(fun, app=app, **options)
    app.agents[agent.name] = agent
    return agent


def command_decorator(
    options: tuple[Any, ...], base: Optional[type], **kwargs: Any
) -> Callable[[Callable[..., Any]], Any]:
    """The decorator behind ``@app.command`` (``AppCommand.from_handler``)."""
    command_base: Any = base or symbol_by_name("faust.cli.base:AppCommand")
    decorator: Callable[[Callable[..., Any]], Any] = command_base.from_handler(
        *options, **kwargs
    )
    return decorator


def _takes_app(fun: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fun).parameters
    except (TypeError, ValueError):  # builtins, partials of C functions
        return False
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        for p in params.values()
    )


async def call_task(app: AppT, fun: Callable[..., Awaitable[Any]]) -> Any:
    """Call a task function with the app if it takes an argument."""
    if _takes_app(fun):
        return await fun(app)
    return await fun()


def make_timer(
    app: AppT,
    fun: Callable[..., Awaitable[Any]],
    interval: Seconds,
    *,
    on_leader: bool,
    name: Optional[str],
    max_drift_correction: float,
) -> Callable[..., Awaitable[None]]:
    """A task that calls ``fun`` every ``interval`` seconds."""
    interval_s = want_seconds(interval)
    timer_name = name or qualname(fun)

    @wraps(fun)
    async def around_timer(*args: Any) -> None:
        async for _ in app.itertimer(
            interval_s, name=timer_name, max_drift_correction=max_drift_correction
        ):
            if on_leader and not app.is_leader():
                continue
            try:
                await call_task(app, fun)
            except Exception as exc:
                logger.exception("Timer %s raised: %r", timer_name, exc)

    return around_timer


def make_crontab(
    app: AppT,
    fun: Callable[..., Awaitable[Any]],
    cron_format: str,
    *,
    timezone: Optional[tzinfo],
    on_leader: bool,
) -> Callable[..., Awaitable[None]]:
    """A task that calls ``fun`` at the times ``cron_format`` matches."""
    job_name = qualname(fun)

    @wraps(fun)
    async def cron_starter(*args: Any) -> None:
        tz = timezone if timezone is not None else app.conf.timezone
        while not app.should_stop:
            await app.sleep(secs_for_next(cron_format, tz))
            if app.should_stop:
                break
            if on_leader and not app.is_leader():
                continue
            try:
                await call_task(app, fun)
            except Exception as exc:
                logger.exception("Cron job %s raised: %r", job_name, exc)

    return cron_starter
