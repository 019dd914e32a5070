"""``faust.web.Request`` and ``faust.web.Response``: what views receive and return.

Abstract classes naming what a view may use. The driver's own classes are
registered as their virtual subclasses (aiohttp's ``web.Request`` and
``web.Response``, see :mod:`faust.web.drivers.aiohttp`), so
``isinstance(request, faust.web.Request)`` holds for the requests views
get, and a class of your own (a test double) may subclass them.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Optional

from yarl import URL

__all__ = ["Request", "Response"]


class Request(abc.ABC):
    """An HTTP request, as a view receives it."""

    #: HTTP method (``"GET"``)
    method: str
    #: the full URL
    url: URL
    #: the URL relative to the server (path and query)
    rel_url: URL
    #: the raw query string
    query_string: str
    #: request headers
    headers: Mapping[str, str]
    keep_alive: bool
    #: True if the request has a body
    body_exists: bool
    if_modified_since: Optional[datetime]
    if_unmodified_since: Optional[datetime]
    if_range: Optional[datetime]
    #: set by authentication middleware, if any
    user: Any

    @property
    @abc.abstractmethod
    def match_info(self) -> Mapping[str, str]:
        """The variables of the route's path (``/order/{id}/``)."""

    @property
    @abc.abstractmethod
    def query(self) -> Mapping[str, str]:
        """The query arguments."""

    @property
    @abc.abstractmethod
    def cookies(self) -> Mapping[str, Any]:
        """The request cookies."""

    @abc.abstractmethod
    def can_read_body(self) -> bool:
        """True if there is a body left to read."""

    @abc.abstractmethod
    async def read(self) -> bytes:
        """The body, as bytes."""

    @abc.abstractmethod
    async def text(self) -> str:
        """The body, decoded."""

    @abc.abstractmethod
    async def json(self) -> Any:
        """The body, parsed as JSON."""

    @abc.abstractmethod
    async def post(self) -> Mapping[str, str]:
        """The form fields of the body."""


class Response(abc.ABC):
    """An HTTP response, as a view returns it (``self.json(...)`` and friends)."""

    @property
    @abc.abstractmethod
    def status(self) -> int:
        """The status code."""

    @property
    @abc.abstractmethod
    def body(self) -> Any:
        """The body."""

    @property
    @abc.abstractmethod
    def headers(self) -> Mapping[str, str]:
        """The response headers."""

    @property
    @abc.abstractmethod
    def content_type(self) -> str:
        """The content type (``application/json``)."""

    @property
    @abc.abstractmethod
    def charset(self) -> Optional[str]:
        """The charset of a text body."""

    @property
    @abc.abstractmethod
    def content_length(self) -> Optional[int]:
        """The ``Content-Length``, if known."""

    @property
    @abc.abstractmethod
    def body_length(self) -> int:
        """The length of the body sent."""

    @property
    @abc.abstractmethod
    def chunked(self) -> bool:
        """True for a chunked response."""

    @property
    @abc.abstractmethod
    def compression(self) -> bool:
        """True if the body is compressed."""

    @property
    @abc.abstractmethod
    def keep_alive(self) -> Optional[bool]:
        """True if the connection is kept open."""
