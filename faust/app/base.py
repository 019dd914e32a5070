"""The App: the composition root of a faust application.

``App`` is a mode Service. Its children, built lazily by the ``_new_*``
factories and started in the order :class:`~faust.app.boot.BootStrategy`
gives, are: the sensors (Monitor), the Producer, the web server, the
Consumer (with its Fetcher), the LeaderAssignor, the ReplyConsumer, the
AgentManager (agents), the TopicConductor and the TableManager. Once tables
have recovered, ``on_started`` schedules the ``@app.task``/``timer``/
``crontab`` functions (futures of the app) and starts ``@app.service``
services.

Every public method is a thin facade; the work lives in ``boot``,
``rebalance``, ``decorators``, ``factories`` and the subsystems. The table
factories (``app.Table``...) come from the :class:`~.tables_api.TableFactories`
mixin and the decorators (``@app.agent``, ``task``, ``timer``, ``crontab``,
``service``, ``page``...) from :class:`~.decorating.AppDecorators`.

The app may run in a worker (``faust -A app worker``: logging and signal
handling by :class:`faust.Worker`) or embedded (``await app.start()`` in any
asyncio program: no signal handlers, no logging set-up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, NoReturn, Optional, Union, cast

from mode import Seconds, Service, ServiceT, Signal, SyncSignal
from mode.utils.imports import symbol_by_name
from mode.utils.queues import FlowControlEvent

from ..channels import Channel
from ..fixups import fixups
from ..types import (
    TP,
    AgentT,
    AppT,
    ChannelT,
    CodecArg,
    EventT,
    K,
    Message,
    MessageSentCallback,
    ModelArg,
    RecordMetadata,
    SchemaT,
    StreamT,
    TopicT,
    V,
)
from ..types.app import BootStrategyT
from ..types.core import HeadersArg
from ..types.settings import Settings as _Settings
from ..utils import tracing
from ..utils.queues import EventQueue
from . import configuration, factories, services
from .boot import BootStrategy
from .decorating import AppDecorators
from .decorators import (
    TaskEntry,
)
from .discovery import SCAN_CATEGORIES
from .lifecycle import Child, on_started, run_main, stop_processing
from .rebalance import Rebalancer
from .tables_api import TableFactories

__all__ = ["App"]

logger = logging.getLogger(__name__)


# Faust's App.task/timer/crontab shadow mode's Service class decorators.
class App(AppDecorators, TableFactories, Service, AppT):  # type: ignore[misc]
    """A faust application.

    Arguments:
        id: the application id: consumer group, topic prefix (required).
        monitor: the Monitor sensor to use (default: ``conf.Monitor()``).
        config_source: an object or module (or its dotted name) to read
            settings from.
        loop: event loop (default: the running one).
        beacon: mode beacon of the service tree.
        **options: settings (see :class:`faust.Settings`).

    Example:
        >>> app = faust.App('hello', broker='memory://')
        >>> topic = app.topic('greetings', value_type=str)
        >>> @app.agent(topic)
        ... async def greet(stream):
        ...     async for name in stream:
        ...         print(f'Hello {name}')
    """

    BootStrategy: ClassVar[type[BootStrategyT]] = BootStrategy
    #: the settings class ``conf`` is built from (a subclass may add settings)
    Settings: ClassVar[type[_Settings]] = _Settings
    #: kinds of objects ``discover()`` looks for
    SCAN_CATEGORIES: ClassVar[list[str]] = list(SCAN_CATEGORIES)

    client_only = False
    producer_only = False

    on_configured: SyncSignal[Any] = SyncSignal()
    on_before_configured: SyncSignal[Any] = SyncSignal()
    on_after_configured: SyncSignal[Any] = SyncSignal()
    on_partitions_assigned: Signal[set[TP]] = Signal()
    on_partitions_revoked: Signal[set[TP]] = Signal()
    on_rebalance_complete: Signal[Any] = Signal()
    on_before_shutdown: Signal[Any] = Signal()
    on_worker_init: SyncSignal[Any] = SyncSignal()
    on_produce_message: SyncSignal[Any] = SyncSignal()

    def __init__(
        self,
        id: str,
        *,
        monitor: Optional[Any] = None,
        config_source: Any = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        beacon: Optional[Any] = None,
        **options: Any,
    ) -> None:
        self._default_options = (id, options)
        self._config_source = config_source
        self._conf: Optional[_Settings] = None
        self.finalized = False
        self.configured = False
        self.rebalancing = False
        self.rebalancing_count = 0
        self.unassigned = False
        self.in_worker = False
        #: started with the consumer and agents (by ``faust worker`` or
        #: embedded with ``await app.start()``), not as a client
        self._processes_streams = False
        self.on_startup_finished = None
        self.consumer_generation_id = 0
        self.fixups = list(fixups(self))
        self.tracer = None
        self.livecheck = None
        self._event_cls: Any = None
        self._monitor = monitor
        self._app_tasks: list[TaskEntry] = []
        self._extra_services: list[type[ServiceT]] = []
        self._extra_service_instances: Optional[list[ServiceT]] = None
        self.web_server_service: Optional[Any] = None
        self._web_server_service_instance: Optional[ServiceT] = None
        self.pages: list[tuple[type, Optional[Mapping[str, Any]]]] = []
        self._flow_control = FlowControlEvent(initially_suspended=False)
        self._rebalancer = Rebalancer(self)
        self.boot_strategy = self.BootStrategy(self)
        self.agents = factories.new_agent_manager(self)
        self.sensors = factories.new_sensor_delegate(self)
        self._init_signals()
        self.on_rebalance_complete.connect(self._rebalancer.on_rebalance_complete)
        Service.__init__(self, loop=loop, beacon=cast(Any, beacon))

    def _init_signals(self) -> None:
        # per-app signals share receivers with the class-level ones, so
        # ``@faust.App.on_configured.connect`` reaches every app
        for name in (
            "on_configured",
            "on_before_configured",
            "on_after_configured",
            "on_partitions_assigned",
            "on_partitions_revoked",
            "on_rebalance_complete",
            "on_before_shutdown",
            "on_worker_init",
            "on_produce_message",
        ):
            setattr(self, name, getattr(type(self), name).with_default_sender(self))

    # -- Configuration -----------------------------------------------------

    @property
    def conf(self) -> _Settings:
        """The app's settings, built on first access."""
        if self._conf is None:
            error = None if self.finalized else configuration.strict_access_error()
            if error is not None:
                raise error
            self._configure()
        assert self._conf is not None
        return self._conf

    @conf.setter
    def conf(self, settings: _Settings) -> None:
        self._conf = settings

    def _configure(self) -> None:
        self.on_before_configured.send()
        app_id, options = self._default_options
        conf = configuration.load_settings(
            app_id, options, self._config_source, settings_cls=self.Settings
        )
        self.on_configured.send(conf)
        self._conf = conf
        self.configured = True
        self.on_after_configured.send()

    def config_from_object(
        self, obj: Any, *, silent: bool = False, force: bool = False
    ) -> None:
        """Read settings from an object, a module, or a module's dotted name."""
        self._config_source = obj
        if self.finalized or self.configured:
            configuration.warn_already_configured()
        if force or self.configured:
            self._conf = None
            try:
                self._configure()
            except (ImportError, AttributeError):
                if not silent:
                    raise

    def finalize(self) -> None:
        """Validate the configuration (done by ``main()`` and the CLI)."""
        if not self.finalized:
            self.finalized = True
            configuration.validate(self._default_options[0], self.conf)

    # -- Service tree ------------------------------------------------------

    def on_init_dependencies(self) -> Iterable[ServiceT]:
        """The children, in the order the boot strategy gives."""
        if self.client_only:
            return self.boot_strategy.client_only()
        if self.producer_only:
            return self.boot_strategy.producer_only()
        return self.boot_strategy.server()

    async def on_first_start(self) -> None:
        """Validate the configuration before anything starts."""
        self.finalize()
        self._processes_streams = not (self.client_only or self.producer_only)

    async def on_start(self) -> None:
        """Warn about debug mode."""
        if self.conf.debug:
            logger.warning(
                "!!! DEBUG is enabled -- disable for production environments"
            )

    async def on_started(self) -> None:
        """After tables recovered: start tasks, timers and extra services."""
        if not (self.client_only or self.producer_only):
            await on_started(self)

    async def on_started_init_extra_tasks(self) -> None:
        """Start the ``@app.task``/``timer``/``crontab`` functions."""
        services.start_tasks(self, self._app_tasks)

    async def on_started_init_extra_services(self) -> None:
        """Start the ``@app.service`` services (once)."""
        if self._extra_service_instances is None:
            self._extra_service_instances = [
                await self.on_init_extra_service(service)
                for service in self._extra_services
            ]

    async def on_started_init_web_server(self) -> None:
        """Start the ``@app.web_server`` service, if any (once)."""
        service = self.web_server_service
        if service is not None and self._web_server_service_instance is None:
            if self.boot_strategy.web_enabled():
                instance = await self.on_init_extra_service(service)
                self._web_server_service_instance = instance

    async def on_init_extra_service(
        self, service: Union[ServiceT, type[ServiceT]]
    ) -> ServiceT:
        """Start a user service (a class is instantiated) as a child of the app."""
        return await services.init_extra_service(self, service)

    async def on_stop(self) -> None:
        """Finish in-flight events and commit, then flush what was produced."""
        await stop_processing(self)
        await self.on_before_shutdown.send()
        await self.maybe_flush_producer()

    async def on_shutdown(self) -> None:
        """Close the HTTP client session if one was created."""
        client = self.__dict__.get("http_client")
        if client is not None and not getattr(client, "closed", True):
            await client.close()

    def service_reset(self) -> None:
        """Allow the app to be started again after it stopped."""
        super().service_reset()

    async def start_client(self) -> None:
        """Start only what an RPC client needs (producer, consumer)."""
        self.client_only = True
        await self.maybe_start()

    async def maybe_start_client(self) -> None:
        """Start as a client unless already started."""
        if not self._started.is_set():
            await self.start_client()

    async def maybe_start_producer(self) -> Any:
        """The producer, started if needed (with exactly-once: the transactions)."""
        producer = self.producer
        await producer.maybe_start()
        if self.in_transaction:
            return self.consumer.transactions
        return producer

    async def maybe_flush_producer(self) -> None:
        """Flush the producer if it exists and runs."""
        producer = self.__dict__.get("producer")
        if producer is not None and producer.started and not producer.should_stop:
            await producer.flush()

    def main(self) -> NoReturn:
        """Run the ``faust`` command line for this app (``python app.py worker``)."""
        run_main(self)

    def worker_init(self) -> None:
        """Prepare the app for running in a worker (fixups)."""
        for fixup in self.fixups:
            fixup.on_worker_init()

    def worker_init_post_autodiscover(self) -> None:
        """After autodiscovery: let web views register, send ``on_worker_init``."""
        self.on_worker_init.send()

    def discover(
        self,
        *extra_modules: str,
        categories: Optional[Iterable[str]] = None,
        ignore: Optional[Iterable[Any]] = None,
    ) -> None:
        """Import the modules listed in ``autodiscover`` (see :mod:`.discovery`)."""
        from .discovery import discover_modules

        discover_modules(self, extra_modules, categories=categories, ignore=ignore)

    # -- Factories of topics, channels, streams ----------------------------

    def topic(
        self,
        *topics: str,
        pattern: Optional[Any] = None,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        partitions: Optional[int] = None,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        replicas: Optional[int] = None,
        acks: bool = True,
        internal: bool = False,
        config: Optional[Mapping[str, Any]] = None,
        maxsize: Optional[int] = None,
        allow_empty: bool = False,
        has_prefix: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> TopicT[Any]:
        """Describe a topic (see :class:`faust.Topic`)."""
        return factories.new_topic(
            self,
            topics,
            pattern,
            schema=schema,
            key_type=key_type,
            value_type=value_type,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            partitions=partitions,
            retention=retention,
            compacting=compacting,
            deleting=deleting,
            replicas=replicas,
            acks=acks,
            internal=internal,
            config=config,
            maxsize=maxsize,
            allow_empty=allow_empty,
            has_prefix=has_prefix,
            loop=loop,
        )

    def channel(
        self,
        *,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        maxsize: Optional[int] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> ChannelT[Any]:
        """Create an in-memory channel."""
        return Channel(
            self,
            schema=schema,
            key_type=key_type,
            value_type=value_type,
            maxsize=maxsize,
            loop=loop,
        )

    def stream(
        self,
        channel: Union[AsyncIterable[Any], Iterable[Any]],
        beacon: Optional[Any] = None,
        **kwargs: Any,
    ) -> StreamT[Any]:
        """Create a stream over a channel, topic or any (async) iterable."""
        return factories.new_stream(self, channel, beacon, **kwargs)

    def create_event(
        self, key: K, value: V, headers: Optional[HeadersArg], message: Message
    ) -> EventT[Any]:
        """Create an event of the ``Event`` setting's class."""
        event_cls = self._event_cls
        if event_cls is None:
            event_cls = self._event_cls = self.conf.Event
        return cast(EventT[Any], event_cls(self, key, value, headers, message))

    def FlowControlQueue(
        self, maxsize: Optional[int] = None, *, clear_on_resume: bool = False
    ) -> EventQueue[Any]:
        """A queue that pauses with the app's flow control."""
        return EventQueue(
            maxsize, flow_control=self.flow_control, clear_on_resume=clear_on_resume
        )

    # -- Sending, committing, events ---------------------------------------

    async def send(
        self,
        channel: Union[ChannelT[Any], str],
        key: K = None,
        value: V = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        headers: Optional[HeadersArg] = None,
        schema: Optional[SchemaT] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        callback: Optional[MessageSentCallback] = None,
    ) -> Awaitable[RecordMetadata]:
        """Send a message to a channel or to the topic of that name."""
        chan = self.topic(channel) if isinstance(channel, str) else channel
        return await chan.send(
            key=key,
            value=value,
            partition=partition,
            timestamp=timestamp,
            headers=headers,
            schema=schema,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            callback=callback,
        )

    async def commit(self, topics: Any) -> bool:
        """Commit the acked offsets of ``topics`` (all partitions if None)."""
        return bool(await self.topics.commit(topics))

    def is_leader(self) -> bool:
        """True if this worker is the leader of the group."""
        return bool(self.leader_assignor.is_leader())

    async def on_agent_error(self, agent: AgentT[Any], exc: BaseException) -> None:
        """An agent failed: commit what was acked so far."""
        consumer = self.__dict__.get("consumer")
        if consumer is not None and consumer.started:
            await consumer.on_task_error(exc)

    def on_rebalance_start(self) -> None:
        """A rebalance started (partitions revoked): sensors are told."""
        self._rebalancer.on_rebalance_start()

    def on_rebalance_return(self) -> None:
        """The new assignment arrived: sensors are told."""
        self._rebalancer.on_rebalance_return()

    def on_rebalance_end(self) -> None:
        """Tables recovered after the rebalance: sensors are told."""
        self._rebalancer.on_rebalance_end()

    @property
    def in_recovery(self) -> bool:
        """True while tables replay their changelogs after a rebalance."""
        tables = self.__dict__.get("tables")
        return bool(tables is not None and tables.in_recovery)

    async def on_partitions_revoked_handler(self, revoked: set[TP]) -> None:
        """The consumer lost partitions (see :mod:`faust.app.rebalance`)."""
        await self._rebalancer.on_partitions_revoked(revoked)

    async def on_partitions_assigned_handler(
        self, assigned: set[TP], generation_id: int = 0
    ) -> None:
        """The consumer got partitions (see :mod:`faust.app.rebalance`)."""
        await self._rebalancer.on_partitions_assigned(assigned, generation_id)

    def trace(self, name: str, trace_enabled: bool = True, **extra_context: Any) -> Any:
        """A tracing span (a context manager too); no-op without ``app.tracer``."""
        if self.tracer is None or not trace_enabled:
            return tracing.noop_span()
        return self.tracer.trace(name=name, **extra_context)

    def traced(
        self,
        fun: Callable[..., Any],
        name: Optional[str] = None,
        sample_rate: float = 1.0,
        **context: Any,
    ) -> Any:
        """``fun`` wrapped so that ``sample_rate`` of its calls run in a span.

        See :func:`faust.utils.tracing.traced_function`.
        """
        return tracing.traced_function(
            self, fun, name=name, sample_rate=sample_rate, **context
        )

    def LiveCheck(self, **kwargs: Any) -> Any:
        """Create the LiveCheck app testing this app (:mod:`faust.livecheck`)."""
        return symbol_by_name("faust.livecheck:LiveCheck").for_app(self, **kwargs)

    def Worker(self, **kwargs: Any) -> Any:
        """Create a :class:`faust.Worker` for this app."""
        worker_cls = self.conf.Worker
        return worker_cls(self, **kwargs)

    # -- Children (lazily created, settable for tests) ---------------------

    transport = Child(factories.new_transport)
    producer_transport = Child(factories.new_producer_transport)
    producer = Child(factories.new_producer)
    consumer = Child(factories.new_consumer)
    topics = Child(factories.new_conductor)
    tables = Child(factories.new_table_manager)
    web = Child(factories.new_web)
    cache = Child(factories.new_cache)
    leader_assignor = Child(factories.new_leader_assignor)
    reply_consumer = Child(factories.new_reply_consumer)
    assignor = Child(factories.new_assignor)
    router = Child(factories.new_router)
    serializers = Child(factories.new_serializers)
    http_client = Child(factories.new_http_client)
    attachments = Child(factories.new_attachments)

    @property
    def monitor(self) -> Any:
        """The Monitor sensor (created from the ``Monitor`` setting)."""
        if self._monitor is None:
            self._monitor = cast(Any, self.conf.Monitor)()
            self.sensors.add(self._monitor)
        elif self._monitor not in list(self.sensors):
            self.sensors.add(self._monitor)
        return self._monitor

    @monitor.setter
    def monitor(self, monitor: Any) -> None:
        if self._monitor is not None:
            self.sensors.remove(self._monitor)
        self._monitor = monitor
        self.sensors.add(monitor)

    @property
    def flow_control(self) -> FlowControlEvent:
        """Pauses delivery into streams during rebalances."""
        return self._flow_control

    @property
    def in_transaction(self) -> bool:
        """True when streams are processed with ``processing_guarantee='exactly_once'``.

        In a ``faust worker`` and in an app embedded with ``await
        app.start()`` alike (Faust used transactions only in the former,
        so an embedded app silently ran at-least-once); never in a client
        (``faust send``, ``start_client()``), which processes no stream.
        """
        if not (self.in_worker or self._processes_streams):
            return False
        return self.conf.processing_guarantee.value == "exactly_once"

    def _repr_info(self) -> str:
        brokers = self.conf.broker if self._conf is not None else "<unconfigured>"
        return f"{self._default_options[0]}: {brokers} agents({len(self.agents)})"

    @property
    def label(self) -> str:
        """``App: <id>``."""
        return f"{type(self).__name__}: {self._default_options[0]}"

    @property
    def shortlabel(self) -> str:
        """Same as :attr:`label`."""
        return self.label
