"""Web server settings, the web view cache and this node's URL."""

from __future__ import annotations

import socket
from functools import lru_cache
from typing import Any

from faust.types import _env

from . import sections
from .params import URL, Bool, Dict, Port, SSLContext, Str

__all__ = ["WebSettings", "node_hostname"]


@lru_cache(maxsize=1)
def node_hostname() -> str:
    """Return this machine's host name (looked up once per process)."""
    return socket.gethostname()


def _default_web_bind(conf: Any) -> str:
    return _env.web_bind()


def _default_web_port(conf: Any) -> int:
    return _env.web_port()


def _default_web_transport(conf: Any) -> str:
    return _env.web_transport()


class WebSettings:
    """Web server settings (mixed into :class:`~.settings.Settings`)."""

    cache = URL(
        section=sections.Common,
        env_name="CACHE_URL",
        default="memory://",
        default_doc="``'memory://'``",
        version_introduced="1.2",
        doc="""Backend of the web view cache (``@app.page`` with caching).

        ``memory://`` (per process), ``redis://host:port/db`` or
        ``rediscluster://host:port``.""",
    )

    web = URL(
        section=sections.WebServer,
        default="aiohttp://",
        default_doc="``'aiohttp://'``",
        version_introduced="1.2",
        doc="""Web server driver; ``aiohttp://`` is the one built in.""",
    )

    web_bind = Str(
        section=sections.WebServer,
        env_name="WEB_BIND",
        on_default=_default_web_bind,
        default_doc="``'0.0.0.0'`` (or ``FAUST_WEB_BIND``)",
        related_cli_options={"faust worker": ["--web-bind"]},
        version_introduced="1.2",
        doc="""Address of the network interface the web server listens on.

        ``'0.0.0.0'`` listens on all interfaces. Usually set with
        ``faust worker --web-bind``.""",
    )

    web_application_options = Dict.nullable(
        section=sections.WebServer,
        version_introduced="0.11.4 (faust-streaming)",
        doc="""Keyword arguments for :class:`aiohttp.web.Application`
        (for example ``client_max_size`` or ``middlewares``).""",
    )

    web_cors_options = Dict.nullable(
        section=sections.WebServer,
        version_introduced="1.5",
        doc="""Cross-Origin Resource Sharing options for every web view.

        A mapping of origin to :class:`faust.web.ResourceOptions`::

            app = faust.App(..., web_cors_options={
                'http://example.com': ResourceOptions(allow_methods='*'),
            })

        Views may override them with their own ``cors_options``.""",
    )

    web_enabled = Bool(
        section=sections.WebServer,
        env_name="APP_WEB_ENABLED",
        default=True,
        related_cli_options={"faust worker": ["--with-web", "--without-web"]},
        version_introduced="1.2",
        doc="""Run the web server in the worker.""",
    )

    web_stats_enabled = Bool(
        section=sections.WebServer,
        env_name="APP_WEB_STATS_ENABLED",
        default_alias="debug",
        version_introduced="0.15.0 (faust-streaming)",
        doc="""Serve sensor statistics at ``/`` and the partition assignment at
        ``/assignment/``; defaults to ``debug``.

        When disabled ``/`` answers ``{"status": "OK"}``.""",
    )

    web_graph_enabled = Bool(
        section=sections.WebServer,
        env_name="APP_WEB_GRAPH_ENABLED",
        default_alias="debug",
        version_introduced="0.15.0 (faust-streaming)",
        doc="""Serve a picture of the service graph at ``/graph/`` (needs
        pydot); defaults to ``debug``.""",
    )

    web_router_enabled = Bool(
        section=sections.WebServer,
        env_name="APP_WEB_ROUTER_ENABLED",
        default=True,
        version_introduced="0.15.0 (faust-streaming)",
        doc="""Serve the ``/router/`` views, which ``@app.table_route`` needs to
        send requests to the worker owning a key.""",
    )

    web_tables_enabled = Bool(
        section=sections.WebServer,
        env_name="APP_WEB_TABLES_ENABLED",
        default=True,
        version_introduced="0.15.0 (faust-streaming)",
        doc="""Serve the ``/table/`` views, which show table contents.""",
    )

    web_metrics_enabled = Bool(
        section=sections.WebServer,
        env_name="APP_WEB_METRICS_ENABLED",
        default=False,
        version_introduced="0.15.0 (faust-streaming)",
        doc="""Serve performance metrics (lag, latency, throughput) as JSON at
        ``/performance/``.""",
    )

    web_host = Str(
        section=sections.WebServer,
        env_name="WEB_HOST",
        default_template="{conf.NODE_HOSTNAME}",
        default_doc="this machine's host name (:func:`socket.gethostname`)",
        related_cli_options={"faust worker": ["--web-host"]},
        version_introduced="1.2",
        doc="""Host name other workers use to reach this web server.

        Part of ``canonical_url``. Usually set with
        ``faust worker --web-host``.""",
    )

    web_in_thread = Bool(
        section=sections.WebServer,
        default=False,
        version_introduced="1.5",
        doc="""Run the web server in its own thread and event loop.

        Keeps web views responsive while the worker is busy; views and
        agents then do not share an event loop.""",
    )

    web_port = Port(
        section=sections.WebServer,
        env_name="WEB_PORT",
        on_default=_default_web_port,
        default_doc="``6066`` (or ``FAUST_WEB_PORT``)",
        related_cli_options={"faust worker": ["--web-port"]},
        version_introduced="1.2",
        doc="""Port of the web server. Usually set with
        ``faust worker --web-port``.""",
    )

    web_ssl_context = SSLContext.nullable(
        section=sections.WebServer,
        version_introduced="0.5.0 (faust-streaming)",
        doc="""Serve HTTPS with this :class:`ssl.SSLContext`.""",
    )

    web_transport = URL(
        section=sections.WebServer,
        on_default=_default_web_transport,
        default_doc="``'tcp://'`` (or ``FAUST_WEB_TRANSPORT``)",
        related_cli_options={"faust worker": ["--web-transport"]},
        version_introduced="1.2",
        doc="""How the web server listens: ``tcp://`` or a Unix socket such as
        ``unix:///tmp/server.sock``.""",
    )

    canonical_url = URL(
        section=sections.WebServer,
        env_name="NODE_CANONICAL_URL",
        default_template="http://{conf.web_host}:{conf.web_port}",
        related_cli_options={"faust worker": ["--web-host", "--web-port"]},
        related_settings=("web_host", "web_port"),
        doc="""URL other workers use to reach this worker's web server.

        Sent to the other workers at rebalance, for routing table requests.
        Computed from ``web_host`` and ``web_port`` (and recomputed when they
        change) unless set.""",
    )
