"""S3: an agent updating a Table (changelog on)."""

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
counts = app.Table("counts", default=int)
m = meter()


@app.agent(source)
async def consume(orders):
    async for order in orders:
        counts[order.account_id] += 1
        if m.tick():
            await m.finish(app)
