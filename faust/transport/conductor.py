"""The TopicConductor (``app.topics``): routes messages to subscribed streams.

Data flow: every ``aiter(topic)`` registers the subscription here; the
conductor subscribes the consumer to the union of topic names (declaring the
app's internal topics first). For every fetched message it decodes the key
and value once per distinct schema, makes one event per subscribed channel
and puts it in that channel's queue, incrementing the message's reference
count by the number of channels, so the message is acked only when every
stream is done with it.

A message that cannot be decoded is logged with its topic, partition and
offset and acked (skipped): a poison message never stalls a partition or
kills an agent. Channels may override ``on_key_decode_error`` /
``on_value_decode_error`` to do something else (e.g. raise in the stream).

Owner: the app. Children: none. Tasks: ``_subscriber``, which re-subscribes
the consumer when subscriptions change.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import Any, Optional, cast

from mode import Service

from ..exceptions import KeyDecodeError, ValueDecodeError
from ..serializers.schemas import with_origin
from ..types import TP, AppT, ChannelT, ConductorT, Message, TopicT
from ..types.transports import TPorTopicSet

__all__ = ["Conductor", "TopicConductor"]

logger = logging.getLogger(__name__)

Handler = Callable[[Message], Awaitable[None]]


class Conductor(ConductorT, Service):
    """Manages the topic subscriptions of the app.

    Arguments:
        app: the app.
    """

    logger = logger

    def __init__(self, app: AppT, **kwargs: Any) -> None:
        self.app = app
        self._topics: set[TopicT[Any]] = set()
        self._topic_name_index: dict[str, set[TopicT[Any]]] = defaultdict(set)
        self._pattern_topics: set[TopicT[Any]] = set()
        self._handlers: dict[str, Handler] = {}
        self.acking_topics = set()
        self._subscription_changed: Optional[asyncio.Event] = None
        self._subscription_done: Optional[asyncio.Event] = None
        self._subscribed_names: Optional[frozenset[str]] = None
        Service.__init__(self, **kwargs)

    # -- MutableSet --------------------------------------------------------

    def __contains__(self, value: object) -> bool:
        return value in self._topics

    def __iter__(self) -> Iterator[TopicT[Any]]:
        return iter(self._topics)

    def __len__(self) -> int:
        return len(self._topics)

    def __hash__(self) -> int:
        return object.__hash__(self)

    def add(self, value: TopicT[Any]) -> None:
        """Register a topic subscription (an iterator clone of a topic)."""
        if value not in self._topics:
            self._topics.add(value)
            self._on_changed()

    def discard(self, value: TopicT[Any]) -> None:
        """Remove a topic subscription."""
        if value in self._topics:
            self._topics.discard(value)
            self._on_changed()

    def _on_changed(self) -> None:
        self._update_indices()
        if self._subscription_changed is not None:
            self._subscription_changed.set()

    def _update_indices(self) -> None:
        index: dict[str, set[TopicT[Any]]] = defaultdict(set)
        patterns = set()
        for topic in self._topics:
            if topic.pattern is not None:
                patterns.add(topic)
            for name in topic.topics:
                index[name].add(topic)
        self._pattern_topics = patterns
        self._topic_name_index = index
        self.acking_topics = {
            name for name, topics in index.items() if any(t.acks for t in topics)
        }
        self._handlers.clear()

    def acks_enabled_for(self, topic: str) -> bool:
        """True if offsets of ``topic`` are tracked and committed."""
        return topic in self.acking_topics

    def subscriptions_for(self, topic: str) -> set[ChannelT[Any]]:
        """The channels that receive messages of ``topic``."""
        return cast(set[ChannelT[Any]], self._topic_name_index.get(topic, set()))

    def topic_names(self) -> frozenset[str]:
        """Names the consumer is (or will be) subscribed to."""
        return frozenset(self._topic_name_index)

    # -- Subscribing -------------------------------------------------------

    async def on_start(self) -> None:
        """Subscribe the consumer to what is registered so far."""
        self._subscription_changed = asyncio.Event()
        self._subscription_done = asyncio.Event()
        # table changelogs join the first subscription (co-partitioned with
        # the topics that write them)
        await self.app.tables.wait_until_tables_registered()
        await self._settle()
        await self._update_subscription()

    async def _settle(self, max_turns: int = 8) -> None:
        """Let agents that just started register their streams first.

        An agent's body runs in its actor's task: a ``group_by`` or
        ``through`` in it subscribes to a new topic a loop turn or two after
        the agent started. Subscribing before that would make the group
        rebalance again right away (seconds with a real broker), so the
        first subscription waits until a loop turn passes without a new
        topic (at most ``max_turns`` turns, no timer).
        """
        names = self.topic_names()
        quiet = 0
        for _ in range(max_turns):
            await asyncio.sleep(0)
            current = self.topic_names()
            if current == names:
                quiet += 1
                if quiet >= 2:
                    return
            else:
                names, quiet = current, 0

    @Service.task
    async def _subscriber(self) -> None:
        changed = self._subscription_changed
        assert changed is not None
        while not self.should_stop:
            await self.wait_for_stopped(changed.wait())
            if self.should_stop:
                break
            changed.clear()
            await self._update_subscription()

    async def _update_subscription(self) -> None:
        names = self.topic_names()
        if names != self._subscribed_names:
            await self._declare_internal_topics()
            await self.app.consumer.subscribe(sorted(names))
            self._subscribed_names = names
        assert self._subscription_done is not None
        self._subscription_done.set()

    async def _declare_internal_topics(self) -> None:
        declared: set[tuple[str, ...]] = set()
        for topic in list(self._topics):
            key = tuple(topic.topics)
            if topic.internal and key not in declared:
                declared.add(key)
                await topic.maybe_declare()

    async def wait_for_subscriptions(self) -> None:
        """Wait until the consumer is subscribed to the registered topics."""
        if self._subscription_done is None:
            return
        await self._subscription_done.wait()

    async def maybe_wait_for_subscriptions(self) -> None:
        """Same as :meth:`wait_for_subscriptions` (kept for compatibility)."""
        await self.wait_for_subscriptions()

    async def on_partitions_assigned(self, assigned: set[TP]) -> None:
        """Route newly assigned topics that match pattern subscriptions."""
        if not self._pattern_topics:
            return
        changed = False
        for tp in assigned:
            for topic in self._pattern_topics:
                pattern = topic.pattern
                if pattern is not None and pattern.match(tp.topic):
                    if topic not in self._topic_name_index[tp.topic]:
                        self._topic_name_index[tp.topic].add(topic)
                        changed = True
                        if topic.acks:
                            self.acking_topics.add(tp.topic)
        if changed:
            self._handlers.clear()

    async def commit(self, topics: TPorTopicSet) -> bool:
        """Commit the acked offsets of ``topics``."""
        return await self.app.consumer.commit(topics)

    def clear_buffers(self) -> int:
        """Drop events waiting in stream buffers (at a rebalance).

        The dropped messages are discarded by the consumer: their offsets
        stay uncommitted, so whoever owns the partition next reads them again.
        """
        consumer = self.app.consumer
        dropped = 0
        for topic in self._topics:
            queue = topic.queue
            while not queue.empty():
                event = queue.get_nowait()
                consumer.discard(event.message)
                dropped += 1
        return dropped

    # -- Delivery ----------------------------------------------------------

    async def on_message(self, message: Message) -> None:
        """Deliver a fetched message to every channel subscribed to its topic."""
        handler = self._handlers.get(message.topic)
        if handler is None:
            handler = self._handlers[message.topic] = self._build_handler(message.topic)
        await handler(message)

    async def on_messages(self, messages: list[Message]) -> None:
        """Deliver a fetched batch, in order (the fetcher's per-batch path).

        Consecutive messages of one topic go to its handler in one call.
        The consumer interleaves partitions (round robin), so a batch of
        several topics alternates between them every few messages: when
        no two of those topics feed the same stream queue, each topic's
        messages go in one call instead, which changes no queue's order.
        """
        handlers = self._handlers
        by_topic: dict[str, list[Message]] = {}
        last = ""
        run: list[Message] = []
        switches = 0
        for message in messages:
            topic = message.topic
            if topic != last:
                switches += 1
                last = topic
                run = by_topic.get(topic) or by_topic.setdefault(topic, [])
            run.append(message)
        batches: list[tuple[str, list[Message]]]
        if len(by_topic) == 1:
            batches = [(last, messages)]
        elif switches != len(by_topic) and _share_queues(self, by_topic):
            batches = _runs(messages)  # in the order fetched
        else:  # (one run per topic already, or no queue shared)
            batches = list(by_topic.items())
        for topic, batch in batches:
            handler = handlers.get(topic)
            if handler is None:
                handler = handlers[topic] = self._build_handler(topic)
            many = getattr(handler, "many", None)
            if many is not None:
                await many(batch)
            else:
                for message in batch:
                    await handler(message)

    def _build_handler(self, topic: str) -> Handler:
        channels = list(self._topic_name_index.get(topic, ()))
        if any(chan.active_partitions is not None for chan in channels):
            # some subscriptions read only some partitions (isolated partitions)
            return _PartitionRouter(self, channels)
        return self._delivery_to(channels)

    def _delivery_to(self, channels: list[TopicT[Any]]) -> Handler:
        if not channels:
            return self._unsubscribed_handler
        groups: dict[Any, list[TopicT[Any]]] = defaultdict(list)
        for chan in channels:
            schema = chan.schema
            groups[
                (
                    schema.key_type,
                    schema.value_type,
                    schema.key_serializer,
                    schema.value_serializer,
                    schema.allow_empty,
                )
            ].append(chan)
        return _Delivery(
            self.app, [(chans[0].schema, chans) for chans in groups.values()]
        )

    async def _unsubscribed_handler(self, message: Message) -> None:
        # nobody reads this topic any more: let its offset be committed
        if message.tracked:
            self.app.consumer.ack(message)

    def _repr_info(self) -> str:
        return f"topics={len(self._topics)}"


class _PartitionRouter:
    """Delivers each partition of a topic to the channels that read it."""

    __slots__ = ("conductor", "channels", "by_partition")

    def __init__(self, conductor: Conductor, channels: list[TopicT[Any]]) -> None:
        self.conductor = conductor
        self.channels = channels
        self.by_partition: dict[int, Handler] = {}

    async def __call__(self, message: Message) -> None:
        handler = self.by_partition.get(message.partition)
        if handler is None:
            tp = message.tp
            readers = [
                chan
                for chan in self.channels
                if chan.active_partitions is None or tp in chan.active_partitions
            ]
            handler = self.by_partition[message.partition] = (
                self.conductor._delivery_to(readers)
            )
        await handler(message)


def _share_queues(conductor: Conductor, by_topic: dict[str, list[Message]]) -> bool:
    """True unless every topic's handler fills stream queues of its own.

    Handlers without ``queue_ids`` (routing by partition, unsubscribed
    topics) count as sharing: their messages keep the fetched order.
    """
    handlers = conductor._handlers
    seen: set[int] = set()
    for topic in by_topic:
        handler = handlers.get(topic)
        if handler is None:
            handler = handlers[topic] = conductor._build_handler(topic)
        queues = getattr(handler, "queue_ids", None)
        if queues is None or not seen.isdisjoint(queues):
            return True
        seen.update(queues)
    return False


def _runs(messages: list[Message]) -> list[tuple[str, list[Message]]]:
    """The batch as runs of consecutive messages of one topic."""
    runs: list[tuple[str, list[Message]]] = []
    start = 0
    total = len(messages)
    while start < total:
        topic = messages[start].topic
        end = start + 1
        while end < total and messages[end].topic == topic:
            end += 1
        runs.append((topic, messages[start:end]))
        start = end
    return runs


def _message_in_hook(sensors: Any) -> Callable[[TP, int, Message], None]:
    # one sensor (the Monitor): call it directly, not through the delegate
    hooks = getattr(sensors, "message_hooks", None)
    if hooks is not None:
        return cast("Callable[[TP, int, Message], None]", hooks())
    return cast("Callable[[TP, int, Message], None]", sensors.on_message_in)


def _event_factory(app: AppT) -> Callable[..., Any]:
    # App.create_event builds ``conf.Event(app, ...)``: unless an app class
    # overrides it, build the events here without that extra call
    create = type(app).create_event
    if getattr(create, "__qualname__", "") == "App.create_event" and (
        getattr(create, "__module__", "") == "faust.app.base"
    ):
        return partial(app.conf.Event, app)
    return app.create_event


def _loaders(schema: Any, app: AppT) -> tuple[Any, bool]:
    # (the schema's loaders or None, whether raw key bytes pass unchanged)
    make = getattr(schema, "data_loaders", None)
    loaders = make(app) if make is not None else None
    raw = loaders is not None and getattr(loaders[0], "passthrough", False)
    return loaders, bool(raw)


class _Delivery:
    """Delivers messages of one topic to its subscribed channels.

    :meth:`many` is the per-batch path: one coroutine for a whole fetched
    batch, awaiting only when flow control is suspended or a queue is full.
    """

    __slots__ = (
        "app",
        "groups",
        "n",
        "consumer",
        "flow",
        "sensors",
        "create_event",
        "targets",
        "buffer",
        "queue_ids",
        "_version",
        "_on_message_in",
        "_create_event",
    )

    def __init__(self, app: AppT, groups: list[tuple[Any, list[TopicT[Any]]]]) -> None:
        self.app = app
        self.groups = groups
        self.n = sum(len(chans) for _, chans in groups)
        self.consumer = app.consumer
        self.flow = app.flow_control
        self.sensors = app.sensors
        self.create_event = app.create_event
        self.buffer = app.producer.buffer
        # (schema, channels, their queues, decoders): a channel's queue
        # never changes, and the decoders are made for the schema as it is
        # (the handler is rebuilt when subscriptions change)
        self.targets = [
            (schema, chans, [chan.queue for chan in chans], *_loaders(schema, app))
            for schema, chans in groups
        ]
        #: the stream queues this handler fills (see on_messages)
        self.queue_ids = frozenset(
            id(queue) for _, _, queues, _, _ in self.targets for queue in queues
        )
        self._version: Optional[int] = None
        self._on_message_in: Any = None
        self._create_event: Any = None

    def _hooks(self) -> tuple[Any, Any]:
        # looked up again only when the app's sensors change (a sensor set
        # without a version is asked every time)
        version = getattr(self.sensors, "version", None)
        if version is None or version != self._version:
            self._on_message_in = _message_in_hook(self.sensors)
            self._create_event = _event_factory(self.app)
            self._version = version
        return self._on_message_in, self._create_event

    async def __call__(self, message: Message) -> None:
        await self.many((message,))

    async def many(self, messages: Sequence[Message]) -> None:  # noqa: C901  # one frame on purpose
        """Deliver messages (of this handler's topic), in order.

        Flow control and the consumer generation can only change while this
        coroutine waits, so they are read again only after an ``await``.
        When flow control is suspended (a rebalance or the app stopping),
        the message at hand and the rest of the batch are discarded, not
        delivered later: the stream buffers were cleared meanwhile, so a
        later delivery would reach the agent out of order, and nothing
        waits for a discarded message (its offset stays uncommitted).
        """
        app = self.app
        flow = self.flow
        consumer = self.consumer
        sensors = self.sensors
        on_message_in, create_event = self._hooks()
        n = self.n
        targets = self.targets
        buffer = self.buffer
        check = True
        current = app.consumer_generation_id
        for index, message in enumerate(messages):
            if check:
                if buffer.size > buffer.max_messages:
                    # streams write send_soon() output (changelogs) faster
                    # than it leaves: publish some before taking more in
                    await buffer.wait_until_ebb()
                if not flow.is_active():
                    self._discard(messages, index)
                    return
                current = app.consumer_generation_id
                check = False
            generation = message.generation_id
            if generation is not None and generation != current:
                consumer.discard(message)  # stale: fetched before a rebalance
                continue
            on_message_in(message.tp, message.offset, message)
            message.refcount += n
            for schema, chans, queues, loaders, raw_keys in targets:
                try:
                    if loaders is not None:
                        key = message.key
                        if not raw_keys or key.__class__ is not bytes:
                            key = loaders[0](key)  # (raw bytes pass as they are)
                        value = loaders[1](message.value)
                    else:
                        key = schema.loads_key(app, message)
                        value = schema.loads_value(app, message)
                except (KeyDecodeError, ValueDecodeError) as exc:
                    await self._on_decode_error(
                        with_origin(exc, message), message, chans
                    )
                    check = True
                    continue
                headers = message.headers
                for queue in queues:
                    event = create_event(key, value, headers, message)
                    if not queue.offer(event):
                        sensors.on_topic_buffer_full(message.tp)
                        await queue.wait_for_room()
                        if not flow.is_active() or (
                            app.consumer_generation_id != current
                        ):
                            # cleared while we waited: this event and the
                            # rest of the batch must not arrive after that
                            self._discard(messages, index)
                            return
                        queue.put_nowait(event)
                        check = True

    def _discard(self, messages: Sequence[Message], start: int) -> None:
        discard = self.consumer.discard
        for i in range(start, len(messages)):
            discard(messages[i])

    async def _on_decode_error(
        self, exc: Exception, message: Message, chans: list[TopicT[Any]]
    ) -> None:
        for chan in chans:
            if isinstance(exc, KeyDecodeError):
                await chan.on_key_decode_error(exc, message)
            else:
                await chan.on_value_decode_error(exc, message)
        # the channels had their say: release their references on the message
        message.ack(self.consumer, n=len(chans))


TopicConductor = Conductor
