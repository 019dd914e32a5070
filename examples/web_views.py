"""Web views on the embedded broker: pages, a model body, a blueprint, probes.

Run the demo (starts the app with its web server on a free port, calls a
few URLs, prints the answers, stops)::

    python examples/web_views.py

Or run it as a worker and try it with curl::

    faust -A examples.web_views worker -l info --web-port 6066
    curl -X POST localhost:6066/orders/ -d '{"id": "o1", "amount": 3}'
    curl localhost:6066/orders/o1/
    curl localhost:6066/readyz
    curl localhost:6066/metrics
"""

import asyncio
import sys

import aiohttp

import faust
from faust.web import Blueprint, View, takes_model

app = faust.App(
    "web-views",
    broker="memory://",
    topic_partitions=4,
    web_port=0,  # any free port (a worker started from the CLI sets one)
    web_bind="127.0.0.1",
)


class Order(faust.Record, serializer="json"):
    id: str
    amount: int


orders_topic = app.topic("orders", value_type=Order)
orders: dict[str, Order] = {}


@app.agent(orders_topic)
async def store(stream):
    """Keep every order (a table would make this durable)."""
    async for order in stream:
        orders[order.id] = order
        app.monitor.count("orders_stored")


@app.page("/orders/")
class OrderList(View):
    async def get(self, request):
        return self.json(sorted(orders))

    @takes_model(Order)
    async def post(self, request, order):
        await orders_topic.send(key=order.id, value=order)
        return self.json({"accepted": order.id}, status=202)


@app.page("/orders/{order_id}/")
class OrderDetail(View):
    async def get(self, request, order_id):
        order = orders.get(order_id)
        if order is None:
            raise self.NotFound("no such order", order_id=order_id)
        return self.json(order)


stats = Blueprint("stats")
cache = stats.cache(timeout=5.0)


@stats.route("/total/", name="total")
class Total(View):
    @cache.view()
    async def get(self, request):
        return self.json({"total": sum(o.amount for o in orders.values())})


stats.register(app, url_prefix="/stats/")


async def demo() -> None:
    await app.start()
    base = f"http://127.0.0.1:{app.conf.web_port}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/orders/", json={"id": "o1", "amount": 3}) as r:
            print("POST /orders/", r.status, await r.json())
        while "o1" not in orders:
            await asyncio.sleep(0.01)
        for path in ("/orders/o1/", "/orders/nope/", "/stats/total/", "/readyz"):
            async with http.get(base + path) as r:
                print("GET", path, r.status, await r.json())
        async with http.post(f"{base}/orders/", data="{not json") as r:
            print("POST /orders/ (bad JSON)", r.status, await r.json())
    await app.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
