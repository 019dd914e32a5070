"""The consumer's subscription: topic names plus the app's regex patterns.

The conductor hands the consumer the names of every subscribed topic. Topics
declared with ``pattern=`` have no fixed names; Kafka clients subscribe either
to a list of names or to one pattern, so when patterns exist both are folded
into a single regex (names escaped and anchored, patterns matched from the
start of the topic name, as the conductor routes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Optional

__all__ = ["subscription_for"]


def subscription_for(
    names: Iterable[str], topics: Iterable[Any]
) -> tuple[list[str], Optional[str]]:
    """``(sorted names, combined pattern or None)`` to subscribe to.

    Arguments:
        names: topic names from the conductor.
        topics: the conductor's topic subscriptions (objects with a
            ``pattern`` attribute: a compiled regex or None).
    """
    unique = sorted(set(names))
    patterns = sorted(
        {p.pattern for t in topics if (p := getattr(t, "pattern", None)) is not None}
    )
    if not patterns:
        return unique, None
    parts = [f"{re.escape(name)}$" for name in unique]
    parts.extend(f"(?:{pattern})" for pattern in patterns)
    return unique, "|".join(f"(?:{part})" for part in parts)
