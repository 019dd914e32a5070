"""Cron helpers."""

from __future__ import annotations

import time
from datetime import datetime, tzinfo
from typing import Optional

from croniter import croniter

__all__ = ["secs_for_next"]


def secs_for_next(cron_format: str, tz: Optional[tzinfo] = None) -> float:
    """Seconds until the next time matching ``cron_format`` (in ``tz``)."""
    now_ts = time.time()
    now = (
        datetime.fromtimestamp(now_ts, tz)
        if tz is not None
        else datetime.fromtimestamp(now_ts)
    )
    next_ts = croniter(cron_format, now).get_next(float)
    return max(float(next_ts) - now_ts, 0.0)
