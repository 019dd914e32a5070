"""A table of sets: which users are online in each chat room.

``app.SetTable("name")`` maps each key to a set. Inside an agent, mutate it
with set operations (``add``, ``discard``, ``update``, ``|=``...); the
change goes to the table's changelog like any table write. From anywhere
else (a web view, a timer), ``await table.manager.add(key, member)`` sends
the operation to the worker that owns the key.

Run it (the embedded broker, no Kafka needed)::

    python examples/set_table.py

It prints::

    #general: ['ada', 'grace']
    #python: ['alan', 'grace']
    grace is in 2 rooms
"""

import asyncio
import sys

import faust


class Presence(faust.Record, serializer="json"):
    """A user joining or leaving a room."""

    room: str
    user: str
    online: bool = True


app = faust.App(
    "set-table-demo",
    broker="memory://",
    store="memory://",
    web_enabled=False,
    topic_partitions=4,
)

presence = app.topic("presence", key_type=str, value_type=Presence)
rooms = app.SetTable("room-members")
handled: list[Presence] = []


@app.agent(presence)
async def track(stream):
    """Keep each room's set of online users (the topic is keyed by room)."""
    async for event in stream:
        if event.online:
            rooms[event.room].add(event.user)
        else:
            rooms[event.room].discard(event.user)
        handled.append(event)


EVENTS = [
    Presence("#general", "ada"),
    Presence("#general", "grace"),
    Presence("#python", "grace"),
    Presence("#general", "alan"),
    Presence("#python", "alan"),
    Presence("#general", "alan", online=False),
]


async def demo() -> None:
    await app.start()
    for event in EVENTS:
        await presence.send(key=event.room, value=event)
    while len(handled) < len(EVENTS):
        await asyncio.sleep(0.01)
    for room in sorted(rooms.keys()):
        print(f"{room}: {sorted(rooms[room])}")
    count = sum("grace" in members for members in rooms.values())
    print(f"grace is in {count} rooms")
    await app.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
