"""Encoders made once per type and codec: the produce path's serializers.

Every message sent (``Topic.send``, a ``group_by`` repartition, a table's
changelog write) encodes a key and a value. The general path,
:meth:`Registry.dumps_key <faust.serializers.Registry.dumps_key>`, asks for
each of them whether the object is a model, which codec applies and whether
the type skips encoding, five Python calls deep before the codec runs. Keys
and values are most often plain ``str``, numbers or ``bytes``: for those the
answers depend only on the type and the serializer, so :func:`compile_dumper`
works them out once and what remains per message is the codec itself.
Anything else (models, ``bytes`` subclasses, codec chains or codec objects)
takes the general path, and so produces the same bytes either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from faust.types.codecs import CodecArg
from faust.types.models import ModelArg

from .codecs import codecs
from .codecs import raw as raw_codec

if TYPE_CHECKING:
    from .registry import Registry

__all__ = ["compile_dumper"]

#: Classes never encoded as models and never skipped: the codec applies as is.
_PLAIN = frozenset({str, int, float, bool, type(None)})
_RAW_TYPES = (str, bytes)


def compile_dumper(
    registry: Registry, typ: ModelArg | None, serializer: CodecArg, *, key: bool
) -> Callable[[Any], Any]:
    """Return ``dump(obj)``, the same as ``registry.dumps_key(typ, obj, ...)``.

    Arguments:
        registry: the registry whose defaults and general path are used.
        typ: the key or value type of the schema.
        serializer: the serializer given to the call (or None).
        key: True for :meth:`~faust.serializers.Registry.dumps_key`, False
            for :meth:`~faust.serializers.Registry.dumps_value`.

    Returns:
        The encoder. The codec is looked up by name per call, so a codec
        registered again later is used at once.
    """
    general = registry.dumps_key if key else registry.dumps_value

    def fallback(obj: Any) -> Any:
        return general(typ, obj, serializer=serializer)

    name = serializer or (registry.key_serializer if key else registry.value_serializer)
    if not name and typ in _RAW_TYPES:
        name = "raw"
    if not name or type(name) is not str or "|" in name:
        return fallback  # no codec, a codec object or a chain: general path
    get = codecs.get
    plain = _PLAIN

    def dump(obj: Any) -> Any:
        cls = obj.__class__
        if cls is bytes:
            return obj  # bytes are written as they are
        if cls in plain:
            codec = get(name)
            if cls is str and codec.__class__ is raw_codec and not codec.children:
                return obj.encode("utf-8")  # what raw's dumps does, inline
            if codec is not None:
                payload: Any = codec.dumps(obj)  # a custom codec may give str
                if key and payload.__class__ is str:
                    return payload.encode("utf-8")
                return payload
        return fallback(obj)

    dump.passes_bytes = True  # type: ignore[attr-defined]  # bytes come back as is
    return dump
