"""What the app starts after recovery besides its own children.

``@app.service`` classes, ``@app.task`` functions and the ``@app.web_server``
service. They start as runtime children of the app once tables have recovered (see
:func:`faust.app.lifecycle.on_started`), and stop with it. A
``@app.web_server`` service replaces the built-in aiohttp server: the boot
strategy leaves that out when one is registered.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any, Union, cast

from mode import ServiceT
from yarl import URL

from ..exceptions import ImproperlyConfigured
from ..types import AppT

if typing.TYPE_CHECKING:  # pragma: no cover
    from .decorators import TaskEntry

__all__ = [
    "init_extra_service",
    "register_web_server",
    "start_tasks",
    "web_server_driver_version",
    "web_server_url",
]


def start_tasks(app: AppT, tasks: typing.Sequence[TaskEntry]) -> None:
    """Schedule the ``@app.task`` functions as futures of the app."""
    from .lifecycle import run_task

    for entry in tasks:
        app.add_future(run_task(app, entry))


async def init_extra_service(
    app: AppT, service: Union[ServiceT, type[ServiceT]]
) -> ServiceT:
    """Start ``service`` (instantiated if a class) as a runtime child of the app."""
    if inspect.isclass(service):
        instance = cast(Any, service)(loop=app.loop, beacon=app.beacon)
    else:
        instance = service
    await app.add_runtime_dependency(instance)
    return cast(ServiceT, instance)


def register_web_server(app: AppT, service: Any) -> Any:
    """Make ``service`` the app's web server (``@app.web_server``)."""
    current = app.web_server_service
    if current is not None and current is not service:
        raise ImproperlyConfigured(
            f"app.web_server: {current!r} is already this app's web server; "
            "an app has one"
        )
    app.web_server_service = service
    return service


def _instance(app: AppT) -> Any:
    return app.__dict__.get("_web_server_service_instance") or app.web_server_service


def web_server_url(app: AppT) -> URL:
    """The web server's URL.

    The service's ``get_web_url()`` or ``web_url``, else ``canonical_url``;
    without a service, the built-in server's URL.
    """
    service = _instance(app)
    if service is None:
        return URL(str(app.web.url))
    get_url = getattr(service, "get_web_url", None)
    if callable(get_url) and not inspect.isclass(service):
        return URL(str(get_url()))
    url = getattr(service, "web_url", None)
    if url is not None and not inspect.isclass(service):
        return URL(str(url))
    return URL(str(app.conf.canonical_url))


def web_server_driver_version(app: AppT) -> str:
    """The service's ``driver_version`` (or class name), else the built-in one."""
    service = _instance(app)
    if service is None:
        return str(app.web.driver_version)
    version = getattr(service, "driver_version", None)
    if version is not None and not isinstance(version, property):
        return str(version)
    return service.__name__ if inspect.isclass(service) else type(service).__name__
