"""Parse ISO-8601 date/time strings into :class:`~datetime.datetime`.

:func:`parse` is the default ``date_parser`` of models (``isodates=True``
and :class:`~faust.models.fields.DatetimeField`).  The common shapes go
through :meth:`datetime.datetime.fromisoformat` (implemented in C); the
rest of ISO-8601 (basic format ``20240131T101500Z``, ``,`` as decimal
mark, hour-only offsets, more than six fractional digits) is handled by a
regular expression.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["parse"]

_PATTERN = re.compile(
    r"""
    ^\s*
    (?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})
    (?:
        [T\s]
        (?P<hour>\d{2})
        (?::?(?P<minute>\d{2})
            (?::?(?P<second>\d{2})
                (?:[.,](?P<fraction>\d+))?
            )?
        )?
        \s*
        (?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?
    )?
    \s*$
    """,
    re.VERBOSE,
)


def _tzinfo(text: str) -> timezone:
    if text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    offset = timedelta(hours=hours, minutes=minutes)
    if not offset:
        return timezone.utc
    return timezone(sign * offset)


def parse(datetime_string: str) -> datetime:
    """Parse an ISO-8601 string.

    A trailing ``Z`` (or an offset of zero) gives :data:`datetime.timezone.utc`;
    no offset gives a naive datetime; a date alone gives midnight.

    Raises:
        ValueError: the string is not an ISO-8601 date/time.
        TypeError: the argument is not a string.
    """
    if not isinstance(datetime_string, str):
        raise TypeError(
            f"expected an ISO-8601 string, got {type(datetime_string).__name__}: "
            f"{datetime_string!r}"
        )
    text = datetime_string
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    return _parse_slow(datetime_string)


def _parse_slow(datetime_string: str) -> datetime:
    m = _PATTERN.match(datetime_string)
    if m is None:
        raise ValueError(f"not an ISO-8601 date/time: {datetime_string!r}")
    parts = m.groupdict()
    fraction = parts["fraction"] or "0"
    micro = int(fraction[:6].ljust(6, "0"))
    tz = _tzinfo(parts["tz"]) if parts["tz"] else None
    try:
        return datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            micro,
            tzinfo=tz,
        )
    except ValueError as exc:
        raise ValueError(
            f"not an ISO-8601 date/time: {datetime_string!r}: {exc}"
        ) from None
