"""S1: a plain agent over raw bytes."""

from scenarios.common import TOPIC, make_app, meter

app = make_app()
source = app.topic(TOPIC, value_serializer="raw")
m = meter()


@app.agent(source)
async def consume(stream):
    async for _value in stream:
        if m.tick():
            await m.finish(app)
