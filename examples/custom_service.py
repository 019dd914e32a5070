"""A custom service: your own long-running component, started with the app.

``@app.service`` registers a :class:`mode.Service` subclass; the app starts
it with its other services and stops it (in reverse order) on shutdown. A
service has ``on_start``/``on_stop`` hooks and background work declared with
``@mode.Service.task`` and ``@mode.Service.timer``, which stop with it: no
task is left running.

The app creates the instance itself (``Rates(beacon=...)``) when it starts.
This one keeps a cache of exchange rates, refreshed every 0.1 s, in the
module-level ``RATES`` dict that an agent reads while converting prices.

Run it (the embedded broker, no Kafka needed)::

    python examples/custom_service.py

It prints::

    rates service: started
    10.00 EUR = 11.00 USD
    25.00 EUR = 27.50 USD
    rates service: stopped (4 refreshes)

(The number of refreshes depends on timing.)
"""

import asyncio
import sys

import mode

import faust

app = faust.App("service-demo", broker="memory://", web_enabled=False)
prices = app.topic("prices", key_type=str, value_type=float)
converted: list[str] = []


RATES = {"EUR/USD": 0.0}


@app.service
class Rates(mode.Service):
    """Keeps ``RATES`` fresh (here: a constant, refreshed on a timer)."""

    refreshes = 0

    async def on_start(self) -> None:
        await self.refresh()
        print("rates service: started")

    async def on_stop(self) -> None:
        print(f"rates service: stopped ({self.refreshes} refreshes)")

    @mode.Service.timer(0.1)
    async def _refresh_periodically(self) -> None:
        await self.refresh()

    async def refresh(self) -> None:
        RATES["EUR/USD"] = 1.10  # a real service would ask a rates API here
        self.refreshes += 1


@app.agent(prices)
async def convert(stream):
    """Convert EUR prices with the service's current rate."""
    async for eur in stream:
        line = f"{eur:.2f} EUR = {eur * RATES['EUR/USD']:.2f} USD"
        converted.append(line)
        print(line)


async def demo() -> None:
    await app.start()
    for eur in (10.0, 25.0):
        await prices.send(key="EUR", value=eur)  # one key: kept in order
    while len(converted) < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # let the timer refresh a few times
    await app.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
