"""Factories of the app's children (the ``_new_*`` hooks).

Each builds one child from the settings; the app calls them lazily, once,
and tests may replace a child by assigning the attribute
(``app.producer = Mock(...)``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Any, Optional, Union, cast

from mode.utils.aiter import aiter
from mode.utils.imports import symbol_by_name

from ..transport import by_url
from ..types import AppT, ConductorT, ConsumerT, ProducerT, StreamT, TopicT, TransportT

__all__ = [
    "new_topic",
    "new_stream",
    "new_table",
    "new_transport",
    "new_producer_transport",
    "new_producer",
    "new_consumer",
    "new_conductor",
    "new_table_manager",
    "new_web",
    "new_cache",
    "new_leader_assignor",
    "new_reply_consumer",
    "new_assignor",
    "new_router",
    "new_serializers",
    "new_http_client",
    "new_agent_manager",
    "new_sensor_delegate",
]


def new_topic(
    app: AppT, topics: tuple[str, ...], pattern: Optional[Any], **kwargs: Any
) -> TopicT[Any]:
    """A topic description of the ``Topic`` setting's class (``app.topic``).

    Raises:
        TypeError: both topic names and ``pattern`` were given.
    """
    if pattern is not None and topics:
        raise TypeError("app.topic: give topic names or pattern=, not both")
    topic_cls: Any = app.conf.Topic
    return cast(TopicT[Any], topic_cls(app, topics=topics, pattern=pattern, **kwargs))


def new_stream(
    app: AppT,
    channel: Union[AsyncIterable[Any], Iterable[Any]],
    beacon: Optional[Any],
    **kwargs: Any,
) -> StreamT[Any]:
    """A stream of the ``Stream`` setting's class over any (async) iterable."""
    stream_cls: Any = app.conf.Stream
    iterator = aiter(channel)
    return cast(
        StreamT[Any],
        stream_cls(
            channel=iterator,
            app=app,
            beacon=beacon or app.beacon,
            # a subscription made here ends with the stream
            owns_channel=iterator is not channel,
            **kwargs,
        ),
    )


def new_table(
    app: AppT, setting: str, name: str, window: Optional[Any], **kwargs: Any
) -> Any:
    """A table of the class the ``setting`` names, added to ``app.tables``.

    With ``window``, the windowed wrapper of the table.
    """
    table_cls = cast(Any, getattr(app.conf, setting))
    table: Any = app.tables.add(
        table_cls(app, name=name, beacon=app.tables.beacon, **kwargs)
    )
    return table.using_window(window) if window is not None else table


def new_transport(app: AppT) -> TransportT:
    """The transport of the consumer (``broker_consumer`` URLs)."""
    urls = app.conf.broker_consumer
    return by_url(urls[0])(urls, app)


def new_producer_transport(app: AppT) -> TransportT:
    """The transport of the producer (``broker_producer`` URLs)."""
    urls = app.conf.broker_producer
    return by_url(urls[0])(urls, app)


def new_producer(app: AppT) -> ProducerT:
    """The producer."""
    return app.producer_transport.create_producer(beacon=app.beacon)


def new_consumer(app: AppT) -> ConsumerT:
    """The consumer; rebalances go to the app's handlers."""
    return app.transport.create_consumer(
        callback=app.topics.on_message,
        on_partitions_revoked=app.on_partitions_revoked_handler,
        on_partitions_assigned=app.on_partitions_assigned_handler,
        beacon=app.beacon,
    )


def new_conductor(app: AppT) -> ConductorT:
    """The topic conductor (``app.topics``)."""
    return app.transport.create_conductor(beacon=app.beacon)


def new_table_manager(app: AppT) -> Any:
    """The table manager (``TableManager`` setting)."""
    return cast(Any, app.conf.TableManager)(app, beacon=app.beacon)


def new_web(app: AppT) -> Any:
    """The web server (``web`` setting)."""
    from ..web.drivers import by_url as web_by_url

    web_cls: Any = web_by_url(app.conf.web)
    return web_cls(app, beacon=app.beacon)


def new_cache(app: AppT) -> Any:
    """The cache backend (``cache`` setting)."""
    return symbol_by_name("faust.web.cache.backends:by_url")(app.conf.cache)(
        app, url=app.conf.cache
    )


def new_leader_assignor(app: AppT) -> Any:
    """The leader assignor (``LeaderAssignor`` setting)."""
    return cast(Any, app.conf.LeaderAssignor)(app, beacon=app.beacon)


def new_reply_consumer(app: AppT) -> Any:
    """The reply consumer of ``agent.ask()``."""
    from ..agents.replies import ReplyConsumer

    return ReplyConsumer(app, beacon=app.beacon)


def new_assignor(app: AppT) -> Any:
    """The partition assignor (``PartitionAssignor`` setting)."""
    return cast(Any, app.conf.PartitionAssignor)(
        app, replicas=app.conf.table_standby_replicas
    )


def new_router(app: AppT) -> Any:
    """The router of table keys (``Router`` setting)."""
    return cast(Any, app.conf.Router)(app)


def new_serializers(app: AppT) -> Any:
    """The serializer registry (``Serializers`` setting)."""
    conf = app.conf
    return cast(Any, conf.Serializers)(
        key_serializer=conf.key_serializer, value_serializer=conf.value_serializer
    )


def new_http_client(app: AppT) -> Any:
    """The HTTP client session (``HttpClient`` setting)."""
    return cast(Any, app.conf.HttpClient)()


def new_attachments(app: AppT) -> Any:
    """The messages held until their source offset is committed."""
    from .attachments import Attachments

    return Attachments(app)


def new_agent_manager(app: AppT) -> Any:
    """The agent manager (``app.agents``)."""
    from ..agents.manager import AgentManager

    return AgentManager(app)


def new_sensor_delegate(app: AppT) -> Any:
    """The sensor delegate (``app.sensors``)."""
    from ..sensors.base import SensorDelegate

    return SensorDelegate(app)
