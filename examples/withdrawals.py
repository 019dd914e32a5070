"""Withdrawals: Records, group_by, and a windowed aggregation.

Withdrawals arrive keyed by user. Fraud checks want the amount withdrawn per
*country* per minute, so the stream is repartitioned by country
(``group_by(Withdrawal.country)``: every withdrawal of a country goes to the
worker that owns that country's totals) and summed in a tumbling window
table whose windows follow the withdrawal's own ``date`` field
(``relative_to_field``), not the time the event was repartitioned. Another
table keeps each user's total, keyed as the topic already is.

Run it (the embedded broker, no Kafka needed)::

    python examples/withdrawals.py

It prints::

    user totals: alice=150.00 bob=75.00 carol=300.00
    per country and minute:
      DE 12:00 -> 100.00
      SE 12:00 -> 125.00
      SE 12:01 -> 300.00
"""

import asyncio
import sys
from datetime import datetime, timezone

import faust


class Withdrawal(faust.Record, serializer="json"):
    """One cash withdrawal."""

    user: str
    country: str
    amount: float
    date: datetime


app = faust.App(
    "withdrawals-demo",
    broker="memory://",
    store="memory://",
    web_enabled=False,
    topic_partitions=4,
)

withdrawals = app.topic("withdrawals", key_type=str, value_type=Withdrawal)
user_totals = app.Table("user-totals", default=float)
country_minutes = (
    app.Table("country-minutes", default=float)
    .tumbling(60, expires=3600)
    .relative_to_field(Withdrawal.date)
)
seen: list[Withdrawal] = []


@app.agent(withdrawals)
async def by_user(stream):
    """The topic is keyed by user: sum each user's withdrawals."""
    async for withdrawal in stream:
        user_totals[withdrawal.user] += withdrawal.amount


@app.agent(withdrawals)
async def by_country(stream):
    """Repartition by country, then sum per country and minute."""
    async for withdrawal in stream.group_by(Withdrawal.country):
        country_minutes[withdrawal.country] += withdrawal.amount
        seen.append(withdrawal)


def at(hh_mm_ss: str) -> datetime:
    return datetime.fromisoformat(f"2026-01-01T{hh_mm_ss}+00:00")


WITHDRAWALS = [
    Withdrawal("alice", "SE", 100.0, at("12:00:10")),
    Withdrawal("bob", "DE", 75.0, at("12:00:20")),
    Withdrawal("alice", "SE", 25.0, at("12:00:30")),
    Withdrawal("alice", "DE", 25.0, at("12:00:40")),
    Withdrawal("carol", "SE", 300.0, at("12:01:10")),
]


async def demo() -> None:
    await app.start()
    for withdrawal in WITHDRAWALS:
        await withdrawals.send(key=withdrawal.user, value=withdrawal)
    while len(seen) < len(WITHDRAWALS) or len(user_totals) < 3:
        await asyncio.sleep(0.01)
    totals = " ".join(
        f"{user}={total:.2f}" for user, total in sorted(user_totals.items())
    )
    print(f"user totals: {totals}")
    print("per country and minute:")
    # The table under the windows holds one entry per (key, window range).
    for (country, (start, _end)), amount in sorted(country_minutes.table.items()):
        minute = datetime.fromtimestamp(start, timezone.utc).strftime("%H:%M")
        print(f"  {country} {minute} -> {amount:.2f}")
    await app.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
