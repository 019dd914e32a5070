"""The services that run a web driver's server: in the app's loop or a thread.

The driver (``web``) provides ``start_server()`` and ``stop_server()``;
these services call them at the right time and in the right thread.
"""

from __future__ import annotations

from typing import Any, Protocol

from mode import Service
from mode.threads import ServiceThread

__all__ = ["Server", "ServerThread"]


class _Serving(Protocol):
    async def start_server(self) -> None: ...

    async def stop_server(self) -> None: ...


class Server(Service):
    """Runs the web server on the app's event loop.

    Owner: the web driver. Children: none. ``on_start`` binds, ``on_stop`` closes.
    """

    def __init__(self, web: _Serving, **kwargs: Any) -> None:
        self.web = web
        super().__init__(**kwargs)

    async def on_start(self) -> None:
        """Bind the listening socket."""
        await self.web.start_server()

    async def on_stop(self) -> None:
        """Close the server."""
        await self.web.stop_server()


class ServerThread(ServiceThread):
    """Runs the web server in its own thread and event loop.

    Owner: the web driver. Children: none. ``on_start`` (in the thread) binds;
    ``on_thread_stop`` (in the thread) closes. Views then run in the server's
    loop, not the app's: they must not await objects bound to the app's loop.
    """

    def __init__(self, web: _Serving, **kwargs: Any) -> None:
        self.web = web
        super().__init__(**kwargs)

    async def on_start(self) -> None:
        """Bind the listening socket (in the server thread)."""
        await self.web.start_server()

    async def on_thread_stop(self) -> None:
        """Close the server (in the server thread)."""
        await self.web.stop_server()
