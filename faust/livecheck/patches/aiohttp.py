"""LiveCheck and :pypi:`aiohttp`: test headers through HTTP requests.

Nothing here is patched globally:

* :func:`livecheck_middleware` is added to the web server of the tested app
  by ``app.LiveCheck()``: a request carrying ``LiveCheck-Test-*`` headers is
  handled with that test current;
* :func:`client_session_factory` wraps the tested app's ``HttpClient``
  (``app.http_client``) so that requests made while a test is current carry
  its headers; :func:`trace_config` does the same for sessions you create;
* :func:`request_with_retries` is the HTTP request behind
  ``Case.get_url()``/``post_url()``.

:func:`patch_all` (or :func:`patch_aiohttp_session`) is the one global
change, for code that creates its own ``aiohttp.ClientSession``: after it,
every new session sends the current test's headers. Call it once at
start-up; it is idempotent. :class:`LiveCheckMiddleware` is the middleware
as a class, for web servers other than the app's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

import aiohttp
from aiohttp import web
from yarl import URL

from ..exceptions import ServiceDown
from ..locals import current_test_stack
from ..models import TestExecution

if TYPE_CHECKING:  # pragma: no cover
    from ..case import Case

__all__ = [
    "LiveCheckMiddleware",
    "client_session_factory",
    "livecheck_middleware",
    "patch_aiohttp_session",
    "patch_all",
    "request_with_retries",
    "trace_config",
]


@web.middleware
async def livecheck_middleware(request: web.Request, handler: Any) -> Any:
    """Handle a request carrying ``LiveCheck-Test-*`` headers as part of that test."""
    test = TestExecution.from_headers(request.headers)
    if test is None:
        return await handler(request)
    with current_test_stack.push(test):
        return await handler(request)


class LiveCheckMiddleware:
    """aiohttp middleware: requests with ``LiveCheck-Test-*`` headers run as that test.

    Add an instance to another aiohttp application's middlewares
    (``web.Application(middlewares=[LiveCheckMiddleware()])``); the app's own
    web server already has it once ``app.LiveCheck()`` was called.
    """

    __middleware_version__ = 1  # aiohttp's marker of new-style middlewares

    async def __call__(self, request: web.Request, handler: Any) -> Any:
        """Call ``handler`` with the request's test (if any) current."""
        return await livecheck_middleware(request, handler)


_PATCHED = "_faust_livecheck_patched"


def patch_aiohttp_session() -> None:
    """Make every new ``aiohttp.ClientSession`` send the current test's headers.

    Changes ``aiohttp.ClientSession`` for the whole process (sessions created
    before the call are not changed); calling it again does nothing.
    """
    session_cls: Any = aiohttp.ClientSession
    original = session_cls.__init__
    if getattr(original, _PATCHED, False):
        return

    def __init__(
        self: Any, *args: Any, trace_configs: Any = None, **kwargs: Any
    ) -> None:
        configs = [*(trace_configs or ()), trace_config()]
        original(self, *args, trace_configs=configs, **kwargs)

    setattr(__init__, _PATCHED, True)
    __init__.__wrapped__ = original  # type: ignore[attr-defined]  # for introspection
    session_cls.__init__ = __init__


def patch_all() -> None:
    """Apply every aiohttp patch (:func:`patch_aiohttp_session`)."""
    patch_aiohttp_session()


async def _on_request_start(
    session: aiohttp.ClientSession,
    context: Any,
    params: aiohttp.TraceRequestStartParams,
) -> None:
    test = current_test_stack.top
    if test is not None:
        params.headers.update(test.as_headers())


def trace_config() -> aiohttp.TraceConfig:
    """A trace config adding the current test's headers to every request."""
    config = aiohttp.TraceConfig()
    config.on_request_start.append(_on_request_start)
    return config


def client_session_factory(base: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``ClientSession`` class so that its sessions send test headers."""

    def create(*args: Any, trace_configs: Any = None, **kwargs: Any) -> Any:
        configs = [*(trace_configs or ()), trace_config()]
        return base(*args, trace_configs=configs, **kwargs)

    create.livecheck_base = base  # type: ignore[attr-defined]  # marks a wrapped factory
    return create


async def request_with_retries(
    case: Case, method: str, url: Union[str, URL], **kwargs: Any
) -> bytes:
    """Make a request with the case's timeouts and retries; return the body.

    Raises:
        ServiceDown: the request still failed after ``url_error_retries``.
    """
    timeout = aiohttp.ClientTimeout(
        total=case.url_timeout_total, connect=case.url_timeout_connect
    )
    headers = dict(kwargs.pop("headers", None) or {})
    test = current_test_stack.top
    if test is not None:
        headers.update(test.as_headers())
    delay = case.url_error_delay_min
    attempt = 0
    while True:
        try:
            async with case.app.http_client.request(
                method, url, timeout=timeout, headers=headers, **kwargs
            ) as response:
                response.raise_for_status()
                body: bytes = await response.read()
                return body
        except aiohttp.ClientError as exc:
            if attempt >= case.url_error_retries:
                raise ServiceDown(f"Cannot send fake test request: {exc!r}") from exc
            case.log.warning("URL %r raised: %r (retry in %.2fs)", url, exc, delay)
            await case.sleep(delay)
            delay = min(delay * case.url_error_delay_backoff, case.url_error_delay_max)
            attempt += 1
