"""The aiohttp web server.

Owner: the app. Children: none. Tasks: none; ``on_start`` binds the site
(TCP on ``web_bind:web_port``, or a unix socket with ``web_transport =
unix:///path``) and ``on_stop`` closes it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Optional

from aiohttp import __version__ as aiohttp_version
from aiohttp import web
from yarl import URL

from ...exceptions import ImproperlyConfigured
from ...types import AppT
from ...types.web import ResourceOptions
from ...utils.json import dumps
from ..base import Web as BaseWeb

__all__ = ["Web"]

logger = logging.getLogger(__name__)


async def _index(request: web.Request) -> web.Response:
    return web.Response(body=dumps({"status": "OK"}), content_type="application/json")


class Web(BaseWeb):
    """Web server on aiohttp."""

    driver_version = f"aiohttp={aiohttp_version}"

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.web_app = web.Application()
        self._runner: Optional[web.AppRunner] = None
        self._routes_added = False

    def route(
        self,
        pattern: str,
        handler: Any,
        cors_options: Optional[Mapping[str, ResourceOptions]] = None,
    ) -> None:
        """Serve ``handler`` (an aiohttp handler) at ``pattern``."""
        super().route(pattern, handler, cors_options)
        self.web_app.router.add_route("*", pattern, handler)

    def _add_default_routes(self) -> None:
        if not self._routes_added:
            self._routes_added = True
            if "/" not in self.views:
                self.route("/", _index)

    async def on_start(self) -> None:
        """Bind the server."""
        self.init_server()
        self._add_default_routes()
        conf = self.app.conf
        runner = self._runner = web.AppRunner(self.web_app, access_log=None)
        await runner.setup()
        transport = URL(str(conf.web_transport))
        try:
            if transport.scheme == "unix":
                site: web.BaseSite = web.UnixSite(runner, transport.path)
            else:
                site = web.TCPSite(runner, conf.web_bind, conf.web_port)
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ImproperlyConfigured(
                f"Web server cannot listen on {conf.web_bind}:{conf.web_port}: "
                f"{exc.strerror or exc}. Use --web-port to pick another port, "
                "or --without-web"
            ) from exc
        logger.info("Web server listening on %s", self._describe(transport))

    def _describe(self, transport: URL) -> str:
        conf = self.app.conf
        if transport.scheme == "unix":
            return f"unix://{transport.path}"
        return f"http://{conf.web_bind}:{conf.web_port}/"

    async def on_stop(self) -> None:
        """Close the server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
