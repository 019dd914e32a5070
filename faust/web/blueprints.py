"""Blueprints: reusable groups of views, registered with apps later.

A blueprint records routes when its module is imported; nothing is served
until it is registered with an app (``bp.register(app, url_prefix=...)``,
or ``app.web.blueprints.add(prefix, bp)`` before the server starts). One
blueprint may be registered with several apps. View names become
``"{blueprint}:{name}"`` (for ``web.url_for``).

Example:
    >>> users = faust.web.Blueprint('users')
    >>> cache = users.cache(timeout=300.0)
    >>> @users.route('/{user_id}/', name='detail')
    ... class UserView(faust.web.View):
    ...     @cache.view()
    ...     async def get(self, request, user_id):
    ...         return self.json(await load_user(user_id))
    >>> users.register(app, url_prefix='/users/')
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

from ..types import AppT
from ..types.web import (
    BlueprintT,
    CacheT,
    PageArg,
    ResourceOptions,
    RouteDecoratorRet,
    WebT,
)
from .cache import Cache
from .views import View

__all__ = ["Blueprint"]


class FutureRoute(NamedTuple):
    """A route to register when the blueprint is."""

    uri: str
    name: str
    handler: PageArg
    base: type[View]
    cors_options: Mapping[str, ResourceOptions]


class FutureStaticRoute(NamedTuple):
    """A static route to register when the blueprint is."""

    uri: str
    file_or_directory: Path
    name: str


class Blueprint(BlueprintT):
    """A reusable group of views.

    Arguments:
        name: the blueprint's name (prefix of its view names).
        url_prefix: the default URL prefix of its routes.
    """

    view_name_separator: str = ":"

    def __init__(self, name: str, *, url_prefix: Optional[str] = None) -> None:
        self.name = name
        self.url_prefix = url_prefix
        self.routes: list[FutureRoute] = []
        self.static_routes: list[FutureStaticRoute] = []

    def cache(
        self,
        timeout: Any = None,
        include_headers: bool = False,
        key_prefix: Optional[str] = None,
        backend: Any = None,
    ) -> CacheT:
        """A view cache whose keys start with this blueprint's name."""
        if key_prefix is None:
            key_prefix = self.name
        return Cache(timeout, include_headers, key_prefix, backend)

    def route(
        self,
        uri: str,
        *,
        name: Optional[str] = None,
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
        base: Optional[type] = None,
    ) -> RouteDecoratorRet:
        """Route ``uri`` to the decorated handler function or View class."""

        def _inner(handler: PageArg) -> PageArg:
            self.routes.append(
                FutureRoute(
                    uri=uri,
                    name=name or handler.__name__,
                    handler=handler,
                    base=base or View,
                    cors_options=cors_options or {},
                )
            )
            return handler

        return _inner

    def static(
        self,
        uri: str,
        file_or_directory: Union[str, Path],
        *,
        name: Optional[str] = None,
    ) -> None:
        """Serve the files of ``file_or_directory`` at ``uri``."""
        full_name = f"{self.name}.{name or 'static'}"
        self.static_routes.append(
            FutureStaticRoute(uri, Path(file_or_directory), full_name)
        )

    def register(self, app: AppT, *, url_prefix: Optional[str] = None) -> None:
        """Serve this blueprint's routes on ``app`` under ``url_prefix``."""
        prefix = url_prefix if url_prefix is not None else self.url_prefix
        for route in self.routes:
            uri = self._url_with_prefix(route.uri, prefix)
            app.page(
                path=uri[1:] if uri.startswith("//") else uri,
                base=route.base,
                name=self.view_name_separator.join([self.name, route.name]),
                cors_options=route.cors_options,
            )(route.handler)
        for static in self.static_routes:
            app.web.add_static(
                self._url_with_prefix(static.uri, prefix), static.file_or_directory
            )

    def init_webserver(self, web: WebT) -> None:
        """Called when the web server starts (calls :meth:`on_webserver_init`)."""
        self.on_webserver_init(web)

    def on_webserver_init(self, web: WebT) -> None:
        """Override to act when a server serving this blueprint starts."""

    @staticmethod
    def _url_with_prefix(url: str, prefix: Optional[str]) -> str:
        if prefix:
            return prefix.rstrip("/") + "/" + url.lstrip("/")
        return url

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name}>"
