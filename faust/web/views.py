"""Class-based views: one View instance answers every request to its path.

``@app.page('/path/')`` turns an ``async def handler(self, request)`` into a
:class:`View` subclass whose ``get`` is the handler, or registers a
:class:`View` subclass as is. The driver calls :meth:`View.__call__` for
each request; :meth:`View.dispatch` picks the method handler, reports the
request to the sensors and turns :class:`~faust.web.exceptions.WebError`
into a JSON error response. Any other exception is handed to the driver
(:meth:`faust.web.base.Web.on_unhandled_error`), which logs it and answers a JSON 500
without a traceback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any, ClassVar, Optional, Union, cast, no_type_check

from yarl import URL

from .._context import tables_guard, tables_readable_when
from ..exceptions import FaustError, TablesRecovering
from ..types import AppT, ModelT
from ..types.web import Request, Response, ViewDecorator, ViewHandlerFun, WebT
from ..utils.json import loads as json_loads
from . import exceptions
from .exceptions import ServiceUnavailable, WebError

__all__ = ["View", "gives_model", "takes_model"]

_bytes = bytes  # ``View.bytes`` shadows the builtin inside the class

#: The HTTP methods a View may implement, in the order Faust lists them.
METHODS: tuple[str, ...] = (
    "head",
    "get",
    "post",
    "patch",
    "delete",
    "put",
    "options",
    "search",
)


def _not_allowed(method: str) -> WebError:
    return exceptions.MethodNotAllowed(f"Method {method} not allowed.")


class View:
    """A web view (HTTP endpoint): override ``get``, ``post``, ...

    Arguments:
        app: the app.
        web: the web server driver.

    Example:
        >>> @app.page('/count/{word}/')
        ... class CountView(faust.web.View):
        ...     async def get(self, request, word):
        ...         return self.json({'word': word, 'count': counts[word]})
    """

    ServerError: ClassVar[type[WebError]] = exceptions.ServerError
    ValidationError: ClassVar[type[WebError]] = exceptions.ValidationError
    ParseError: ClassVar[type[WebError]] = exceptions.ParseError
    NotAuthenticated: ClassVar[type[WebError]] = exceptions.NotAuthenticated
    PermissionDenied: ClassVar[type[WebError]] = exceptions.PermissionDenied
    NotFound: ClassVar[type[WebError]] = exceptions.NotFound

    #: True for the built-in views: they give way to a user's view at their path
    overridable: ClassVar[bool] = False

    #: Views answer as soon as the server is up; until tables have recovered,
    #: a view that reads a table answers 503 instead of serving state that is
    #: still being rebuilt. True: never guard (health, metrics, stats).
    serves_while_recovering: ClassVar[bool] = False

    #: set by ``@app.page`` (``name=`` or the class name)
    view_name: ClassVar[str]
    #: set by ``@app.page``
    view_path: ClassVar[str]

    methods: Mapping[str, Callable[..., Awaitable[Response]]]

    @classmethod
    def from_handler(cls, fun: ViewHandlerFun) -> type[View]:
        """A View subclass serving ``fun`` for GET (and HEAD)."""
        if not callable(fun):
            raise TypeError(f"View handler must be callable, not {fun!r}")
        name = getattr(fun, "__name__", cls.__name__)
        return type(
            name,
            (cls,),
            {
                "get": fun,
                "__doc__": fun.__doc__,
                "__module__": getattr(fun, "__module__", __name__),
            },
        )

    def __init__(self, app: AppT, web: WebT) -> None:
        self.app = app
        self.web = web
        self.methods = {name: getattr(self, name) for name in METHODS}
        self.__post_init__()

    def __post_init__(self) -> None:
        """Override to initialize the view (called at the end of ``__init__``)."""

    @classmethod
    def get_methods(cls) -> set[str]:
        """The HTTP methods this view implements (HEAD comes with GET)."""
        found = {
            name.upper()
            for name in METHODS
            if getattr(cls, name) is not getattr(View, name)
        }
        if "GET" in found:
            found.add("HEAD")
        return found

    async def __call__(self, request: Request) -> Response:
        """Answer a request (called by the driver)."""
        return await self.dispatch(request)

    async def dispatch(self, request: Request) -> Response:
        """Call the method handler; report to sensors; map errors to JSON."""
        app = self.app
        sensors = app.sensors
        state = sensors.on_web_request_start(app, request, view=self)
        response: Optional[Response] = None
        try:
            handler = self.methods.get(request.method.lower())
            if handler is None:
                raise _not_allowed(request.method)
            kwargs = request.match_info or {}
            if self.serves_while_recovering or self.web.recovered:
                response = await handler(request, **kwargs)
            else:
                response = await self._dispatch_recovering(handler, request, kwargs)
        except WebError as exc:
            response = await self.on_request_error(request, exc)
        except Exception as exc:
            response = self.web.on_unhandled_error(request, exc)
        finally:
            sensors.on_web_request_end(app, request, response, state, view=self)
        return response

    async def _dispatch_recovering(
        self, handler: Any, request: Request, kwargs: Mapping[str, Any]
    ) -> Response:
        # Served at once, as in Faust; only reading a table (whose state is
        # still being rebuilt) makes the view answer 503.
        web = self.web
        token = tables_readable_when(lambda: web.recovered)
        try:
            return cast(Response, await handler(request, **kwargs))
        except TablesRecovering as exc:
            raise ServiceUnavailable(str(exc)) from None
        finally:
            tables_guard.reset(token)

    async def on_request_error(self, request: Request, exc: WebError) -> Response:
        """Turn a :exc:`WebError` into a JSON error response."""
        return self.error(exc.code, exc.detail, **exc.extra_context)

    def path_for(self, view_name: str, **kwargs: Any) -> str:
        """The URL path of the view named ``view_name``."""
        return self.web.url_for(view_name, **kwargs)

    def url_for(
        self,
        view_name: str,
        _base_url: Optional[Union[str, URL]] = None,
        **kwargs: Any,
    ) -> URL:
        """The absolute URL of a view (on ``canonical_url`` by default)."""
        base = str(_base_url if _base_url is not None else self.app.conf.canonical_url)
        path = self.path_for(view_name, **kwargs)
        return URL(base.rstrip("/") + "/" + path.lstrip("/"))

    # -- method handlers: override the ones the view serves -------------------

    @no_type_check  # views override with their URL parameters
    async def head(self, request: Request, **kwargs: Any) -> Any:
        """HEAD: the GET handler (aiohttp drops the body)."""
        return await self.get(request, **kwargs)

    @no_type_check  # views override with their URL parameters
    async def get(self, request: Request, **kwargs: Any) -> Any:
        """GET handler (not allowed unless overridden)."""
        raise _not_allowed("GET")

    @no_type_check  # views override with their URL parameters
    async def post(self, request: Request, **kwargs: Any) -> Any:
        """POST handler (not allowed unless overridden)."""
        raise _not_allowed("POST")

    @no_type_check  # views override with their URL parameters
    async def put(self, request: Request, **kwargs: Any) -> Any:
        """PUT handler (not allowed unless overridden)."""
        raise _not_allowed("PUT")

    @no_type_check  # views override with their URL parameters
    async def patch(self, request: Request, **kwargs: Any) -> Any:
        """PATCH handler (not allowed unless overridden)."""
        raise _not_allowed("PATCH")

    @no_type_check  # views override with their URL parameters
    async def delete(self, request: Request, **kwargs: Any) -> Any:
        """DELETE handler (not allowed unless overridden)."""
        raise _not_allowed("DELETE")

    @no_type_check  # views override with their URL parameters
    async def options(self, request: Request, **kwargs: Any) -> Any:
        """OPTIONS handler (not allowed unless overridden)."""
        raise _not_allowed("OPTIONS")

    @no_type_check  # views override with their URL parameters
    async def search(self, request: Request, **kwargs: Any) -> Any:
        """SEARCH handler (not allowed unless overridden)."""
        raise _not_allowed("SEARCH")

    # -- responses ----------------------------------------------------------

    def text(
        self,
        value: str,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A ``text/plain`` response."""
        return self.web.text(
            value,
            content_type=content_type,
            status=status,
            reason=reason,
            headers=headers,
        )

    def html(
        self,
        value: str,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A ``text/html`` response."""
        return self.web.html(
            value,
            content_type=content_type,
            status=status,
            reason=reason,
            headers=headers,
        )

    def json(
        self,
        value: Any,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A JSON response (models, datetimes, sets... are encoded)."""
        return self.web.json(
            value,
            content_type=content_type,
            status=status,
            reason=reason,
            headers=headers,
        )

    def bytes(
        self,
        value: _bytes,
        *,
        content_type: Optional[str] = None,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """A binary response."""
        return self.web.bytes(
            value,
            content_type=content_type,
            status=status,
            reason=reason,
            headers=headers,
        )

    def error(
        self,
        status: int,
        reason: str,
        headers: Optional[Mapping[str, str]] = None,
        **kwargs: Any,
    ) -> Response:
        """A JSON error response: ``{"error": reason, **kwargs}``."""
        return self.json({"error": reason, **kwargs}, status=status, headers=headers)

    def notfound(self, reason: str = "Not Found", **kwargs: Any) -> Response:
        """A 404 JSON error (deprecated: ``raise self.NotFound()``)."""
        return self.error(404, reason, **kwargs)

    async def read_request_content(self, request: Request) -> _bytes:
        """The request body."""
        return await self.web.read_request_content(request)

    def bytes_to_response(self, s: _bytes) -> Response:
        """Rebuild a response serialized by :meth:`response_to_bytes`."""
        return self.web.bytes_to_response(s)

    def response_to_bytes(self, response: Response) -> _bytes:
        """Serialize a response (status, headers, body), e.g. for caching."""
        return self.web.response_to_bytes(response)

    def route(self, pattern: str, handler: Callable[..., Any]) -> Any:
        """Serve ``handler`` at ``pattern`` as well."""
        self.web.route(pattern, handler)
        return handler


async def _read_model(view: View, request: Request, model: type[ModelT]) -> ModelT:
    body = await view.read_request_content(request)
    if not body:
        raise exceptions.ParseError("Request body is empty: expected a JSON object.")
    try:
        payload = json_loads(body)
    except ValueError as exc:
        raise exceptions.ParseError(f"Request body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise exceptions.ValidationError(
            f"Expected a JSON object for {model.__name__}, "
            f"got {type(payload).__name__}."
        )
    try:
        obj = model.from_data(payload)
        errors = obj.validation_errors if obj._options.validation else []
    except (FaustError, TypeError, ValueError, KeyError) as exc:
        raise exceptions.ValidationError(
            f"Invalid {model.__name__}: {exc}", model=model.__name__
        ) from exc
    if errors:
        raise exceptions.ValidationError(
            f"Invalid {model.__name__}: {errors[0]}",
            model=model.__name__,
            errors=[str(e) for e in errors],
        )
    return obj


def takes_model(Model: type[ModelT]) -> ViewDecorator:  # Faust's name
    """Decode the JSON body into ``model`` and pass it after ``request``.

    A body that is not JSON is answered with 400 (``ParseError``), one that
    does not fit the model with 400 (``ValidationError``).

    Example:
        >>> @app.page('/order/')
        ... class OrderView(faust.web.View):
        ...     @faust.web.takes_model(Order)
        ...     async def post(self, request, order):
        ...         await orders_topic.send(value=order)
        ...         return self.json({'ok': True})
    """

    def _decorate_view(fun: ViewHandlerFun) -> ViewHandlerFun:
        @wraps(fun)
        async def _inner(
            view: View, request: Request, *args: Any, **kwargs: Any
        ) -> Response:
            obj = await _read_model(view, request, Model)
            return await fun(view, request, obj, *args, **kwargs)

        return _inner

    return _decorate_view


def gives_model(Model: type[ModelT]) -> ViewDecorator:  # Faust's name
    """Answer the model instance the handler returns as JSON.

    Example:
        >>> @faust.web.gives_model(Order)
        ... async def get(self, request, order_id):
        ...     return orders[order_id]
    """

    def _decorate_view(fun: ViewHandlerFun) -> ViewHandlerFun:
        @wraps(fun)
        async def _inner(
            view: View, request: Request, *args: Any, **kwargs: Any
        ) -> Response:
            return view.json(await fun(view, request, *args, **kwargs))

        return _inner

    return _decorate_view
