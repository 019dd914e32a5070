"""LiveCheck example: an order system tested end to end while it runs.

Orders enter through ``place_order()`` (called by the web view
``/order/{side}/`` or by the ``demo`` command).  With probability 0.5 an
order also starts a LiveCheck test: the order id is the test id, and the
``LiveCheck-Test-*`` headers travel with the order through both agents.
Each agent reports its step with a signal; the test case waits for the
signals and checks the contract (the order keeps its side, the ids match).

In one process, on the embedded ``memory://`` broker (no Kafka needed)::

    $ python examples/livecheck.py demo --orders 4
    $ python examples/livecheck.py demo --orders 4 --bug   # tests now fail

The demo prints a table of the test results: how many tests passed,
failed, raised or timed out (all pass, unless ``--bug``).

With Kafka, as in production (three terminals)::

    $ LIVECHECK_BROKER=kafka://localhost:9092 \\
        python examples/livecheck.py worker -l info       # the order system
    $ LIVECHECK_BROKER=kafka://localhost:9092 \\
        python examples/livecheck.py livecheck -l info    # runs the tests
    $ LIVECHECK_BROKER=kafka://localhost:9092 \\
        python examples/livecheck.py post_order --side=sell
"""

from __future__ import annotations

import asyncio
import os

import click

import faust
from faust import cli, web
from faust.livecheck import Case, Signal, State
from faust.utils import uuid

#: ``demo --bug``: the order agent flips the side of every order.
BUGGY = False


class Order(faust.Record):
    """An order to buy or sell."""

    SIDE_SELL = "sell"
    SIDE_BUY = "buy"

    id: str
    user_id: str
    side: str
    quantity: float
    price: float
    #: fake orders (made by tests) are not executed
    fake: bool = False


app = faust.App(
    "orders",
    broker=os.environ.get("LIVECHECK_BROKER", "memory://"),
    store="memory://",
    origin="examples.livecheck",
    topic_partitions=1,
)
livecheck = app.LiveCheck()

orders_topic = app.topic("orders", value_type=Order)
execution_topic = app.topic("order-execution", value_type=Order)


async def place_order(side: str, *, fake: bool = False) -> Order:
    """Entry point of the order system: accept an order and send it on."""
    order = Order(
        id=uuid(), user_id=uuid(), side=side, quantity=1.0, price=3.33, fake=fake
    )
    # Starts a test of test_order (with its probability): the side is the
    # "contract" the test checks; messages sent in the block carry the test.
    async with test_order.maybe_trigger(order.id, side=side):
        await orders_topic.send(key=order.id, value=order)
    return order


@app.page("/order/{side}/")
class OrderView(web.View):
    """``GET /order/sell/``: place an order (``?fake=1`` for a fake one)."""

    async def get(self, request: web.Request, side: str) -> web.Response:
        side = side.lower()
        if side not in (Order.SIDE_SELL, Order.SIDE_BUY):
            return self.json({"error": f"unknown side {side!r}"}, status=400)
        fake = bool(int(request.query.get("fake", 0)))
        order = await place_order(side, fake=fake)
        return self.json({"order_id": order.id, "side": order.side})


@app.agent(orders_topic)
async def create_order(orders: faust.Stream[Order]) -> None:
    """Store the order, then pass it to the execution agent."""
    async for order in orders:
        if BUGGY:
            order.side = Order.SIDE_BUY if order.side == "sell" else "sell"
        # the event's test headers made that test current: signals go to it
        await test_order.order_sent_to_db.send(order)
        await execution_topic.send(key=order.id, value=order)
        await test_order.order_sent_to_kafka.send()


@app.agent(execution_topic)
async def execute_order(orders: faust.Stream[Order]) -> None:
    """Execute real orders; fake ones are only acknowledged."""
    async for order in orders:
        execution_id = uuid()
        if not order.fake:
            app.log.info(
                "Executing %s order %s as %s", order.side, order.id, execution_id
            )
        await test_order.order_executed.send(execution_id)


@livecheck.case(warn_stalled_after=60.0, probability=0.5)
class test_order(Case):
    """An order goes through both agents without changing side."""

    order_sent_to_db: Signal[Order]
    order_sent_to_kafka: Signal[None]
    order_executed: Signal[str]

    async def run(self, side: str) -> None:
        # 1) the order agent received and stored the order
        order = await self.order_sent_to_db.wait(timeout=30.0)
        # contract: same order, same side
        assert self.current_test is not None
        assert order.id == self.current_test.id
        assert order.side == side, f"side changed from {side} to {order.side}"
        # 2) the order was passed on, 3) and executed
        await self.order_sent_to_kafka.wait(timeout=30.0)
        await self.order_executed.wait(timeout=30.0)

    async def make_fake_request(self) -> None:
        # used with frequency=...: keeps tests running without real traffic
        await self.get_url("http://localhost:6066/order/sell/?fake=1")


@app.command(
    cli.option("--side", default="sell", type=click.Choice(["buy", "sell"])),
    cli.option("--base-url", default="http://localhost:6066"),
)
async def post_order(self: cli.AppCommand, side: str, base_url: str) -> None:
    """Place an order through the web server of a running worker."""
    url = f"{base_url.rstrip('/')}/order/{side}/"
    async with self.app.http_client.get(url) as response:
        response.raise_for_status()
        self.say(await response.text())


@app.command(
    cli.option("--orders", default=4, type=click.IntRange(min=1)),
    cli.option("--bug", is_flag=True, help="Make the order agent change sides."),
    cli.option("--timeout", default=10.0, type=float),
)
async def demo(self: cli.AppCommand, orders: int, bug: bool, timeout: float) -> None:
    """Run the system and its LiveCheck tests in this process (memory://)."""
    global BUGGY
    BUGGY = bug
    test_order.probability = 1.0  # test every order
    for each in (self.app, livecheck):
        each.boot_strategy.enable_web = False  # one process: no HTTP needed
    await livecheck.start()
    await self.app.start()
    try:
        for i in range(orders):
            await place_order(Order.SIDE_SELL if i % 2 else Order.SIDE_BUY)
        await _wait_for_results(orders, timeout)
    finally:
        await self.app.stop()
        await livecheck.stop()
    counts = test_order.total_by_state
    states = [State.PASS, State.FAIL, State.ERROR, State.TIMEOUT]
    self.say(
        self.tabulate(
            [[state.value, counts[state]] for state in states],
            headers=["state", "tests"],
            title="test_order",
        )
    )
    if counts[State.PASS] != orders:
        raise click.ClickException(f"{orders - counts[State.PASS]} test(s) failed")


async def _wait_for_results(orders: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while sum(test_order.total_by_state.values()) < orders:
        if loop.time() > deadline:
            raise click.ClickException("timed out waiting for the tests")
        await asyncio.sleep(0.02)


if __name__ == "__main__":
    app.main()
