"""What the app does when it has started and when it stops.

``started``: once tables have recovered, the ``@app.task``/``timer``/
``crontab`` functions are scheduled as futures of the app and the
``@app.service`` services start as its runtime children.

``stopping``: before the children stop, fetching stops, buffered events are
dropped (their offsets stay uncommitted), events being processed get
``stream_wait_empty`` time to finish, and the acked offsets are committed.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from typing import Any, NoReturn, Optional

from mode.utils.imports import symbol_by_name

from ..exceptions import ImproperlyConfigured
from ..types import AppT
from .decorators import TaskEntry, call_task

__all__ = ["Child", "on_started", "run_main", "stop_processing"]

logger = logging.getLogger(__name__)


class Child:
    """A child built on first access by a factory, then a plain attribute.

    The value is stored in the instance ``__dict__`` (this is a non-data
    descriptor), so later reads cost a dict lookup and tests may replace a
    child by assignment (``app.producer = Mock()``).
    """

    def __init__(self, factory: Callable[[Any], Any]) -> None:
        self.factory = factory
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: Optional[type] = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.factory(obj)
        return value


async def on_started(app: AppT) -> None:
    """Once tables have recovered: start tasks, services and the web server.

    Each step is an app hook (``on_started_init_extra_tasks``,
    ``on_started_init_extra_services``, ``on_started_init_web_server``), then
    ``on_startup_finished`` (the worker's) is awaited.
    """
    if await app.tables.wait_until_recovery_completed():
        return  # stopped before recovery finished
    await app.on_started_init_extra_tasks()
    await app.on_started_init_extra_services()
    await app.on_started_init_web_server()
    if app.on_startup_finished is not None:
        result = app.on_startup_finished()
        if asyncio.iscoroutine(result):
            await result


async def run_task(app: AppT, entry: TaskEntry) -> None:
    """Run one ``@app.task`` function; an error is logged, not fatal."""
    if entry.on_leader and not app.is_leader():
        return
    try:
        await call_task(app, entry.fun)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        logger.exception("Task %r raised: %r", entry.fun, exc)


async def stop_processing(app: AppT) -> None:
    """Let in-flight events finish and commit, before the children stop."""
    consumer = app.__dict__.get("consumer")
    if consumer is None or not consumer.started or consumer.should_stop:
        return
    consumer.stop_flow()
    app.flow_control.suspend()
    app.topics.clear_buffers()
    if app.conf.stream_wait_empty:
        await consumer.wait_empty()
    try:
        await consumer.commit()
    except Exception as exc:  # reported; the offsets are read again
        logger.warning("Commit at shutdown failed: %r", exc)


def run_main(app: AppT) -> NoReturn:
    """The body of ``app.main()``: finalize, autodiscover, run the ``faust`` CLI."""
    try:
        app.finalize()
    except ImproperlyConfigured as exc:
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    app.worker_init()
    if app.conf.autodiscover:
        app.discover()
    app.worker_init_post_autodiscover()
    cli: Any = symbol_by_name("faust.cli.faust:cli")
    cli(obj={"app": app}, auto_envvar_prefix="FAUST")
    raise SystemExit(0)  # pragma: no cover - click exits
