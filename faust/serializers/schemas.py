"""Schema: the key/value types and codecs of a topic, and its decoder.

A topic (or channel) holds one :class:`Schema`.  When the topic is
subscribed, :meth:`Schema.compile` returns the ``decode(message)``
coroutine the conductor calls for every message fetched: it decodes key
and value through ``app.serializers`` and wraps them in an event
(``app.create_event``).  Producing goes the other way through
:meth:`Schema.dumps_key`/:meth:`Schema.dumps_value`, which also let a
subclass add headers (e.g. a content type) to outgoing messages.

Example:
    A schema that picks the value type from a Kafka header::

        class Autodetect(faust.Schema):
            def loads_value(self, app, message, *, loads=None, serializer=None):
                if dict(message.headers or ()).get("type") == b"order":
                    return Order.loads(message.value)
                return super().loads_value(app, message, loads=loads,
                                           serializer=serializer)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from faust.exceptions import DecodeError, KeyDecodeError, ValueDecodeError
from faust.types.codecs import CodecArg
from faust.types.core import K, OpenHeadersArg, V
from faust.types.models import ModelArg
from faust.types.serializers import KT, VT, SchemaT
from faust.types.tuples import Message

from .codecs import warn_if_unsafe_pickle

if TYPE_CHECKING:  # pragma: no cover
    from faust.types.app import AppT
    from faust.types.events import EventT

__all__ = ["Schema", "DecodeFunction", "OnDecodeErrorFun", "with_origin"]

#: ``decode(message, *, propagate=...)`` as returned by :meth:`Schema.compile`.
DecodeFunction = Callable[..., Awaitable[Any]]
#: Called with the error and the message when a key or value cannot be decoded.
OnDecodeErrorFun = Callable[[Exception, Message], Awaitable[None]]


async def _noop_decode_error(exc: Exception, message: Message) -> None:
    """Default decode-error handler: do nothing (the event is dropped)."""


def _model_serializer(typ: Any) -> CodecArg:
    options = getattr(typ, "_options", None)
    return getattr(options, "serializer", None)


def with_origin(exc: DecodeError, message: Message) -> DecodeError:
    """Name the topic, partition and offset of ``message`` in a decode error."""
    return _with_origin(exc, message)


def _with_origin(exc: DecodeError, message: Message) -> DecodeError:
    # The registry does not know where the bytes came from: say it here.
    if exc.topic is None:
        exc.topic = message.topic
        exc.partition = message.partition
        exc.offset = message.offset
    return exc


class Schema(SchemaT):
    """Key/value types and codecs of a topic.

    Arguments:
        key_type: model class, ``str``, ``bytes``, ... (``None``: autodetect).
        value_type: as ``key_type``, for values.
        key_serializer: codec of keys (default: the model's ``serializer``
            option, else the app's ``key_serializer`` setting).
        value_serializer: codec of values (same defaults, for values).
        allow_empty: when True, a message without value (a tombstone)
            gives an event whose value is ``None`` instead of an error.
    """

    def __init__(
        self,
        *,
        key_type: ModelArg | None = None,
        value_type: ModelArg | None = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        allow_empty: bool | None = None,
    ) -> None:
        self.update(
            key_type=key_type,
            value_type=value_type,
            key_serializer=key_serializer,
            value_serializer=value_serializer,
            allow_empty=allow_empty,
        )

    def update(
        self,
        *,
        key_type: ModelArg | None = None,
        value_type: ModelArg | None = None,
        key_serializer: CodecArg = None,
        value_serializer: CodecArg = None,
        allow_empty: bool | None = None,
    ) -> None:
        """Change the settings that are not ``None`` in the arguments."""
        if key_type is not None:
            self.key_type = key_type
        if value_type is not None:
            self.value_type = value_type
        if key_serializer is not None:
            self.key_serializer = key_serializer
        if value_serializer is not None:
            self.value_serializer = value_serializer
        if self.key_serializer is None and self.key_type:
            self.key_serializer = _model_serializer(self.key_type)
        if self.value_serializer is None and self.value_type:
            self.value_serializer = _model_serializer(self.value_type)
        if allow_empty is not None:
            self.allow_empty = allow_empty
        warn_if_unsafe_pickle(self.key_serializer)
        warn_if_unsafe_pickle(self.value_serializer)

    def loads_key(
        self,
        app: AppT,
        message: Message,
        *,
        loads: Callable[..., Any] | None = None,
        serializer: CodecArg = None,
    ) -> KT:
        """Decode the key of ``message``.

        Arguments:
            app: the app (its ``serializers`` registry does the work).
            message: the message.
            loads: use this instead of ``app.serializers.loads_key``.
            serializer: codec to use instead of :attr:`key_serializer`.

        Raises:
            KeyDecodeError: with the topic, partition and offset of the message.
        """
        if loads is None:
            loads = app.serializers.loads_key
        try:
            return loads(
                self.key_type, message.key, serializer=serializer or self.key_serializer
            )
        except DecodeError as exc:
            raise _with_origin(exc, message) from exc.__cause__

    def loads_value(
        self,
        app: AppT,
        message: Message,
        *,
        loads: Callable[..., Any] | None = None,
        serializer: CodecArg = None,
    ) -> VT:
        """Decode the value of ``message`` (see :meth:`loads_key`).

        Raises:
            ValueDecodeError: with the topic, partition and offset of the message.
        """
        if loads is None:
            loads = app.serializers.loads_value
        try:
            return loads(
                self.value_type,
                message.value,
                serializer=serializer or self.value_serializer,
            )
        except DecodeError as exc:
            raise _with_origin(exc, message) from exc.__cause__

    def dumps_key(
        self,
        app: AppT,
        key: K,
        *,
        serializer: CodecArg = None,
        headers: OpenHeadersArg | None = None,
    ) -> tuple[Any, OpenHeadersArg | None]:
        """Encode ``key``; returns ``(payload, headers)``."""
        registry = app.serializers
        serializer = serializer or self.key_serializer
        make = getattr(registry, "dumper", None)  # see faust.serializers.dumpers
        dump = make(self.key_type, serializer, key=True) if make else None
        if dump is not None:
            payload = dump(key)
        else:
            payload = registry.dumps_key(self.key_type, key, serializer=serializer)
        return payload, self.on_dumps_key_prepare_headers(key, headers)

    def dumps_value(
        self,
        app: AppT,
        value: V,
        *,
        serializer: CodecArg = None,
        headers: OpenHeadersArg | None = None,
    ) -> tuple[Any, OpenHeadersArg | None]:
        """Encode ``value``; returns ``(payload, headers)``."""
        registry = app.serializers
        serializer = serializer or self.value_serializer
        make = getattr(registry, "dumper", None)
        dump = make(self.value_type, serializer, key=False) if make else None
        if dump is not None:
            payload = dump(value)
        else:
            payload = registry.dumps_value(
                self.value_type, value, serializer=serializer
            )
        return payload, self.on_dumps_value_prepare_headers(value, headers)

    def on_dumps_key_prepare_headers(
        self, key: K, headers: OpenHeadersArg | None
    ) -> OpenHeadersArg | None:
        """Hook: return the headers to send with ``key`` (unchanged by default)."""
        return headers

    def on_dumps_value_prepare_headers(
        self, value: V, headers: OpenHeadersArg | None
    ) -> OpenHeadersArg | None:
        """Hook: return the headers to send with ``value`` (unchanged by default)."""
        return headers

    async def decode(
        self, app: AppT, message: Message, *, propagate: bool = False
    ) -> EventT[Any]:
        """Decode ``message`` into an event (compiles a decoder each call).

        Raises:
            KeyDecodeError: the key cannot be decoded and ``propagate`` is set.
            ValueDecodeError: the value cannot be decoded and ``propagate`` is set.
        """
        decode = self.compile(app)
        return await decode(message, propagate=propagate)  # type: ignore[no-any-return]  # an event

    def compile(
        self,
        app: AppT,
        *,
        on_key_decode_error: OnDecodeErrorFun | None = None,
        on_value_decode_error: OnDecodeErrorFun | None = None,
        default_propagate: bool = False,
    ) -> DecodeFunction:
        """Return ``async decode(message, *, propagate=default_propagate)``.

        The returned coroutine builds the event for one message.  When the
        key or value cannot be decoded it raises the error if ``propagate``
        is true, else it awaits the matching handler and returns ``None``.
        """
        on_key_error = on_key_decode_error or _noop_decode_error
        on_value_error = on_value_decode_error or _noop_decode_error
        allow_empty = self.allow_empty
        create_event = app.create_event
        read_key = self._reader(app, key=True)
        read_value = self._reader(app, key=False)

        async def decode(
            message: Message, *, propagate: bool = default_propagate
        ) -> Any:
            try:
                key = read_key(message)
            except KeyDecodeError as exc:
                if propagate:
                    raise _with_origin(exc, message) from exc.__cause__
                await on_key_error(_with_origin(exc, message), message)
                return None
            if message.value is None and allow_empty:
                return create_event(key, None, message.headers, message)
            try:
                value = read_value(message)
            except ValueDecodeError as exc:
                if propagate:
                    raise _with_origin(exc, message) from exc.__cause__
                await on_value_error(_with_origin(exc, message), message)
                return None
            return create_event(key, value, message.headers, message)

        return decode

    def data_loaders(
        self, app: AppT
    ) -> tuple[Callable[[bytes | None], Any], Callable[[bytes | None], Any]] | None:
        """``(load_key(data), load_value(data))`` for the per-message path.

        Decoding made for this schema's types and serializers as they are
        now (the conductor asks again when subscriptions change). Errors
        are raised as :exc:`~faust.exceptions.KeyDecodeError` /
        :exc:`~faust.exceptions.ValueDecodeError` without the message's
        origin (see :func:`with_origin`). Returns ``None`` when a subclass
        overrides :meth:`loads_key` or :meth:`loads_value`, or the app's
        registry overrides its decoding: call those per message instead.
        """
        cls = type(self)
        if cls.loads_key is not Schema.loads_key:
            return None
        if cls.loads_value is not Schema.loads_value:
            return None
        registry = app.serializers
        make = getattr(registry, "loader", None)
        if make is None:
            return None
        load_key = make(self.key_type, self.key_serializer, key=True)
        load_value = make(self.value_type, self.value_serializer, key=False)
        if load_key is None or load_value is None:
            return None
        if self.allow_empty:
            decode_value = load_value

            def load_value(data: bytes | None) -> Any:
                return None if data is None else decode_value(data)

        return load_key, load_value

    def _reader(self, app: AppT, *, key: bool) -> Callable[[Message], Any]:
        # Decoding a message is the hot path: unless a subclass overrides
        # loads_key/loads_value, go to the registry directly (types and
        # serializers are read per call, so update() still applies).
        registry = app.serializers
        if key:
            registry_loads = registry.loads_key
            if type(self).loads_key is Schema.loads_key:
                return lambda m: registry_loads(
                    self.key_type, m.key, serializer=self.key_serializer
                )
            loads_key = self.loads_key
            return lambda m: loads_key(app, m, loads=registry_loads)
        registry_loads_value = registry.loads_value
        if type(self).loads_value is Schema.loads_value:
            return lambda m: registry_loads_value(
                self.value_type, m.value, serializer=self.value_serializer
            )
        loads_value = self.loads_value
        return lambda m: loads_value(app, m, loads=registry_loads_value)

    def __repr__(self) -> str:
        def show(typ: Any, codec: CodecArg) -> str:
            name = getattr(typ, "__name__", None) or (
                "*default*" if typ is None else typ
            )
            return f"{name} ({codec if codec else '*default*'})"

        return (
            f"<{type(self).__name__}: KT={show(self.key_type, self.key_serializer)} "
            f"VT={show(self.value_type, self.value_serializer)}>"
        )
