"""S2: JSON ``faust.Record`` values."""

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
m = meter()


@app.agent(source)
async def consume(orders):
    async for order in orders:
        if order.amount >= 0.0:
            if m.tick():
                await m.finish(app)
