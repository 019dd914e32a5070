"""Recovery progress as a person sees it: a bar on a terminal, log lines."""

from __future__ import annotations

import io

import pytest

from faust.utils.progress import (
    Progress,
    ProgressDisplay,
    format_seconds,
    progress_bar,
    progress_line,
)

HALF = Progress(
    partitions_total=8,
    partitions_left=3,
    records_applied=1500,
    records_remaining=500,
    elapsed=3.0,
)
DONE = Progress(8, 0, 2000, 0, 4.0, done=True)


def test_snapshot_figures() -> None:
    assert HALF.records_total == 2000
    assert HALF.fraction == 0.75
    assert HALF.rate == 500.0
    assert HALF.eta == 1.0
    assert Progress(1, 1, 0, 10, 0.0).eta is None  # nothing applied yet
    assert Progress(1, 1, 0, 0, 1.0).fraction == 0.0
    assert DONE.fraction == 1.0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "?"), (0.4, "0s"), (12.4, "12s"), (187, "3m07s"), (3725, "1h02m")],
)
def test_format_seconds(seconds: float | None, text: str) -> None:
    assert format_seconds(seconds) == text


def test_line_has_partitions_records_rate_and_eta() -> None:
    assert progress_line(HALF) == (
        "Recovering tables: 75% (5/8 partitions, 1,500/2,000 records, "
        "500 records/s), ETA 1s"
    )
    assert progress_line(DONE) == (
        "Tables recovered: 8/8 partitions, 2,000/2,000 records, 500 records/s in 4s"
    )


def test_bar() -> None:
    bar = progress_bar(HALF, width=8)
    assert bar.startswith("recovering tables [######..]  75% 5/8 partitions")
    assert bar.endswith("ETA 1s")
    assert progress_bar(DONE, width=4).startswith("recovering tables [####] 100%")


def test_terminal_redraws_one_line_then_leaves_the_summary() -> None:
    out = io.StringIO()
    show = ProgressDisplay(stream=out, prefix="starting... ", done_end=", ")
    show(HALF)
    show(DONE)
    text = out.getvalue()
    assert "\n" not in text
    frames = text.split("\r\x1b[K")[1:]
    assert frames[0] == "starting... " + progress_bar(HALF)
    assert frames[1] == "starting... tables recovered: 8/8 partitions, " + (
        "2,000/2,000 records, 500 records/s in 4s, "
    )


def test_logs_every_interval_and_stays_quiet_when_quick() -> None:
    now = [0.0]
    lines: list[str] = []
    show = ProgressDisplay(log=lines.append, interval=5.0, clock=lambda: now[0])
    show(HALF)  # t=0: too early
    now[0] = 4.0
    show(HALF)
    assert lines == []
    now[0] = 5.0
    show(HALF)
    now[0] = 7.0
    show(HALF)  # within the interval of the last line
    now[0] = 10.0
    show(HALF)
    show(DONE)
    assert lines == [progress_line(HALF)] * 2 + [progress_line(DONE)]

    lines.clear()
    quick = ProgressDisplay(log=lines.append, clock=lambda: now[0])
    quick(HALF)
    quick(DONE)
    assert lines == []  # a quick recovery logs nothing
