"""The HTTP error tree."""

from __future__ import annotations

import pytest

from faust.exceptions import FaustError
from faust.web import exceptions as exc


@pytest.mark.parametrize(
    "cls,code",
    [
        (exc.WebError, 500),
        (exc.ServerError, 500),
        (exc.ValidationError, 400),
        (exc.ParseError, 400),
        (exc.AuthenticationFailed, 401),
        (exc.NotAuthenticated, 401),
        (exc.PermissionDenied, 403),
        (exc.NotFound, 404),
        (exc.MethodNotAllowed, 405),
        (exc.NotAcceptable, 406),
        (exc.UnsupportedMediaType, 415),
        (exc.Throttled, 429),
        (exc.ServiceUnavailable, 503),
    ],
)
def test_codes(cls: type[exc.WebError], code: int) -> None:
    error = cls()
    assert isinstance(error, FaustError)
    assert error.code == code
    assert error.detail
    assert error.extra_context == {}


def test_detail_code_and_extra_context() -> None:
    error = exc.NotFound("no order", order=3)
    assert (error.code, error.detail, error.extra_context) == (
        404,
        "no order",
        {"order": 3},
    )
    assert str(error) == "404 no order"
    custom = exc.WebError("teapot", code=418)
    assert custom.code == 418
    assert exc.WebError().code == 500  # the class default is untouched


def test_not_the_model_validation_error() -> None:
    from faust.exceptions import ValidationError

    assert not issubclass(exc.ValidationError, ValidationError)
