"""HTTP errors a view may raise; each is answered with its status and JSON.

Raise one from a view (``raise self.NotFound('no such order')``) and the
client receives ``{"error": "no such order"}`` with status 404, plus any
keyword arguments given to the exception as extra JSON fields.

The tree::

    FaustError
    └── WebError                 code 500 unless a subclass says otherwise
        ├── ServerError          500
        ├── ValidationError      400  invalid input (e.g. a model field)
        ├── ParseError           400  malformed request (e.g. bad JSON)
        ├── AuthenticationFailed 401
        ├── NotAuthenticated     401
        ├── PermissionDenied     403
        ├── NotFound             404
        ├── MethodNotAllowed     405
        ├── NotAcceptable        406
        ├── UnsupportedMediaType 415
        ├── Throttled            429
        └── ServiceUnavailable   503  e.g. no routing metadata yet

``faust.web.exceptions.ValidationError`` is not
:exc:`faust.exceptions.ValidationError` (the model one): both names are
Faust's, kept for compatibility.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Optional

from ..exceptions import FaustError

__all__ = [
    "WebError",
    "ServerError",
    "ValidationError",
    "ParseError",
    "AuthenticationFailed",
    "NotAuthenticated",
    "PermissionDenied",
    "NotFound",
    "MethodNotAllowed",
    "NotAcceptable",
    "UnsupportedMediaType",
    "Throttled",
    "ServiceUnavailable",
]


class WebError(FaustError):
    """An HTTP error: a status :attr:`code`, a :attr:`detail` message.

    Arguments:
        detail: the message for the client (default: the class's).
        code: the HTTP status (default: the class's).
        **extra_context: extra fields of the JSON error body.
    """

    code: int = HTTPStatus.INTERNAL_SERVER_ERROR
    detail: str = "Internal server error."
    extra_context: dict[str, Any]

    def __init__(
        self,
        detail: Optional[str] = None,
        *,
        code: Optional[int] = None,
        **extra_context: Any,
    ) -> None:
        if detail:
            self.detail = detail
        if code:
            self.code = int(code)
        self.extra_context = extra_context
        super().__init__(self.detail, self.code, extra_context)

    def __str__(self) -> str:
        return f"{self.code} {self.detail}"


class ServerError(WebError):
    """Internal Server Error (500)."""

    code = HTTPStatus.INTERNAL_SERVER_ERROR
    detail = "Internal server error."


class ValidationError(WebError):
    """Invalid input, e.g. a model field failed validation (400)."""

    code = HTTPStatus.BAD_REQUEST
    detail = "Invalid input."


class ParseError(WebError):
    """Malformed request, e.g. a body that is not JSON (400)."""

    code = HTTPStatus.BAD_REQUEST
    detail = "Malformed request."


class AuthenticationFailed(WebError):
    """Incorrect authentication credentials (401)."""

    code = HTTPStatus.UNAUTHORIZED
    detail = "Incorrect authentication credentials."


class NotAuthenticated(WebError):
    """Authentication credentials were not provided (401)."""

    code = HTTPStatus.UNAUTHORIZED
    detail = "Authentication credentials were not provided."


class PermissionDenied(WebError):
    """No permission to perform the action (403)."""

    code = HTTPStatus.FORBIDDEN
    detail = "You do not have permission to perform this action."


class NotFound(WebError):
    """Resource not found (404)."""

    code = HTTPStatus.NOT_FOUND
    detail = "Not found."


class MethodNotAllowed(WebError):
    """The view does not serve this HTTP method (405)."""

    code = HTTPStatus.METHOD_NOT_ALLOWED
    detail = "Method not allowed."


class NotAcceptable(WebError):
    """The ``Accept`` header of the request cannot be satisfied (406)."""

    code = HTTPStatus.NOT_ACCEPTABLE
    detail = "Could not satisfy the request Accept header."


class UnsupportedMediaType(WebError):
    """The request body has an unsupported media type (415)."""

    code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    detail = "Unsupported media type in request."


class Throttled(WebError):
    """The client sent too many requests (429)."""

    code = HTTPStatus.TOO_MANY_REQUESTS
    detail = "Request was throttled."


class ServiceUnavailable(WebError):
    """The service cannot answer now; try again later (503)."""

    code = HTTPStatus.SERVICE_UNAVAILABLE
    detail = "Service unavailable. Try again later."
