"""Joins and combined streams, all on the embedded broker (no Kafka needed).

Three agents:

``enrich_orders``
    A stream-table join: each order is paired with its customer from the
    ``customers`` table (``left_join``: ``None`` for an unknown customer).
    Orders are keyed by customer id, like the table, so each order is read
    by the worker that holds its customer.
``attribute_clicks``
    A windowed stream-stream join: a click is paired with every view of the
    same user whose timestamp is at most 60 seconds away.
``audit``
    ``orders & refunds``: one stream of the events of both topics.

Run the demo (starts the app in this process, sends a few records, prints
what each agent saw, stops)::

    python examples/joins.py

Or run it as a worker::

    faust -A examples.joins worker -l info
"""

import asyncio
import sys
from typing import Any, Optional

import faust


class Customer(faust.Record, serializer="json"):
    """A customer; the ``customers`` table holds them by id."""

    id: str
    name: str


class Order(faust.Record, serializer="json"):
    """An order of a customer, keyed by the customer id."""

    customer_id: str
    item: str


class Click(faust.Record, serializer="json"):
    """A click of a user on an ad."""

    user: str
    ad: str


class View(faust.Record, serializer="json"):
    """A view of a page by a user."""

    user: str
    page: str


app = faust.App(
    "joins-demo",
    broker="memory://",
    store="memory://",
    web_enabled=False,
    topic_partitions=4,
)

customers_topic = app.topic("customers", key_type=str, value_type=Customer)
orders_topic = app.topic("orders", key_type=str, value_type=Order)
refunds_topic = app.topic("refunds", key_type=str, value_type=Order)
clicks_topic = app.topic("clicks", key_type=str, value_type=Click)
views_topic = app.topic("views", key_type=str, value_type=View)

customers = app.Table("customers", default=None, partitions=4)

enriched: list[tuple[str, Optional[str]]] = []
attributed: list[tuple[str, str]] = []
audited: list[str] = []


@app.agent(customers_topic)
async def store_customers(stream: Any) -> None:
    """Keep the latest record of every customer in the table."""
    async for customer in stream:
        customers[customer.id] = customer


@app.agent(orders_topic)
async def enrich_orders(orders: Any) -> None:
    """Pair each order with its customer (stream-table left join)."""
    async for order, customer in orders.left_join(customers, key=Order.customer_id):
        enriched.append((order.item, customer.name if customer else None))


@app.agent(clicks_topic)
async def attribute_clicks(clicks: Any) -> None:
    """Pair each click with the views of the same user within 60 seconds."""
    async for click, view in clicks.join(views_topic, within=60):
        attributed.append((click.ad, view.page))


@app.agent(orders_topic)
async def audit(orders: Any) -> None:
    """Count orders and refunds in one stream."""
    async for order in orders & app.stream(refunds_topic):
        audited.append(order.item)


async def _until(done: Any) -> None:
    while not done():
        await asyncio.sleep(0.01)


async def demo() -> None:
    """Send a few records, wait for every agent, print what they saw."""
    await app.start()
    for customer in (Customer(id="c1", name="Ada"), Customer(id="c2", name="Linus")):
        await customers_topic.send(key=customer.id, value=customer)
    await asyncio.wait_for(_until(lambda: len(customers) == 2), 10)
    for order in (
        Order(customer_id="c1", item="book"),
        Order(customer_id="c2", item="lamp"),
        Order(customer_id="c9", item="pen"),  # unknown customer
    ):
        await orders_topic.send(key=order.customer_id, value=order)
    await refunds_topic.send(key="c2", value=Order(customer_id="c2", item="lamp"))
    await views_topic.send(key="u1", value=View(user="u1", page="/shoes"))
    await clicks_topic.send(key="u1", value=Click(user="u1", ad="shoe-ad"))
    await asyncio.wait_for(
        _until(lambda: len(enriched) == 3 and attributed and len(audited) == 4), 10
    )
    await app.stop()
    print("orders with their customer:", sorted(enriched, key=str))
    print("clicks with a view:", attributed)
    print("orders and refunds audited:", sorted(audited))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
