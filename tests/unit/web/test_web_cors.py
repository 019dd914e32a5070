"""CORS header computation."""

from __future__ import annotations

from faust.web import ResourceOptions
from faust.web.cors import actual_headers, match_origin, preflight_headers

OPTS = {
    "http://a.example": ResourceOptions(
        allow_credentials=True, expose_headers=["X-A", "X-B"], allow_headers=["X-T"]
    ),
    "*": ResourceOptions(allow_methods=["GET"], max_age=60),
}


def test_match_origin_prefers_exact() -> None:
    assert match_origin(OPTS, "http://a.example")[0] == "http://a.example"
    assert match_origin(OPTS, "http://other")[0] == "*"
    assert match_origin({"http://a.example": ResourceOptions()}, "http://x") is None


def test_actual_headers() -> None:
    assert actual_headers(OPTS, "http://a.example") == {
        "Access-Control-Allow-Origin": "http://a.example",
        "Vary": "Origin",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-A,X-B",
    }
    assert actual_headers(OPTS, "http://other") == {"Access-Control-Allow-Origin": "*"}
    assert actual_headers({}, "http://other") is None


def test_preflight_methods() -> None:
    served = {"GET", "HEAD", "POST"}
    ok = preflight_headers(OPTS, "http://a.example", "post", None, served)
    assert ok is not None
    assert ok["Access-Control-Allow-Methods"] == "GET,HEAD,POST"  # None: served
    assert preflight_headers(OPTS, "http://a.example", "DELETE", None, served) is None
    # "*" origin allows only GET
    assert preflight_headers(OPTS, "http://other", "POST", None, served) is None
    wild = {"*": ResourceOptions(allow_methods="*")}
    assert preflight_headers(wild, "http://x", "PATCH", None, served) is not None


def test_preflight_headers_and_max_age() -> None:
    served = {"GET"}
    ok = preflight_headers(OPTS, "http://a.example", "GET", "x-t", served)
    assert ok is not None and ok["Access-Control-Allow-Headers"] == "x-t"
    assert (
        preflight_headers(OPTS, "http://a.example", "GET", "X-T, X-U", served) is None
    )
    assert preflight_headers(OPTS, "http://other", "GET", "X-T", served) is None
    any_header = {"*": ResourceOptions(allow_headers="*")}
    assert preflight_headers(any_header, "http://x", "GET", "X-Any", served)
    assert (
        preflight_headers(OPTS, "http://other", "GET", None, served)[
            "Access-Control-Max-Age"
        ]
        == "60"
    )
