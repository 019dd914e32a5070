"""S2: JSON ``faust.Record`` values."""

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
tick = meter()


@app.agent(source)
async def consume(orders):
    async for order in orders:
        if order.amount >= 0.0:
            tick()
