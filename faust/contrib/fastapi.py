"""FastAPI and faust on one event loop (see :mod:`faust.contrib.asgi`).

Example:
    >>> from fastapi import FastAPI
    >>> from faust.contrib.fastapi import faust_lifespan
    >>> api = FastAPI(lifespan=faust_lifespan(app))   # uvicorn myproj:api
    >>> @api.post('/orders')
    ... async def order(o: dict):
    ...     await orders_topic.send(value=o)

FastAPI itself is only needed by your code (``pip install 'faust-ng[fastapi]'``
installs it with uvicorn); these helpers speak plain ASGI.
"""

from __future__ import annotations

from .asgi import (
    AsgiService,
    FaustLifespanMiddleware,
    LoopMismatch,
    bind_to_running_loop,
    faust_app_running,
    faust_lifespan,
    serve_asgi,
)

__all__ = [
    "AsgiService",
    "FaustLifespanMiddleware",
    "LoopMismatch",
    "bind_to_running_loop",
    "faust_app_running",
    "faust_lifespan",
    "serve_asgi",
]
