"""S4: group_by (repartition through Kafka), then a table."""

from scenarios.common import APP_ID, TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
totals = app.Table("totals", default=float)
m = meter()


def started(order):
    m.begin()
    return order


# the repartition topic is named after the agent (not the app id): a name of
# its own per run, or every run would read the earlier runs' records too
@app.agent(source, name=f"consume-{APP_ID}")
async def consume(orders):
    orders.add_processor(started)  # first stage: before the repartition
    async for order in orders.group_by(Order.account_id):
        totals[order.account_id] += order.amount
        if m.tick():
            await m.finish(app)
