"""The Router (``app.router``): which worker owns a key, and asking it.

A table key lives in one partition of the table's changelog topic (the key
is serialized as the table serializes it, then partitioned as the producer
would). The partition assignor knows which worker (by its
``canonical_url``) is assigned each partition; :meth:`Router.key_store`
combines the two.

:meth:`Router.route_req` forwards a web request to the owner and answers
with the owner's response (status, body and content type kept; the method,
path, query, headers and body of the request forwarded). It raises
:exc:`~faust.exceptions.SameNode` when this worker owns the key (the view
then answers locally) and
:exc:`~faust.web.exceptions.ServiceUnavailable` (503) when no owner is
known or the owner does not answer. A forwarded request carries the
``X-Faust-Routed-By`` header; a worker receiving one for a key it does not
own answers 503 instead of forwarding again, so workers that disagree
during a rebalance never bounce a request back and forth.

Owner: the app. No service, no tasks.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional, Union

from aiohttp import ClientError, ClientTimeout
from yarl import URL

from ..exceptions import SameNode
from ..types import AppT, CollectionT, TopicT
from ..types.assignor import PartitionAssignorT
from ..types.router import HostToPartitionMap, RouterT
from ..types.web import Request, Response, WebT
from ..web.exceptions import ServiceUnavailable

__all__ = ["Router", "ROUTED_HEADER"]

#: Header marking a request forwarded by another worker (its canonical URL).
ROUTED_HEADER = "X-Faust-Routed-By"

#: Request/response headers that describe one connection, not the message.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
    }
)


class Router(RouterT):
    """Finds the worker owning a key and forwards requests to it.

    Arguments:
        app: the app.
    """

    #: seconds to wait for the owner's answer
    proxy_timeout: float = 30.0

    def __init__(self, app: AppT) -> None:
        self.app = app

    @property
    def _assignor(self) -> PartitionAssignorT:
        return self.app.assignor

    # -- ownership ------------------------------------------------------------

    def key_store(self, table_name: str, key: Any) -> URL:
        """The URL of the worker serving ``key`` of table ``table_name``.

        Raises:
            KeyError: unknown table, or no worker known for the partition.
        """
        table = self._get_table(table_name)
        topic = table.changelog_topic
        return self._assignor.key_store(
            topic.get_topic_name(), self._key_bytes(topic, key)
        )

    def external_topic_key_store(self, topic: TopicT[Any], key: Any) -> URL:
        """The URL of the worker processing ``key`` of a (non-table) topic.

        Raises:
            KeyError: no worker known for the partition.
        """
        return self._assignor.key_store(
            topic.get_topic_name(), self._key_bytes(topic, key)
        )

    def table_metadata(self, table_name: str) -> HostToPartitionMap:
        """``{worker_url: {changelog_topic: [partitions]}}`` of one table."""
        table = self._get_table(table_name)
        return self._assignor.table_metadata(table.changelog_topic.get_topic_name())

    def tables_metadata(self) -> HostToPartitionMap:
        """``{worker_url: {changelog_topic: [partitions]}}`` of every table."""
        return self._assignor.tables_metadata()

    def external_topics_metadata(self) -> HostToPartitionMap:
        """``{worker_url: {topic: [partitions]}}`` of the non-table topics.

        Empty when the assignor does not track them.
        """
        # an optional assignor extension (faust-streaming has it), not part
        # of PartitionAssignorT: user assignors need not implement it
        method = getattr(self._assignor, "external_topics_metadata", None)
        return method() if method is not None else {}

    def _get_table(self, name: str) -> CollectionT:
        return self.app.tables[name]

    @staticmethod
    def _key_bytes(topic: TopicT[Any], key: Any) -> bytes:
        if isinstance(key, bytes):
            return key
        prepared, _ = topic.prepare_key(key, None)
        return prepared if isinstance(prepared, bytes) else str(prepared).encode()

    # -- forwarding -----------------------------------------------------------

    async def route_req(
        self, table_name: str, key: Any, web: WebT, request: Request
    ) -> Response:
        """Answer ``request`` from the worker owning ``key`` of the table.

        Raises:
            SameNode: this worker owns the key.
            ServiceUnavailable: no owner is known, or it did not answer.
        """
        try:
            dest = self.key_store(table_name, key)
        except KeyError as exc:
            raise ServiceUnavailable(
                "No worker is known to own this key yet (rebalancing?)",
                table=table_name,
            ) from exc
        return await self._route_req(dest, web, request)

    async def route_topic_req(
        self, topic: TopicT[Any], key: Any, web: WebT, request: Request
    ) -> Response:
        """Answer ``request`` from the worker processing ``key`` of ``topic``.

        Raises:
            SameNode: this worker processes the key's partition.
            ServiceUnavailable: no owner is known, or it did not answer.
        """
        try:
            dest = self.external_topic_key_store(topic, key)
        except KeyError as exc:
            raise ServiceUnavailable(
                "No worker is known to process this key yet (rebalancing?)",
                topic=topic.get_topic_name(),
            ) from exc
        return await self._route_req(dest, web, request)

    def is_local(self, url: Union[str, URL]) -> bool:
        """True if ``url`` is this worker's ``canonical_url``."""
        return _ident(URL(str(url))) == _ident(URL(str(self.app.conf.canonical_url)))

    async def _route_req(self, dest: URL, web: WebT, request: Request) -> Response:
        if self.is_local(dest):
            raise SameNode()
        routed_by: Optional[str] = request.headers.get(ROUTED_HEADER)
        if routed_by is not None:
            raise ServiceUnavailable(
                "Workers disagree on who owns this key (rebalancing?): retry",
                routed_by=routed_by,
                owner=str(dest),
            )
        target = URL.build(
            scheme=dest.scheme or "http",
            host=dest.host or "localhost",
            port=dest.port,
            path=request.rel_url.raw_path,
            query_string=request.rel_url.raw_query_string,
            encoded=True,
        )
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP
        }
        headers[ROUTED_HEADER] = str(self.app.conf.canonical_url)
        body = await request.read() if request.can_read_body else None
        try:
            async with self.app.http_client.request(
                request.method,
                target,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=ClientTimeout(total=self.proxy_timeout),
            ) as resp:
                payload = await resp.read()
                kept = {
                    k: v
                    for k, v in resp.headers.items()
                    if k.lower() not in _HOP_BY_HOP
                }
                return web.bytes(payload, status=resp.status, headers=kept)
        except (ClientError, asyncio.TimeoutError, OSError) as exc:
            raise ServiceUnavailable(
                f"The worker owning this key did not answer: {exc!r}",
                owner=str(dest),
            ) from exc


def _ident(url: URL) -> tuple[str, int]:
    host = (url.host if url.scheme else url.path) or ""
    return host, int(url.port or 80)
