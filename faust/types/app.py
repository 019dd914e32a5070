"""App interface: the composition root every component receives as ``app``."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
)
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Optional, TypeVar, Union

from mode import Seconds, ServiceT, Signal, SupervisorStrategyT, SyncSignal
from mode.utils.queues import FlowControlEvent

from ..utils.queues import EventQueue
from .agents import AgentFun, AgentManagerT, AgentT, ReplyConsumerT, SinkT
from .assignor import LeaderAssignorT, PartitionAssignorT
from .channels import ChannelT
from .codecs import CodecArg
from .core import HeadersArg, K, V
from .events import EventT
from .fixups import FixupT
from .models import ModelArg
from .router import RouterT
from .sensors import SensorDelegateT, SensorT
from .serializers import RegistryT, SchemaT
from .streams import StreamT
from .tables import GlobalTableT, TableManagerT, TableT
from .topics import TopicT
from .transports import ConductorT, ConsumerT, ProducerT, TransportT
from .tuples import TP, Message, MessageSentCallback, RecordMetadata
from .web import CacheBackendT, HttpClientT, PageArg, WebT

if TYPE_CHECKING:  # pragma: no cover
    from .settings import Settings

__all__ = ["AppT", "BootStrategyT", "TaskArg"]

_T = TypeVar("_T")

#: ``@app.task`` functions take no argument or the app.
TaskArg = Union[Callable[["AppT"], Awaitable[Any]], Callable[[], Awaitable[Any]]]


class BootStrategyT(abc.ABC):
    """Decides which services the app starts, and in which order."""

    enable_kafka: bool = True
    enable_kafka_consumer: Optional[bool] = None
    enable_kafka_producer: Optional[bool] = None
    enable_web: Optional[bool] = None
    enable_sensors: bool = True

    app: AppT

    @abc.abstractmethod
    def __init__(
        self,
        app: AppT,
        *,
        enable_web: Optional[bool] = None,
        enable_kafka: Optional[bool] = None,
        enable_kafka_producer: Optional[bool] = None,
        enable_kafka_consumer: Optional[bool] = None,
        enable_sensors: Optional[bool] = None,
    ) -> None: ...

    @abc.abstractmethod
    def server(self) -> Iterable[ServiceT]: ...

    @abc.abstractmethod
    def web_enabled(self) -> bool: ...

    @abc.abstractmethod
    def client_only(self) -> Iterable[ServiceT]: ...

    @abc.abstractmethod
    def producer_only(self) -> Iterable[ServiceT]: ...


class AppT(ServiceT):
    """A Faust application."""

    BootStrategy: ClassVar[type[BootStrategyT]]
    boot_strategy: BootStrategyT

    finalized: bool = False
    configured: bool = False
    rebalancing: bool = False
    rebalancing_count: int = 0
    unassigned: bool = False
    in_worker: bool = False
    on_startup_finished: Optional[Callable[[], Any]] = None
    client_only: bool
    producer_only: bool
    consumer_generation_id: int = 0

    agents: AgentManagerT
    sensors: SensorDelegateT
    #: messages held until their source offset is committed (faust.app.attachments)
    attachments: Any
    #: views of ``@app.page``, with their CORS options (added by the server)
    pages: list[tuple[type, Optional[Mapping[str, Any]]]]
    fixups: list[FixupT]
    tracer: Optional[Any] = None
    livecheck: Optional[Any] = None
    #: the ``@app.web_server`` service (or class), replacing faust.web
    web_server_service: Optional[Any] = None

    on_configured: SyncSignal[Any]
    on_before_configured: SyncSignal[Any]
    on_after_configured: SyncSignal[Any]
    on_partitions_assigned: Signal[set[TP]]
    on_partitions_revoked: Signal[set[TP]]
    on_rebalance_complete: Signal[Any]
    on_before_shutdown: Signal[Any]
    on_worker_init: SyncSignal[Any]
    on_produce_message: SyncSignal[Any]

    @abc.abstractmethod
    def config_from_object(
        self, obj: Any, *, silent: bool = False, force: bool = False
    ) -> None: ...

    @abc.abstractmethod
    def finalize(self) -> None: ...

    @abc.abstractmethod
    def main(self) -> NoReturn: ...

    @abc.abstractmethod
    def worker_init(self) -> None: ...

    @abc.abstractmethod
    def worker_init_post_autodiscover(self) -> None: ...

    @abc.abstractmethod
    def discover(
        self,
        *extra_modules: str,
        categories: Optional[Iterable[str]] = None,
        ignore: Iterable[Any] = (),
    ) -> None: ...

    @abc.abstractmethod
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
    ) -> TopicT[Any]: ...

    @abc.abstractmethod
    def channel(
        self,
        *,
        schema: Optional[SchemaT] = None,
        key_type: ModelArg = None,
        value_type: ModelArg = None,
        maxsize: Optional[int] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> ChannelT[Any]: ...

    @abc.abstractmethod
    def agent(
        self,
        channel: Union[str, ChannelT[Any], None] = None,
        *,
        name: Optional[str] = None,
        concurrency: int = 1,
        supervisor_strategy: Optional[type[SupervisorStrategyT]] = None,
        sink: Optional[Iterable[SinkT]] = None,
        isolated_partitions: bool = False,
        use_reply_headers: bool = True,
        **kwargs: Any,
    ) -> Callable[[AgentFun], AgentT[Any]]: ...

    @abc.abstractmethod
    def task(
        self,
        fun: Optional[TaskArg] = None,
        *,
        on_leader: bool = False,
        traced: bool = True,
    ) -> Any: ...

    @abc.abstractmethod
    def timer(
        self,
        interval: Seconds,
        on_leader: bool = False,
        traced: bool = True,
        name: Optional[str] = None,
        max_drift_correction: float = 0.1,
    ) -> Callable[..., Any]: ...

    @abc.abstractmethod
    def crontab(
        self,
        cron_format: str,
        *,
        timezone: Any = None,
        on_leader: bool = False,
        traced: bool = True,
    ) -> Callable[..., Any]: ...

    @abc.abstractmethod
    def service(self, cls: type[ServiceT]) -> type[ServiceT]: ...

    @abc.abstractmethod
    def stream(
        self,
        channel: Union[AsyncIterable[Any], Iterable[Any]],
        beacon: Optional[Any] = None,
        **kwargs: Any,
    ) -> StreamT[Any]: ...

    @abc.abstractmethod
    def Table(
        self,
        name: str,
        *,
        default: Optional[Callable[[], Any]] = None,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        help: Optional[str] = None,
        **kwargs: Any,
    ) -> TableT: ...

    @abc.abstractmethod
    def GlobalTable(
        self,
        name: str,
        *,
        default: Optional[Callable[[], Any]] = None,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        help: Optional[str] = None,
        synchronize_all_active_partitions: bool = False,
        **kwargs: Any,
    ) -> GlobalTableT: ...

    @abc.abstractmethod
    def SetTable(
        self,
        name: str,
        *,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        start_manager: bool = False,
        help: Optional[str] = None,
        **kwargs: Any,
    ) -> TableT: ...

    @abc.abstractmethod
    def SetGlobalTable(
        self,
        name: str,
        *,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        start_manager: bool = False,
        help: Optional[str] = None,
        **kwargs: Any,
    ) -> TableT: ...

    @abc.abstractmethod
    def page(
        self,
        path: str,
        *,
        base: Optional[type] = None,
        cors_options: Optional[Mapping[str, Any]] = None,
        name: Optional[str] = None,
    ) -> Callable[[PageArg], Any]: ...

    @abc.abstractmethod
    def table_route(
        self,
        table: Any,
        shard_param: Optional[str] = None,
        *,
        query_param: Optional[str] = None,
        match_info: Optional[str] = None,
        exact_key: Optional[Any] = None,
    ) -> Callable[[Any], Any]: ...

    @abc.abstractmethod
    def topic_route(
        self,
        topic: Any,
        shard_param: Optional[str] = None,
        *,
        query_param: Optional[str] = None,
        match_info: Optional[str] = None,
        exact_key: Optional[Any] = None,
    ) -> Callable[[Any], Any]: ...

    @abc.abstractmethod
    def command(
        self, *options: Any, base: Optional[type] = None, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Any]: ...

    @abc.abstractmethod
    def web_server(self, service: Any) -> Any: ...

    @abc.abstractmethod
    def on_rebalance_start(self) -> None: ...

    @abc.abstractmethod
    def on_rebalance_return(self) -> None: ...

    @abc.abstractmethod
    def on_rebalance_end(self) -> None: ...

    @property
    @abc.abstractmethod
    def in_recovery(self) -> bool: ...

    @abc.abstractmethod
    async def on_started_init_extra_tasks(self) -> None: ...

    @abc.abstractmethod
    async def on_started_init_extra_services(self) -> None: ...

    @abc.abstractmethod
    async def on_started_init_web_server(self) -> None: ...

    @abc.abstractmethod
    async def on_init_extra_service(
        self, service: Union[ServiceT, type[ServiceT]]
    ) -> ServiceT: ...

    @abc.abstractmethod
    def trace(
        self, name: str, trace_enabled: bool = True, **extra_context: Any
    ) -> Any: ...

    @abc.abstractmethod
    async def start_client(self) -> None: ...

    @abc.abstractmethod
    async def maybe_start_client(self) -> None: ...

    @abc.abstractmethod
    async def maybe_start_producer(self) -> ProducerT: ...

    @abc.abstractmethod
    async def maybe_flush_producer(self) -> None: ...

    @abc.abstractmethod
    def is_leader(self) -> bool: ...

    @abc.abstractmethod
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
    ) -> Awaitable[RecordMetadata]: ...

    @abc.abstractmethod
    async def commit(self, topics: Any) -> bool: ...

    @abc.abstractmethod
    async def on_partitions_revoked_handler(self, revoked: set[TP]) -> None: ...

    @abc.abstractmethod
    async def on_partitions_assigned_handler(
        self, assigned: set[TP], generation_id: int = 0
    ) -> None: ...

    @abc.abstractmethod
    async def on_agent_error(self, agent: AgentT[Any], exc: BaseException) -> None: ...

    @abc.abstractmethod
    def create_event(
        self,
        key: K,
        value: V,
        headers: Optional[HeadersArg],
        message: Message,
    ) -> EventT[Any]: ...

    @abc.abstractmethod
    def FlowControlQueue(
        self,
        maxsize: Optional[int] = None,
        *,
        clear_on_resume: bool = False,
    ) -> EventQueue[Any]: ...

    @abc.abstractmethod
    def Worker(self, **kwargs: Any) -> Any: ...

    @abc.abstractmethod
    def on_webserver_init(self, web: WebT) -> None: ...

    @abc.abstractmethod
    def itertimer(
        self,
        interval: Seconds,
        *,
        max_drift_correction: float = 0.1,
        sleep: Optional[Callable[..., Awaitable[Any]]] = None,
        clock: Callable[[], float] = ...,
        name: str = "",
    ) -> AsyncIterator[float]: ...

    @abc.abstractmethod
    async def sleep(self, n: Seconds) -> None: ...

    @abc.abstractmethod
    def add_future(self, coro: Awaitable[Any]) -> asyncio.Future[Any]: ...

    @property
    @abc.abstractmethod
    def conf(self) -> Settings: ...

    @conf.setter
    def conf(self, settings: Settings) -> None: ...

    @property
    @abc.abstractmethod
    def transport(self) -> TransportT: ...

    @transport.setter
    def transport(self, transport: TransportT) -> None: ...

    @property
    @abc.abstractmethod
    def producer_transport(self) -> TransportT: ...

    @producer_transport.setter
    def producer_transport(self, transport: TransportT) -> None: ...

    @property
    @abc.abstractmethod
    def cache(self) -> CacheBackendT: ...

    @cache.setter
    def cache(self, cache: CacheBackendT) -> None: ...

    @property
    @abc.abstractmethod
    def producer(self) -> ProducerT: ...

    @producer.setter
    def producer(self, producer: ProducerT) -> None: ...

    @property
    @abc.abstractmethod
    def consumer(self) -> ConsumerT: ...

    @consumer.setter
    def consumer(self, consumer: ConsumerT) -> None: ...

    @property
    @abc.abstractmethod
    def tables(self) -> TableManagerT: ...

    @tables.setter
    def tables(self, tables: TableManagerT) -> None: ...

    @property
    @abc.abstractmethod
    def topics(self) -> ConductorT: ...

    @topics.setter
    def topics(self, topics: ConductorT) -> None: ...

    @property
    @abc.abstractmethod
    def monitor(self) -> SensorT: ...

    @monitor.setter
    def monitor(self, value: SensorT) -> None: ...

    @property
    @abc.abstractmethod
    def flow_control(self) -> FlowControlEvent: ...

    @property
    @abc.abstractmethod
    def http_client(self) -> HttpClientT: ...

    @http_client.setter
    def http_client(self, client: HttpClientT) -> None: ...

    @property
    @abc.abstractmethod
    def assignor(self) -> PartitionAssignorT: ...

    @assignor.setter
    def assignor(self, assignor: PartitionAssignorT) -> None: ...

    @property
    @abc.abstractmethod
    def leader_assignor(self) -> LeaderAssignorT: ...

    @property
    @abc.abstractmethod
    def reply_consumer(self) -> ReplyConsumerT: ...

    @property
    @abc.abstractmethod
    def router(self) -> RouterT: ...

    @router.setter
    def router(self, router: RouterT) -> None: ...

    @property
    @abc.abstractmethod
    def serializers(self) -> RegistryT: ...

    @property
    @abc.abstractmethod
    def web(self) -> WebT: ...

    @property
    @abc.abstractmethod
    def in_transaction(self) -> bool: ...
