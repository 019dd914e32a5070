"""``stream.combine(*nodes)`` and ``stream & other``: one stream, several sources.

Faust declares ``combine`` but only ever reads the first stream's channel, so
values sent to the others are lost. Here every source delivers into the queue
of the first stream's channel: the combined stream yields the events of all
of them in arrival order, acks each one as any stream does (so each topic's
offsets are committed as usual), and back-pressure applies to every source.

No task is started: each extra source is a subscription of its topic or
channel that fills the shared queue, registered with the TopicConductor (for
topics) or the channel. A stream that is combined stops feeding its own
queue (its buffered events move to the shared one), so nothing is left
waiting in a queue nobody reads. The subscriptions are removed when the
combined stream stops, and so are the streams it combines (with the
subscriptions ``app.stream()`` made for them); combining again from the
same queue (an agent that was restarted) reuses them instead of delivering
each event twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional
from weakref import WeakKeyDictionary

from ..exceptions import ImproperlyConfigured
from ..types import ChannelT, StreamT, TableT, TopicT
from ..utils.queues import EventQueue

__all__ = [
    "combine",
    "release_subscription",
    "stop_combined",
    "stream_label",
    "unsubscribe",
]

#: per shared queue: the root channel of each source feeding it -> its subscription
_FEEDS: WeakKeyDictionary[EventQueue[Any], dict[Any, ChannelT[Any]]] = (
    WeakKeyDictionary()
)


def combine(stream: Any, nodes: Iterable[Any]) -> StreamT[Any]:
    """A stream of the events of ``stream`` and of every node.

    Nodes are streams, topics or channels.

    Raises:
        ImproperlyConfigured: a node is a table or a plain iterable, or
            ``stream`` does not read from a topic or channel.
    """
    queue: Optional[EventQueue[Any]] = stream._queue()
    if queue is None:
        raise ImproperlyConfigured(
            f"Cannot combine {stream!r}: only streams over a topic or channel "
            "can be combined (use app.stream(topic) or app.stream(channel))"
        )
    nodes = list(nodes)
    feeds = _FEEDS.setdefault(queue, {})
    added: list[tuple[Any, ChannelT[Any]]] = []
    for node in nodes:
        if node is stream:
            continue
        source = _source_of(stream, node)
        root = _root(source)
        if root is _root(stream.channel) or root in feeds:
            continue  # already delivered into this queue
        subscription = _subscribe(stream.app, source, queue)
        feeds[root] = subscription
        added.append((root, subscription))
    combined = stream.clone(combined=[*stream.combined, *nodes])
    combined._detach.append(lambda: _unsubscribe(stream.app, queue, added))
    stream._next = combined
    return combined  # type: ignore[no-any-return]  # a Stream


def _source_of(stream: Any, node: Any) -> Any:
    if isinstance(node, TableT):
        raise ImproperlyConfigured(
            "A table cannot be combined with a stream: use stream.join(table) "
            "to enrich each event with the table's value"
        )
    if isinstance(node, StreamT):
        if node.app is not stream.app:
            raise ImproperlyConfigured("Cannot combine streams of different apps")
        return node.channel
    if isinstance(node, ChannelT):
        return node
    raise ImproperlyConfigured(
        f"Cannot combine a stream with {node!r}: give streams, topics or channels"
    )


def _root(channel: Any) -> Any:
    root = getattr(channel, "_root", None)
    return root if root is not None else channel


def _subscribe(app: Any, source: Any, queue: EventQueue[Any]) -> ChannelT[Any]:
    """Make ``source`` deliver into ``queue`` (and stop filling its own)."""
    if not isinstance(getattr(source, "queue", None), EventQueue):
        raise ImproperlyConfigured(
            f"Cannot combine a stream with {source!r}: not a topic or channel"
        )
    subscription = source.clone_using_queue(queue)
    if isinstance(source, TopicT):
        app.topics.add(subscription)
    if source.is_iterator:
        # a stream's own subscription: its buffered events move over, then
        # it no longer receives any (nobody iterates it any more)
        unsubscribe(app, source)
        for event in source.queue.drain_nowait(source.queue.qsize()):
            queue.put_nowait(event)
    return subscription  # type: ignore[no-any-return]  # a Channel


def unsubscribe(app: Any, subscription: Any) -> None:
    """Stop delivering to ``subscription`` (a topic's or a channel's clone)."""
    if isinstance(subscription, TopicT):
        app.topics.discard(subscription)
    else:
        _root(subscription)._subscribers.discard(subscription)


def _unsubscribe(
    app: Any, queue: EventQueue[Any], added: list[tuple[Any, ChannelT[Any]]]
) -> None:
    feeds = _FEEDS.get(queue, {})
    for root, subscription in added:
        if feeds.get(root) is subscription:
            del feeds[root]
        unsubscribe(app, subscription)
    added.clear()


def release_subscription(stream: Any) -> None:
    """Unsubscribe the channel ``app.stream()`` subscribed for ``stream``.

    Called when the stream stops, so nothing fills a queue nobody reads.
    Buffered events will not be processed: the consumer forgets them
    (uncommitted, read again by the next owner) instead of waiting for them.
    """
    unsubscribe(stream.app, stream.channel)
    queue = stream._queue()
    if queue is not None and queue.qsize():
        consumer = stream.app.consumer
        for item in queue.drain_nowait(queue.qsize()):
            message = getattr(item, "message", None)
            if message is not None:
                consumer.discard(message)


def stream_label(stream: Any) -> str:
    """``Stream: Topic: orders`` (as Faust); a combined stream names every source.

    Example: ``Stream: Topic: orders&Topic: refunds``.
    """
    channels: list[Any] = [stream.channel]
    for node in stream.combined:
        channel = node.channel if isinstance(node, StreamT) else node
        if all(channel is not c for c in channels):
            channels.append(channel)
    sources = "&".join(f"{type(c).__name__}: {c}" for c in channels)
    return f"{type(stream).__name__}: {sources}"


async def stop_combined(stream: Any) -> None:
    """Stop the streams ``stream`` combines (its own chain stops already)."""
    for node in stream.combined:
        if isinstance(node, StreamT) and not node.should_stop:
            await node.stop()
