"""Interfaces (abstract base classes), type aliases and value tuples.

Implementations import these, never each other; see ``docs/devguide``.
"""

from __future__ import annotations

from mode import ServiceT

from .agents import AgentFun, AgentManagerT, AgentT, SinkT
from .app import AppT, BootStrategyT, TaskArg
from .assignor import LeaderAssignorT, PartitionAssignorT
from .channels import ChannelT
from .codecs import CodecArg, CodecT
from .core import HeadersArg, K, OpenHeadersArg, V
from .enums import ProcessingGuarantee
from .events import EventT
from .fixups import FixupT
from .joins import JoinT
from .models import FieldDescriptorT, ModelArg, ModelOptions, ModelT
from .router import RouterT
from .sensors import SensorDelegateT, SensorT
from .serializers import RegistryT, SchemaT
from .stores import StoreT
from .streams import JoinableT, Processor, StreamT
from .tables import CollectionT, GlobalTableT, TableManagerT, TableT
from .topics import TopicT
from .transports import (
    ConductorT,
    ConsumerCallback,
    ConsumerT,
    ProducerT,
    SchedulingStrategyT,
    TransactionManagerT,
    TransportT,
)
from .tuples import (
    TP,
    ConsumerMessage,
    FutureMessage,
    Message,
    MessageSentCallback,
    PendingMessage,
    RecordMetadata,
)
from .web import WebT
from .windows import WindowRange, WindowT

__all__ = [
    "AgentFun",
    "AgentManagerT",
    "AgentT",
    "AppT",
    "BootStrategyT",
    "ChannelT",
    "CodecArg",
    "CodecT",
    "CollectionT",
    "ConductorT",
    "ConsumerCallback",
    "ConsumerMessage",
    "ConsumerT",
    "EventT",
    "FieldDescriptorT",
    "FixupT",
    "FutureMessage",
    "GlobalTableT",
    "HeadersArg",
    "JoinT",
    "JoinableT",
    "K",
    "LeaderAssignorT",
    "Message",
    "MessageSentCallback",
    "ModelArg",
    "ModelOptions",
    "ModelT",
    "OpenHeadersArg",
    "PartitionAssignorT",
    "PendingMessage",
    "ProcessingGuarantee",
    "Processor",
    "ProducerT",
    "RecordMetadata",
    "RegistryT",
    "RouterT",
    "SchedulingStrategyT",
    "SchemaT",
    "SensorDelegateT",
    "SensorT",
    "ServiceT",
    "SinkT",
    "StoreT",
    "StreamT",
    "TP",
    "TableManagerT",
    "TableT",
    "TaskArg",
    "TopicT",
    "TransactionManagerT",
    "TransportT",
    "V",
    "WebT",
    "WindowRange",
    "WindowT",
]
