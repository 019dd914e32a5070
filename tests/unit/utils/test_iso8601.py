from datetime import datetime, timedelta, timezone

import pytest

from faust.utils.iso8601 import parse

UTC = timezone.utc


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2020-01-02T03:04:05Z", datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2020-01-02T03:04:05z", datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2020-01-02T03:04:05+00:00", datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2020-01-02T03:04:05", datetime(2020, 1, 2, 3, 4, 5)),
        ("2020-01-02 03:04", datetime(2020, 1, 2, 3, 4)),
        ("2020-01-02", datetime(2020, 1, 2)),
        (
            "2020-01-02T03:04:05.123456+02:00",
            datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("20200102T030405Z", datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2020-01-02T03:04:05,5Z", datetime(2020, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
        (
            "2020-01-02T03:04:05.1234567Z",
            datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        ),
        (
            "2020-01-02T03:04:05-0530",
            datetime(
                2020, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=5, minutes=30))
            ),
        ),
        (
            "2020-01-02T03+01",
            datetime(2020, 1, 2, 3, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2020-01-02T03:04:05-00", datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_parse(text, expected):
    result = parse(text)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2020-13-01", "2020-01-02T25:00:00", "2020/01/02"]
)
def test_parse_invalid(text):
    with pytest.raises(ValueError, match="ISO-8601"):
        parse(text)


def test_parse_not_a_string():
    with pytest.raises(TypeError, match="expected an ISO-8601 string, got int"):
        parse(20200101)  # type: ignore[arg-type]
