"""The App's decorators: agents, tasks, timers, crontabs, services, pages.

:class:`AppDecorators` is a mixin of :class:`faust.App`. Each decorator
records what it decorates on the app (or builds it through
:mod:`faust.app.decorators`, :mod:`faust.app.pages` and
:mod:`faust.app.services`); the app starts it with its service tree.
No Service lives here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Optional, Union, cast

from mode import Seconds, ServiceT, SupervisorStrategyT

from ..types import AgentFun, AgentT, AppT, ChannelT, SinkT
from ..types.app import TaskArg
from ..types.web import PageArg
from . import pages, services
from .decorators import (
    TaskEntry,
    command_decorator,
    make_agent,
    make_crontab,
    make_timer,
)

__all__ = ["AppDecorators"]


class AppDecorators(AppT):
    """Decorators of the app (mixed into :class:`faust.App`)."""

    _app_tasks: list[TaskEntry]
    _extra_services: list[type[ServiceT]]

    def agent(
        self,
        channel: Union[str, ChannelT[Any], None] = None,
        *,
        name: Optional[str] = None,
        concurrency: int = 1,
        supervisor_strategy: Optional[type[SupervisorStrategyT]] = None,
        sink: Optional[Iterable[SinkT]] = None,
        isolated_partitions: bool = False,
        use_reply_headers: bool = True,
        **kwargs: Any,
    ) -> Callable[[AgentFun], AgentT[Any]]:
        """Define an agent: ``@app.agent(topic)`` on ``async def f(stream)``."""

        def _inner(fun: AgentFun) -> AgentT[Any]:
            return make_agent(
                self,
                fun,
                name=name,
                channel=channel,
                concurrency=concurrency,
                supervisor_strategy=supervisor_strategy,
                sink=sink,
                isolated_partitions=isolated_partitions,
                use_reply_headers=use_reply_headers,
                **kwargs,
            )

        return _inner

    actor = agent

    def task(
        self,
        fun: Optional[TaskArg] = None,
        *,
        on_leader: bool = False,
        traced: bool = True,
    ) -> Any:
        """Run a function once the app has started (``@app.task``)."""

        def _inner(f: TaskArg) -> TaskArg:
            self._app_tasks.append(TaskEntry(cast(Any, f), on_leader, traced))
            return f

        return _inner(fun) if fun is not None else _inner

    def timer(
        self,
        interval: Seconds,
        on_leader: bool = False,
        traced: bool = True,
        name: Optional[str] = None,
        max_drift_correction: float = 0.1,
    ) -> Callable[..., Any]:
        """Run a function every ``interval`` seconds (first run after one interval)."""

        def _inner(fun: Callable[..., Awaitable[Any]]) -> Any:
            timer_fun = make_timer(
                self,
                fun,
                interval,
                on_leader=on_leader,
                name=name,
                max_drift_correction=max_drift_correction,
            )
            return self.task(timer_fun, traced=False)

        return _inner

    def crontab(
        self,
        cron_format: str,
        *,
        timezone: Any = None,
        on_leader: bool = False,
        traced: bool = True,
    ) -> Callable[..., Any]:
        """Run a function at the times a cron expression matches."""

        def _inner(fun: Callable[..., Awaitable[Any]]) -> Any:
            job = make_crontab(
                self, fun, cron_format, timezone=timezone, on_leader=on_leader
            )
            return self.task(job, traced=False)

        return _inner

    def service(self, cls: type[ServiceT]) -> type[ServiceT]:
        """Start a mode Service class with the app (``@app.service``)."""
        self._extra_services.append(cls)
        return cls

    def web_server(self, service: Any) -> Any:
        """Serve HTTP with ``service`` (a Service or its class), not faust.web.

        The service starts once tables have recovered; the built-in aiohttp
        server is then not started. See :mod:`faust.contrib.asgi`.

        Raises:
            ImproperlyConfigured: another web server service is registered.
        """
        return services.register_web_server(self, service)

    @property
    def web_server_url(self) -> Any:
        """The URL of this worker's web server (the ``@app.web_server`` one if set)."""
        return services.web_server_url(self)

    @property
    def web_server_driver_version(self) -> str:
        """The web server's driver (``aiohttp=3.x``, or the service's)."""
        return services.web_server_driver_version(self)

    def page(
        self,
        path: str,
        *,
        base: Optional[type] = None,
        cors_options: Optional[Mapping[str, Any]] = None,
        name: Optional[str] = None,
    ) -> Callable[[PageArg], Any]:
        """Serve a View class, or ``async def handler(self, request)``, at ``path``.

        Returns the View class (see :mod:`faust.app.pages`).
        """

        def _inner(handler: PageArg) -> Any:
            return pages.register_page(
                self, handler, path, base=base, cors_options=cors_options, name=name
            )

        return _inner

    def table_route(
        self,
        table: Any,
        shard_param: Optional[str] = None,
        *,
        query_param: Optional[str] = None,
        match_info: Optional[str] = None,
        exact_key: Optional[Any] = None,
    ) -> Callable[[Any], Any]:
        """Answer from the worker owning the table key of the request."""
        return pages.table_route(
            self,
            table,
            shard_param,
            query_param=query_param,
            match_info=match_info,
            exact_key=exact_key,
        )

    def topic_route(
        self,
        topic: Any,
        shard_param: Optional[str] = None,
        *,
        query_param: Optional[str] = None,
        match_info: Optional[str] = None,
        exact_key: Optional[Any] = None,
    ) -> Callable[[Any], Any]:
        """Answer from the worker processing the topic key of the request."""
        return pages.topic_route(
            self,
            topic,
            shard_param,
            query_param=query_param,
            match_info=match_info,
            exact_key=exact_key,
        )

    def command(
        self, *options: Any, base: Optional[type] = None, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Any]:
        """Add a command to the ``faust`` program of this app."""
        return command_decorator(options, base, **kwargs)

    def on_webserver_init(self, web: Any) -> None:
        """Override to add routes when the web server starts.

        ``@app.page`` views need not be added here: the server adds them.
        """
