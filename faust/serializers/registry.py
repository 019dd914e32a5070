"""Registry: (de)serialize message keys and values by type and codec.

``app.serializers`` is a :class:`Registry`.  Channels and topics call it
(through their :class:`~faust.serializers.Schema`) for every message:

* ``loads_key``/``loads_value`` decode bytes with the codec, then shape
  the payload after the expected type: a model class builds the model,
  ``str``/``bytes``/``int``/``float``/``Decimal`` convert the payload, and
  ``None`` autodetects (a payload with ``__faust`` metadata becomes the
  model it names, anything else is returned as decoded).  Any failure is
  raised as :exc:`~faust.exceptions.KeyDecodeError` or
  :exc:`~faust.exceptions.ValueDecodeError`.
* ``dumps_key``/``dumps_value`` encode; a model instance uses its own
  ``serializer`` option when it has one.

The codec used is the first of: the ``serializer`` argument, the registry
default (``key_serializer``/``value_serializer``); when both are unset and
the type is ``str`` or ``bytes``, ``raw``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeGuard

from mode.utils.imports import symbol_by_name

from faust.exceptions import DecodeError, KeyDecodeError, ValueDecodeError
from faust.types.codecs import CodecArg
from faust.types.core import K, V
from faust.types.models import BLESSED_KEY, ModelArg, ModelT, registry
from faust.types.serializers import RegistryT

from . import codecs
from .codecs import dumps, loads, warn_if_unsafe_pickle
from .dumpers import compile_dumper

__all__ = ["Registry", "reconstruct"]

_RAW_TYPES = (str, bytes)


def reconstruct(payload: Any) -> Any:
    """Turn a payload with ``__faust`` metadata into the model it names.

    Payloads without metadata are returned unchanged.

    Raises:
        KeyError: the namespace in the metadata names no known model.
    """
    if type(payload) is not dict:
        return payload
    meta = payload.get(BLESSED_KEY)
    if meta is None:
        return payload
    try:
        ns = meta["ns"]
    except (KeyError, TypeError):
        return payload
    try:
        model = registry[ns]
    except (KeyError, TypeError):
        raise KeyError(
            f"payload names model {ns!r} (in {BLESSED_KEY!r} metadata), but no "
            f"such model is defined: is the module that defines it imported?"
        ) from None
    return _load_payload(model, payload)


def _load_payload(model: type[ModelT], payload: Any) -> Any:
    # The payload was just decoded, nobody else holds it: records built by
    # faust.models may adopt it without copying (their ``_load``).
    loader = vars(model).get("_load") if payload.__class__ is dict else None
    if loader is not None:
        return loader.__func__(payload, model)
    return model.from_data(payload, preferred_type=model)


def _model_preparer(model: type[ModelT]) -> Callable[[Any], Any]:
    loader: Callable[..., Any] | None = None

    def prepare(value: Any) -> Any:
        nonlocal loader
        if value.__class__ is dict:
            if loader is None:
                # the record's generated loader, once its class is complete
                owned = vars(model)
                if owned.get("_faust_plan_ready") and "_load" in owned:
                    loader = owned["_load"].__func__
                else:
                    return _load_payload(model, value)
            return loader(value, model)
        return model.from_data(value, preferred_type=model)

    return prepare


#: class -> is it a model?  (``isinstance`` with an ABC costs ~0.2us a call)
_IS_MODEL: dict[type, bool] = {}


def _is_model(obj: Any) -> TypeGuard[ModelT]:
    cls = obj.__class__
    try:
        return _IS_MODEL[cls]
    except KeyError:
        result = _IS_MODEL[cls] = isinstance(obj, ModelT)
        return result


def _is_model_class(typ: Any) -> TypeGuard[type[ModelT]]:
    return isinstance(typ, type) and issubclass(typ, ModelT)


def _text(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8")
    return value


def _binary(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8")
    return value


def _decimal(value: Any) -> Decimal:
    # a JSON number arrives as float: go through its shortest repr
    return Decimal(repr(value) if isinstance(value, float) else _text(value))


def _identity(value: Any) -> Any:
    return value


#: typ -> function shaping a decoded payload into that type.
_PREPARERS: dict[Any, Callable[[Any], Any]] = {
    None: reconstruct,
    str: _text,
    bytes: _binary,
    int: lambda value: int(_text(value)),
    float: lambda value: float(_text(value)),
    Decimal: _decimal,
}
#: The codec registry (name -> codec), read on each call.
_CODECS = codecs.codecs


def _preparer(typ: Any) -> Callable[[Any], Any]:
    if _is_model_class(typ):
        prepare = _model_preparer(typ)
    else:
        prepare = _identity
    try:
        _PREPARERS[typ] = prepare
    except TypeError:  # an unhashable type annotation: not cached
        pass
    return prepare


def _compile_loader(
    registry: Registry,
    typ: ModelArg | None,
    serializer: CodecArg,
    error: type[DecodeError],
    what: str,
) -> Callable[[bytes | None], Any]:
    codec = _CODECS.get(serializer) if isinstance(serializer, str) else None
    try:
        prepare = _PREPARERS.get(typ)  # an unhashable annotation raises
    except TypeError:
        prepare = None
    if prepare is None:
        prepare = _preparer(typ)
    if (
        type(codec) is codecs.raw
        and not codec.children
        and prepare in (reconstruct, _identity, _binary)
    ):
        # raw bytes, no type: the bytes themselves (the per-message fast path)
        def load_raw(data: bytes | None) -> Any:
            if data.__class__ is bytes:
                return data
            return registry._loads(typ, data, serializer, error, what)

        load_raw.passthrough = True  # type: ignore[attr-defined]  # see Conductor
        return load_raw
    if codec is None:  # no codec, or one given as an object: the general path
        return lambda data: registry._loads(typ, data, serializer, error, what)
    decode = codec.loads
    if _is_model_class(typ):
        return _model_loader(registry, typ, decode, serializer, error, what)

    def load(data: bytes | None) -> Any:
        if data is None:
            return registry._loads(typ, data, serializer, error, what)
        try:
            return prepare(decode(data))
        except MemoryError:
            raise
        except Exception as exc:
            raise error(_decode_failure(what, typ, serializer, exc)).with_traceback(
                exc.__traceback__
            ) from exc

    return load


def _model_loader(
    registry: Registry,
    model: Any,
    decode: Callable[[bytes], Any],
    serializer: CodecArg,
    error: type[DecodeError],
    what: str,
) -> Callable[[bytes | None], Any]:
    """The loader of a model type: its ``prepare`` inline (one frame less)."""
    prepare = _PREPARERS.get(model) or _preparer(model)
    loader: Callable[..., Any] | None = None

    def load(data: bytes | None) -> Any:
        nonlocal loader
        if data is None:
            return registry._loads(model, data, serializer, error, what)
        try:
            payload = decode(data)
            if payload.__class__ is dict:
                if loader is not None:
                    return loader(payload, model)
                owned = vars(model)  # the record's generated loader, once ready
                if owned.get("_faust_plan_ready") and "_load" in owned:
                    loader = owned["_load"].__func__
                    return loader(payload, model)
            return prepare(payload)
        except MemoryError:
            raise
        except Exception as exc:
            raise error(_decode_failure(what, model, serializer, exc)).with_traceback(
                exc.__traceback__
            ) from exc

    return load


class Registry(RegistryT):
    """Serializes message keys and values.

    Arguments:
        key_serializer: codec used for keys when none is given.
        value_serializer: codec used for values when none is given.
    """

    def __init__(
        self, key_serializer: CodecArg = None, value_serializer: CodecArg = "json"
    ) -> None:
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer
        warn_if_unsafe_pickle(key_serializer)
        warn_if_unsafe_pickle(value_serializer)

    @property
    def Model(self) -> type[ModelT]:  # Faust's name
        """The model base class, :class:`faust.Model`."""
        model: type[ModelT] = symbol_by_name("faust.models.base:Model")
        return model

    def loads_key(
        self,
        typ: ModelArg | None,
        key: bytes | None,
        *,
        serializer: CodecArg = None,
    ) -> K:
        """Decode a message key.

        Arguments:
            typ: the expected type (a model class, ``str``, ``bytes``,
                ``int``, ``float``, ``Decimal``), or ``None`` to autodetect.
            key: the serialized key.
            serializer: codec to use instead of :attr:`key_serializer`.

        Raises:
            KeyDecodeError: the key cannot be decoded as ``typ``.
        """
        return self._loads(
            typ, key, serializer or self.key_serializer, KeyDecodeError, "key"
        )

    def loads_value(
        self,
        typ: ModelArg | None,
        value: bytes | None,
        *,
        serializer: CodecArg = None,
    ) -> Any:
        """Decode a message value (see :meth:`loads_key`).

        Raises:
            ValueDecodeError: the value cannot be decoded as ``typ``.
        """
        return self._loads(
            typ, value, serializer or self.value_serializer, ValueDecodeError, "value"
        )

    def _loads(
        self,
        typ: ModelArg | None,
        data: bytes | None,
        serializer: CodecArg,
        error: type[DecodeError],
        what: str,
    ) -> Any:
        if data is None:
            if _is_model_class(typ):
                raise error(f"Expected {typ!r}, received None (empty {what})")
            return None
        if not serializer and typ in _RAW_TYPES:
            serializer = "raw"
        try:
            prepare = _PREPARERS.get(typ)
            if prepare is None:
                prepare = _preparer(typ)
            if not serializer:
                return prepare(data)
            codec = _CODECS.get(serializer) if isinstance(serializer, str) else None
            return prepare(
                codec.loads(data) if codec is not None else loads(serializer, data)
            )
        except MemoryError:
            raise
        except Exception as exc:
            raise error(_decode_failure(what, typ, serializer, exc)).with_traceback(
                exc.__traceback__
            ) from exc

    def loader(
        self, typ: ModelArg | None, serializer: CodecArg, *, key: bool
    ) -> Callable[[bytes | None], Any] | None:
        """Return ``load(data)``: :meth:`loads_key` (or value) made for one type.

        The conductor decodes every message with these: the codec and the
        shaping function are looked up once, not per message, and raw bytes
        pass straight through. Returns ``None`` when this registry's class
        overrides the decoding methods (then call them per message).
        """
        cls = type(self)
        if cls.loads_key is not Registry.loads_key or cls._loads is not Registry._loads:
            return None
        if cls.loads_value is not Registry.loads_value:
            return None
        error: type[DecodeError] = KeyDecodeError if key else ValueDecodeError
        what = "key" if key else "value"
        serializer = serializer or (
            self.key_serializer if key else self.value_serializer
        )
        if not serializer and typ in _RAW_TYPES:
            serializer = "raw"
        return _compile_loader(self, typ, serializer, error, what)

    def dumper(
        self, typ: ModelArg | None, serializer: CodecArg, *, key: bool
    ) -> Callable[[Any], Any] | None:
        """Return ``dump(obj)``: :meth:`dumps_key` (or value) made for one type.

        The produce path encodes with these (see :mod:`.dumpers`); made once
        per type and serializer. Returns ``None`` when this registry's class
        overrides the encoding methods (then call them per message).
        """
        cache: dict[Any, Callable[[Any], Any]] = self.__dict__.setdefault(
            "_dumpers", {}
        )
        # the registry's default is part of the key: it may be changed
        default = self.key_serializer if key else self.value_serializer
        try:
            return cache[typ, serializer, default, key]
        except KeyError:
            pass
        except TypeError:  # an unhashable type annotation
            return None
        cls = type(self)
        if (
            cls.dumps_key is not Registry.dumps_key
            or cls.dumps_value is not Registry.dumps_value
            or cls._dumps is not Registry._dumps
        ):
            return None
        dump = cache[typ, serializer, default, key] = compile_dumper(
            self, typ, serializer, key=key
        )
        return dump

    def _prepare_payload(self, typ: ModelArg | None, value: Any) -> Any:
        return _preparer(typ)(value)

    def dumps_key(
        self,
        typ: ModelArg | None,
        key: K,
        *,
        serializer: CodecArg = None,
        skip: tuple[type, ...] = (bytes,),
    ) -> bytes | None:
        """Encode a message key.

        Arguments:
            typ: type hint: with ``str``/``bytes`` and no codec configured,
                ``raw`` is used.
            key: the key; a model uses its own ``serializer`` option first.
            serializer: codec to use instead of :attr:`key_serializer`.
            skip: types written as they are, without any codec.
        """
        payload = self._dumps(typ, key, serializer, self.key_serializer, skip)
        if isinstance(payload, str):
            return payload.encode("utf-8")
        return payload  # type: ignore[no-any-return]  # bytes or None

    def dumps_value(
        self,
        typ: ModelArg | None,
        value: V,
        *,
        serializer: CodecArg = None,
        skip: tuple[type, ...] = (bytes,),
    ) -> bytes | None:
        """Encode a message value (see :meth:`dumps_key`)."""
        return self._dumps(  # type: ignore[no-any-return]  # bytes unless no codec
            typ, value, serializer, self.value_serializer, skip
        )

    def _dumps(
        self,
        typ: ModelArg | None,
        obj: Any,
        serializer: CodecArg,
        default: CodecArg,
        skip: tuple[type, ...],
    ) -> Any:
        if _is_model(obj):
            codec = obj._options.serializer or serializer or default
            if codec is None and typ in _RAW_TYPES:
                codec = "raw"
            if codec and not isinstance(obj, skip):
                return obj.dumps(serializer=codec)
            return obj
        codec = serializer or default
        if not codec and typ in _RAW_TYPES:
            codec = "raw"
        if codec and not isinstance(obj, skip):
            return dumps(codec, obj)
        return obj

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: key_serializer={self.key_serializer!r} "
            f"value_serializer={self.value_serializer!r}>"
        )


def _decode_failure(
    what: str, typ: ModelArg | None, serializer: CodecArg, exc: Exception
) -> str:
    codec = (
        serializer
        if serializer is None or isinstance(serializer, str)
        else repr(serializer)
    )
    name = getattr(typ, "__name__", None) or repr(typ)
    target = "" if typ is None else f" as {name}"
    cause = f"{type(exc).__name__}: {exc}"
    return f"Cannot decode {what}{target} with codec {codec!r}: {cause}"
