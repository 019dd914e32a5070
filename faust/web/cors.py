"""Cross-Origin Resource Sharing: which headers to answer, from the options.

The options are a mapping of origin (``"https://example.com"``, or ``"*"``
for any origin) to :class:`~faust.web.ResourceOptions`, the same shape as
aiohttp-cors takes (``web_cors_options`` for every view, ``cors_options=``
per view). The driver calls :func:`actual_headers` for each response to a
cross-origin request and :func:`preflight_headers` for ``OPTIONS``
preflight requests; both return the headers to add, or None to refuse.

Field meanings:

- ``allow_credentials``: send ``Access-Control-Allow-Credentials: true``
  (the origin is then echoed, never ``*``);
- ``expose_headers``: response headers scripts may read (``"*"`` or names);
- ``allow_headers``: request headers a preflight may ask for (``"*"`` or
  names; none by default);
- ``max_age``: how long browsers may cache the preflight answer;
- ``allow_methods``: methods a preflight may ask for (``"*"`` or names;
  None means the methods the view serves).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Optional

from ..types.web import ResourceOptions

__all__ = ["match_origin", "actual_headers", "preflight_headers"]


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def match_origin(
    options: Mapping[str, ResourceOptions], origin: str
) -> Optional[tuple[str, ResourceOptions]]:
    """The ``(key, options)`` applying to ``origin`` (exact match before ``*``)."""
    opts = options.get(origin)
    if opts is not None:
        return origin, opts
    opts = options.get("*")
    if opts is not None:
        return "*", opts
    return None


def _allow_origin(key: str, origin: str, opts: ResourceOptions) -> dict[str, str]:
    if key == "*" and not opts.allow_credentials:
        headers = {"Access-Control-Allow-Origin": "*"}
    else:
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if opts.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def actual_headers(
    options: Mapping[str, ResourceOptions], origin: str
) -> Optional[dict[str, str]]:
    """Headers for the response to a (non-preflight) cross-origin request."""
    found = match_origin(options, origin)
    if found is None:
        return None
    key, opts = found
    headers = _allow_origin(key, origin, opts)
    exposed = _names(opts.expose_headers)
    if exposed:
        headers["Access-Control-Expose-Headers"] = ",".join(exposed)
    return headers


def _split(header: Optional[str]) -> list[str]:
    if not header:
        return []
    return [h.strip() for h in header.split(",") if h.strip()]


def _methods_allowed(
    opts: ResourceOptions, method: str, served: Collection[str]
) -> Optional[list[str]]:
    allowed = opts.allow_methods
    if allowed is None:
        names = sorted(served)
    elif allowed == "*" or "*" in _names(allowed):
        names = sorted({*served, method})
    else:
        names = [m.upper() for m in _names(allowed)]
    return names if method in names else None


def _headers_allowed(opts: ResourceOptions, requested: Iterable[str]) -> bool:
    allowed = _names(opts.allow_headers)
    if "*" in allowed:
        return True
    lowered = {h.lower() for h in allowed}
    return all(h.lower() in lowered for h in requested)


def preflight_headers(
    options: Mapping[str, ResourceOptions],
    origin: str,
    request_method: str,
    request_headers: Optional[str],
    served: Collection[str],
) -> Optional[dict[str, str]]:
    """Headers accepting a preflight request, or None to refuse it.

    Arguments:
        options: origin -> options.
        origin: the ``Origin`` header.
        request_method: the ``Access-Control-Request-Method`` header.
        request_headers: the ``Access-Control-Request-Headers`` header.
        served: the methods the view implements.
    """
    found = match_origin(options, origin)
    if found is None:
        return None
    key, opts = found
    method = request_method.upper()
    methods = _methods_allowed(opts, method, served)
    if methods is None:
        return None
    requested = _split(request_headers)
    if not _headers_allowed(opts, requested):
        return None
    headers = _allow_origin(key, origin, opts)
    headers["Access-Control-Allow-Methods"] = ",".join(methods)
    if requested:
        headers["Access-Control-Allow-Headers"] = ",".join(requested)
    if opts.max_age is not None:
        headers["Access-Control-Max-Age"] = str(int(opts.max_age))
    return headers
