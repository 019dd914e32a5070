"""S4: group_by (repartition through Kafka), then a table."""

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
totals = app.Table("totals", default=float)
tick = meter()


@app.agent(source)
async def consume(orders):
    async for order in orders.group_by(Order.account_id):
        totals[order.account_id] += order.amount
        tick()
