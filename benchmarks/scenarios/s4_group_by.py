"""S4: group_by (repartition through Kafka), then a table."""

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
totals = app.Table("totals", default=float)
m = meter()


def started(order):
    m.begin()
    return order


@app.agent(source)
async def consume(orders):
    orders.add_processor(started)  # first stage: before the repartition
    async for order in orders.group_by(Order.account_id):
        totals[order.account_id] += order.amount
        m.tick()
