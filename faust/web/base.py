"""The Web base service: routes and the address of this worker.

Owner: the app. Children: none. Tasks: none. Drivers (aiohttp) subclass it
and run the actual server.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any, Optional

from mode import Service
from yarl import URL

from ..types import AppT
from ..types.web import ResourceOptions, WebT

__all__ = ["Web"]


class Web(Service, WebT):
    """Serves the app's web pages.

    Arguments:
        app: the app.
    """

    driver_version = "unknown"

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self.views: dict[str, Any] = {}
        Service.__init__(self, **kwargs)

    @property
    def url(self) -> URL:
        """The URL other workers reach this one at (``canonical_url``)."""
        canonical = URL(str(self.app.conf.canonical_url))
        if canonical.host == socket.gethostname():
            return URL(f"http://localhost:{self.app.conf.web_port}/")
        return canonical

    def route(
        self,
        pattern: str,
        handler: Any,
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
    ) -> None:
        """Serve ``handler`` at ``pattern``."""
        self.views[pattern] = handler

    def add_static(self, prefix: str, path: Any, **kwargs: Any) -> None:
        """Serve files under ``path`` at ``prefix``."""
        raise NotImplementedError(f"{type(self).__name__} cannot serve static files")

    def init_server(self) -> None:
        """Let the app register its views (``App.on_webserver_init``)."""
        self.app.on_webserver_init(self)
