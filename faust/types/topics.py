"""Topic interface: a channel backed by one or more Kafka topics."""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping, Sequence
from re import Pattern
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union

from mode.utils.times import Seconds

from .channels import ChannelT
from .codecs import CodecArg

if TYPE_CHECKING:  # pragma: no cover
    from .models import ModelArg
    from .serializers import SchemaT

__all__ = ["TopicT"]

T = TypeVar("T")


class TopicT(ChannelT[T]):
    """A topic description: names (or a pattern) plus how to create them."""

    topics: Sequence[str]
    pattern: Optional[Pattern[str]]
    retention: Optional[Seconds]
    compacting: Optional[bool]
    deleting: Optional[bool]
    replicas: Optional[int]
    config: Optional[Mapping[str, Any]]
    acks: bool
    internal: bool
    has_prefix: bool

    @property
    @abc.abstractmethod
    def partitions(self) -> Optional[int]: ...

    @partitions.setter
    def partitions(self, partitions: Optional[int]) -> None: ...

    @abc.abstractmethod
    def derive_topic(
        self,
        *,
        topics: Optional[Sequence[str]] = None,
        schema: Optional[SchemaT] = None,
        key_type: Optional[ModelArg] = None,
        value_type: Optional[ModelArg] = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        partitions: Optional[int] = None,
        retention: Optional[Seconds] = None,
        compacting: Optional[bool] = None,
        deleting: Optional[bool] = None,
        internal: bool = False,
        config: Optional[Mapping[str, Any]] = None,
        prefix: str = "",
        suffix: str = "",
        **kwargs: Any,
    ) -> TopicT[T]: ...


#: A regex pattern given as string or compiled.
PatternArg = Union[str, re.Pattern[str]]
