"""ASGI co-hosting: an HTTP API and a faust app served by uvicorn together.

The HTTP side is a plain ASGI application (FastAPI or Starlette work the same
way: ``FastAPI(lifespan=faust_lifespan(app))``). ``FaustLifespanMiddleware``
starts the faust app when uvicorn starts and stops it when uvicorn stops, on
uvicorn's event loop, so the endpoints can send to topics and read tables:

* ``POST /orders/`` with a JSON body ``{"item": ..., "qty": ...}`` sends the
  order to the ``orders`` topic (answer 202);
* the ``count_orders`` agent adds the quantity to the ``ordered`` table;
* ``GET /ordered/<item>/`` answers the quantity ordered so far.

Run the demo (serves the API on a free local port with uvicorn, posts three
orders with an HTTP client, reads the totals back, stops)::

    python examples/asgi_app.py

It prints each request with its status and answer, then
``Served 5 requests.``

Or serve it yourself (needs ``pip install 'faust-ng[asgi]'``) and call it
from another shell::

    uvicorn examples.asgi_app:api --port 8000
    curl -X POST localhost:8000/orders/ -d '{"item": "tea", "qty": 2}'
    curl localhost:8000/ordered/tea/
"""

import asyncio
import json
from typing import Any

import aiohttp
import uvicorn

import faust
from faust.contrib.asgi import FaustLifespanMiddleware

app = faust.App(
    "asgi-orders",
    broker="memory://",
    store="memory://",
    web_enabled=False,  # uvicorn serves HTTP; faust's own web server is off
    topic_partitions=1,
)

orders = app.topic("orders", value_type=dict)
ordered = app.Table("ordered", default=int, help="Quantity ordered per item")


@app.agent(orders)
async def count_orders(stream):
    """Add each order's quantity to its item's total."""
    async for order in stream:
        ordered[order["item"]] += int(order["qty"])


async def reply(send: Any, status: int, body: Any) -> None:
    """Send a JSON answer."""
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def read_body(receive: Any) -> bytes:
    """Read the whole request body."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def orders_api(scope: Any, receive: Any, send: Any) -> None:
    """The HTTP API: a plain ASGI application."""
    if scope["type"] == "lifespan":  # nothing of its own to start
        while True:
            message = await receive()
            kind = message["type"].rsplit(".", 1)[-1]
            await send({"type": f"{message['type']}.complete"})
            if kind == "shutdown":
                return
    path = scope["path"].strip("/").split("/")
    if scope["method"] == "POST" and path == ["orders"]:
        try:
            order = json.loads(await read_body(receive))
            item, qty = str(order["item"]), int(order["qty"])
        except (ValueError, KeyError, TypeError):
            await reply(send, 400, {"error": 'send {"item": str, "qty": int}'})
            return
        await orders.send(key=item, value={"item": item, "qty": qty})
        await reply(send, 202, {"accepted": item})
    elif scope["method"] == "GET" and len(path) == 2 and path[0] == "ordered":
        await reply(send, 200, {"item": path[1], "qty": ordered[path[1]]})
    else:
        await reply(send, 404, {"error": "not found"})


#: What uvicorn serves: the API, with the faust app running for its lifetime.
api = FaustLifespanMiddleware(orders_api, app)


async def call_api(server: uvicorn.Server) -> int:
    """Post orders and read totals while ``server`` runs; stop it after."""
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    requests = 0
    try:
        async with aiohttp.ClientSession() as http:
            for order in ({"item": "tea", "qty": 2}, {"item": "cake", "qty": 1}):
                async with http.post(f"{base}/orders/", json=order) as response:
                    print(f"POST /orders/ {response.status} {await response.json()}")
                    requests += 1
            async with http.post(f"{base}/orders/", data=b"{not json") as response:
                print(f"POST /orders/ (bad JSON) {response.status}")
                requests += 1
            while ordered["tea"] < 2 or ordered["cake"] < 1:  # the agent is behind
                await asyncio.sleep(0.01)
            for item in ("tea", "cake"):
                async with http.get(f"{base}/ordered/{item}/") as response:
                    answer = await response.json()
                    print(f"GET /ordered/{item}/ {response.status} {answer}")
                    requests += 1
    finally:
        server.should_exit = True
    return requests


async def demo() -> None:
    config = uvicorn.Config(api, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    _, requests = await asyncio.gather(server.serve(), call_api(server))
    print(f"Served {requests} requests.")


if __name__ == "__main__":
    asyncio.run(demo())
