"""Bodies behind ``@app.page``, ``@app.table_route`` and ``@app.topic_route``.

``@app.page(path)`` makes a :class:`~faust.web.View` subclass of a handler
function (or takes a View subclass as is) and gives it its path and name;
the app registers it with the web server when the server starts.

``@app.table_route(table, query_param=... | match_info=... | exact_key=...)``
wraps a view method: it takes the key from the request, and answers with
the response of the worker owning the key (``app.router.route_req``), or
calls the method when this worker owns it. ``@app.topic_route`` does the
same for the partitions of a (non-table) topic.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, Optional, Union

from ..exceptions import SameNode
from ..types import AppT, CollectionT, TopicT
from ..types.web import PageArg, Request, Response, ViewHandlerFun
from ..web.exceptions import ServerError, ValidationError
from ..web.views import View

__all__ = [
    "build_view",
    "register_page",
    "table_route",
    "topic_route",
    "W_DEPRECATED_SHARD_PARAM",
]

W_DEPRECATED_SHARD_PARAM = (
    "The second argument of @table_route (shard_param) is deprecated: "
    "use the query_param keyword argument instead."
)

KeyGetter = Callable[[Request], Any]
RouteDecorator = Callable[[ViewHandlerFun], ViewHandlerFun]


def build_view(
    handler: PageArg,
    path: str,
    *,
    base: Optional[type] = None,
    name: Optional[str] = None,
) -> type[View]:
    """The View class serving ``path`` for a handler function or View class.

    Raises:
        TypeError: ``handler`` is a class that is not a View subclass.
    """
    if inspect.isclass(handler):
        if not issubclass(handler, View):
            raise TypeError(
                f"@app.page on a class needs a faust.web.View subclass, not {handler!r}"
            )
        view: type[View] = handler
    else:
        view_base = base if base is not None else View
        if not (inspect.isclass(view_base) and issubclass(view_base, View)):
            raise TypeError(f"@app.page(base=...) must be a View subclass: {base!r}")
        view = view_base.from_handler(handler)
    view.view_name = name or view.__name__
    view.view_path = path
    return view


def register_page(
    app: AppT,
    handler: PageArg,
    path: str,
    *,
    base: Optional[type],
    cors_options: Optional[Any],
    name: Optional[str],
) -> type[View]:
    """Build the view of ``@app.page`` and serve it (now if the server is up)."""
    view = build_view(handler, path, base=base, name=name)
    app.pages.append((view, cors_options))
    web = app.__dict__.get("web")
    if web is not None and web.blueprints.applied:
        web.add_view(view, cors_options=cors_options)
    return view


def _key_getter(
    shard_param: Optional[str],
    query_param: Optional[str],
    match_info: Optional[str],
    exact_key: Optional[Any],
) -> KeyGetter:
    if shard_param is not None:
        warnings.warn(DeprecationWarning(W_DEPRECATED_SHARD_PARAM), stacklevel=4)
        if query_param:
            raise TypeError("Give shard_param or query_param, not both")
        query_param = shard_param
    if exact_key is not None:
        return lambda request: exact_key
    if match_info is not None:
        return _match_info_getter(match_info)
    if query_param is not None:
        return _query_getter(query_param)
    raise TypeError("Need one of query_param, shard_param, match_info or exact_key")


def _match_info_getter(name: str) -> KeyGetter:
    def _get(request: Request) -> Any:
        try:
            return request.match_info[name]
        except KeyError:
            raise ServerError(
                f"The route has no {{{name}}} part to take the key from"
            ) from None

    return _get


def _query_getter(name: str) -> KeyGetter:
    def _get(request: Request) -> Any:
        try:
            return request.query[name]
        except KeyError:
            raise ValidationError(
                f"Missing query parameter {name!r}", parameter=name
            ) from None

    return _get


def _routed(
    get_key: KeyGetter,
    route: Callable[[Any, Any, Request], Awaitable[Response]],
) -> RouteDecorator:
    def _decorator(fun: ViewHandlerFun) -> ViewHandlerFun:
        @wraps(fun)
        async def _route(view: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
            key = get_key(request)
            try:
                return await route(key, view.web, request)
            except SameNode:
                return await fun(view, request, *args, **kwargs)

        return _route

    return _decorator


def table_route(
    app: AppT,
    table: Union[CollectionT, str],
    shard_param: Optional[str] = None,
    *,
    query_param: Optional[str] = None,
    match_info: Optional[str] = None,
    exact_key: Optional[Any] = None,
) -> RouteDecorator:
    """Route requests for a table key to the worker owning it."""
    get_key = _key_getter(shard_param, query_param, match_info, exact_key)
    table_name = table if isinstance(table, str) else table.name

    async def _route(key: Any, web: Any, request: Request) -> Response:
        return await app.router.route_req(table_name, key, web, request)

    return _routed(get_key, _route)


def topic_route(
    app: AppT,
    topic: TopicT[Any],
    shard_param: Optional[str] = None,
    *,
    query_param: Optional[str] = None,
    match_info: Optional[str] = None,
    exact_key: Optional[Any] = None,
) -> RouteDecorator:
    """Route requests for a topic key to the worker processing it."""
    get_key = _key_getter(shard_param, query_param, match_info, exact_key)

    async def _route(key: Any, web: Any, request: Request) -> Response:
        return await app.router.route_topic_req(topic, key, web, request)

    return _routed(get_key, _route)
