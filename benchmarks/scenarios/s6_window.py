"""S6: a tumbling-window counting table."""

from datetime import timedelta

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
per_minute = app.Table("per_minute", default=int).tumbling(
    timedelta(minutes=1), expires=timedelta(hours=1)
)
m = meter()


@app.agent(source)
async def consume(orders):
    async for order in orders:
        per_minute[order.account_id] += 1
        if m.tick():
            await m.finish(app)
