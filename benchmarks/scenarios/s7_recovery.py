"""S7: changelog recovery of a table.

The driver filled the changelog topic (shared by every run: each run is a
new app, so it recovers the whole changelog into an empty in-memory table)
and put one event in the trigger topic. Streams are held back until the
tables are recovered, so the trigger's arrival marks the end of recovery;
the measurement starts when partitions are assigned.
"""

from scenarios.common import EXTRA, TOPIC, Span, make_app

app = make_app()
changelog_name, records = EXTRA.split(":")
changelog = app.topic(
    changelog_name, partitions=4, key_serializer="json", value_serializer="json"
)
table = app.Table("recovered", default=int, changelog_topic=changelog)
trigger = app.topic(TOPIC, value_serializer="raw")
span = Span()


@app.on_partitions_assigned.connect
async def on_assigned(sender, assigned, **kwargs):
    if assigned:
        span.start()


@app.agent(trigger)
async def ready(stream):
    async for _value in stream:
        span.stop(int(records), keys=len(table))
