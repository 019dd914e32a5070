"""S5: agent A sends each event to agent B (through B's Kafka topic)."""

from scenarios.common import TOPIC, Order, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_type=Order)
m = meter()


@app.agent(value_type=Order)
async def second(orders):
    async for order in orders:
        if order.quantity >= 0:
            if m.tick():
                await m.finish(app)


@app.agent(source)
async def first(orders):
    async for order in orders:
        m.begin()
        await second.send(key=order.account_id, value=order)
