"""Codecs: turn Python objects into bytes and back.

A codec is referred to by name (``value_serializer="json"``) or given as an
instance.  Codecs chain: ``json() | binary()`` (or the name
``"json|binary"``) serializes with the first and then encodes the result
with the next; loading runs the chain backwards.

Built in:

* ``raw``: bytes are passed through, ``str`` is encoded as UTF-8.
* ``json``: JSON (see :mod:`faust.utils.json`) as UTF-8 bytes.
* ``binary``: Base64.
* ``pickle``: :mod:`pickle` then Base64.  Unpickling runs code chosen by
  whoever wrote the message: only use it when every producer is trusted
  (each load warns).
* ``pickle_restricted``: pickle loading only the classes in
  :attr:`RestrictedUnpickler.ALLOWED_CLASSES` (plain data by default).
* ``pickle_fickling``: pickle checked by :pypi:`fickling` first
  (``pip install 'faust-ng[fickling]'``).
* ``yaml``: safe YAML (``pip install 'faust-ng[yaml]'``).

More codecs are added with :func:`register`, or by a distribution that
declares a ``faust.codecs`` entry point (``msgpack = my_pkg:msgpack``) whose
target is a :class:`Codec` subclass or a function returning a codec; entry
points are loaded the first time a codec is looked up by name.

Example:
    >>> from faust.serializers import codecs
    >>> class upper(codecs.Codec):
    ...     def _dumps(self, obj): return obj.upper().encode()
    ...     def _loads(self, s): return s.decode().lower()
    >>> codecs.register("upper", upper())
    >>> codecs.dumps("upper|binary", "abc")
    b'QUJD'
"""

from __future__ import annotations

import binascii
import importlib
import io
import pickle as _pickle
import warnings
from base64 import b64decode, b64encode
from collections.abc import Iterator, MutableMapping
from importlib.metadata import entry_points
from typing import Any

import orjson as _orjson

from faust.exceptions import ImproperlyConfigured, SecurityWarning
from faust.types.codecs import CodecArg, CodecT
from faust.utils import json as _json

_orjson_dumps = _orjson.dumps
_JSONEncodeError = _orjson.JSONEncodeError
_ORJSON_OPTIONS = _json._ORJSON_OPTIONS
_on_default = _json.on_default

__all__ = [
    "Codec",
    "CodecArg",
    "UnknownCodecError",
    "binary",
    "codecs",
    "dumps",
    "get_codec",
    "json",
    "loads",
    "pickle",
    "pickle_fickling",
    "pickle_restricted",
    "raw",
    "raw_fickling_pickle",
    "raw_pickle",
    "raw_restricted_pickle",
    "RestrictedUnpickler",
    "yaml",
    "register",
    "uses_unsafe_pickle",
    "warn_if_unsafe_pickle",
]

#: Entry point group searched for codec extensions.
ENTRY_POINT_GROUP = "faust.codecs"


class UnknownCodecError(KeyError):
    """No codec is registered under the requested name."""

    def __init__(self, name: str, known: Iterator[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(name)

    def __str__(self) -> str:
        return (
            f"Unknown codec {self.name!r}: known codecs are "
            f"{', '.join(self.known)} (register more with "
            f"faust.serializers.codecs.register() or a 'faust.codecs' entry point)"
        )


class Codec(CodecT):
    """Base class for codecs: subclasses implement ``_dumps`` and ``_loads``.

    Arguments:
        children: codecs applied after this one when dumping (and before it
            when loading); usually set by ``codec | other``.
        **kwargs: options of the codec, kept so :meth:`clone` can copy them.
    """

    children: tuple[CodecT, ...]
    nodes: tuple[CodecT, ...]
    kwargs: dict[str, Any]

    def __init__(self, children: tuple[CodecT, ...] | None = None, **kwargs: Any):
        self.children = tuple(children or ())
        self.nodes = (self, *self.children)
        self.kwargs = kwargs
        # Precomputed steps: a chained child runs its own whole chain.
        self._dumpers = (self._dumps, *(child.dumps for child in self.children))
        self._loaders = (
            *(child.loads for child in reversed(self.children)),
            self._loads,
        )
        if not self.children:
            # A lone codec: skip the chain loop (hot path of every message).
            if type(self).dumps is Codec.dumps:
                self.dumps = self._dumps  # type: ignore[method-assign]  # same contract
            if type(self).loads is Codec.loads:
                self.loads = self._loads  # type: ignore[method-assign]  # same contract

    def _dumps(self, obj: Any) -> bytes:
        raise NotImplementedError(f"{type(self).__name__} must implement _dumps()")

    def _loads(self, s: bytes) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement _loads()")

    def dumps(self, obj: Any) -> bytes:
        """Serialize ``obj`` with this codec, then with every chained codec."""
        for dump in self._dumpers:
            obj = dump(obj)
        return obj  # type: ignore[no-any-return]  # the last node returns bytes

    def loads(self, s: bytes) -> Any:
        """Deserialize ``s``: the chained codecs first, this codec last."""
        obj: Any = s
        for load in self._loaders:
            obj = load(obj)
        return obj

    def clone(self, *children: CodecT) -> CodecT:
        """Return a copy of this codec with ``children`` appended to the chain."""
        return type(self)(children=self.children + children, **self.kwargs)

    def __or__(self, other: Any) -> Any:
        if isinstance(other, CodecT):
            return self.clone(other)
        if isinstance(other, str):
            return self.clone(get_codec(other))
        return NotImplemented

    def __repr__(self) -> str:
        def node_repr(node: CodecT) -> str:
            kwargs = getattr(node, "kwargs", {})
            args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            return f"{type(node).__name__}({args})"

        return " | ".join(node_repr(n) for n in self.nodes)


def _want_bytes(s: Any) -> bytes:
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, (bytearray, memoryview)):
        return bytes(s)
    raise TypeError(f"expected bytes or str, got {type(s).__name__}: {s!r}")


class raw(Codec):
    """Bytes (and ``None``: a tombstone) pass through; ``str`` is encoded as UTF-8."""

    def _dumps(self, obj: Any) -> Any:
        if type(obj) is bytes or obj is None:
            return obj  # None stays a tombstone
        return _want_bytes(obj)

    def _loads(self, s: bytes) -> Any:
        return s if type(s) is bytes else _want_bytes(s)


def _dumps_json(obj: Any) -> bytes:
    # orjson (>= 3.12) returns bytes that keep a 4 KiB allocation however
    # short the JSON is; a message waiting to be produced would hold 4 KiB.
    # A right-sized copy costs ~0.2us.
    try:  # _json.dumps_bytes(), inline: once per message produced
        return bytes(
            memoryview(_orjson_dumps(obj, default=_on_default, option=_ORJSON_OPTIONS))
        )
    except _JSONEncodeError:
        return bytes(memoryview(_json.dumps_bytes(obj)))  # raises ours


class json(Codec):
    """JSON (UTF-8), with faust's rules for dates, decimals, models, ..."""

    # Plain functions, so a lone json codec's dumps/loads are these very
    # functions (see Codec.__init__): no Python frame of our own per load.
    _dumps = staticmethod(_dumps_json)
    _loads = staticmethod(_json.loads_bytes)  # type: ignore[assignment]  # accepts more


class binary(Codec):
    """Base64 encoding of bytes (``str`` is encoded as UTF-8 first)."""

    def _dumps(self, obj: Any) -> bytes:
        return b64encode(_want_bytes(obj))

    def _loads(self, s: bytes) -> Any:
        try:
            return b64decode(s, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"invalid base64 data: {exc}") from None


class raw_pickle(Codec):
    """:mod:`pickle` without any text encoding.

    Warning:
        Unpickling executes code chosen by the producer of the message:
        every load issues a :class:`~faust.exceptions.SecurityWarning` (as
        Faust's does). Prefer ``pickle_restricted`` or ``json``.
    """

    def _dumps(self, obj: Any) -> bytes:
        return _pickle.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        warnings.warn(UNSAFE_PICKLE_WARNING, SecurityWarning, stacklevel=3)
        return _pickle.loads(s)


class RestrictedUnpickler(_pickle.Unpickler):
    """An unpickler that only builds the classes in :attr:`ALLOWED_CLASSES`.

    Any other global a pickle names (a function to call, a class to build)
    fails the load with :exc:`pickle.UnpicklingError`. Extend the allow-list
    for your own types::

        RestrictedUnpickler.ALLOWED_CLASSES = {
            **RestrictedUnpickler.ALLOWED_CLASSES,
            'myproj.models': frozenset({'Point'}),
        }
    """

    #: module -> names of the classes that may be built
    ALLOWED_CLASSES: dict[str, frozenset[str]] = {
        "builtins": frozenset(
            {
                "bool",
                "bytearray",
                "bytes",
                "complex",
                "dict",
                "float",
                "frozenset",
                "int",
                "list",
                "range",
                "set",
                "slice",
                "str",
                "tuple",
            }
        ),
        "collections": frozenset({"OrderedDict", "deque", "Counter"}),
        "datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}),
        "decimal": frozenset({"Decimal"}),
        "uuid": frozenset({"UUID"}),
    }

    def find_class(self, module: str, name: str) -> Any:
        """Resolve ``module.name`` if allowed.

        Raises:
            pickle.UnpicklingError: the global is not in :attr:`ALLOWED_CLASSES`.
        """
        if name not in self.ALLOWED_CLASSES.get(module, frozenset()):
            raise _pickle.UnpicklingError(
                f"pickle_restricted: {module}.{name} is not allowed; add it to "
                "faust.serializers.codecs.RestrictedUnpickler.ALLOWED_CLASSES "
                "if the producers of this topic are trusted to send it"
            )
        return super().find_class(module, name)


class raw_restricted_pickle(Codec):
    """:mod:`pickle` loading only allowed classes (:class:`RestrictedUnpickler`)."""

    def _dumps(self, obj: Any) -> bytes:
        return _pickle.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return RestrictedUnpickler(io.BytesIO(s)).load()


class raw_fickling_pickle(Codec):
    """:mod:`pickle` checked by :pypi:`fickling` before it is loaded.

    Arguments:
        max_acceptable_severity: the highest ``fickling.analysis.Severity``
            loaded (default: ``LIKELY_SAFE``).
    """

    def __init__(self, max_acceptable_severity: Any = None, **kwargs: Any) -> None:
        self.max_acceptable_severity = max_acceptable_severity
        super().__init__(**kwargs)

    def _dumps(self, obj: Any) -> bytes:
        return _pickle.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        fickling = _optional("fickling", "pickle_fickling codec", "fickling")
        options = {}
        if self.max_acceptable_severity is not None:
            options["max_acceptable_severity"] = self.max_acceptable_severity
        try:
            return fickling.loads(s, **options)
        except fickling.exception.UnsafeFileError as exc:
            raise ValueError(
                f"pickle_fickling refused an unsafe pickle: {exc}"
            ) from None


class yaml(Codec):
    """YAML (``safe_load``/``safe_dump``: plain data only), needs :pypi:`PyYAML`."""

    def _dumps(self, obj: Any) -> bytes:
        yaml_module = _optional("yaml", "yaml codec", "yaml")
        return _want_bytes(yaml_module.safe_dump(obj))

    def _loads(self, s: bytes) -> Any:
        yaml_module = _optional("yaml", "yaml codec", "yaml")
        return yaml_module.safe_load(s)


def _optional(module: str, what: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImproperlyConfigured(
            f"The {what} needs {module}: pip install 'faust-ng[{extra}]'"
        ) from None


#: Shown when a registry or schema is configured with the pickle codec.
UNSAFE_PICKLE_WARNING = (
    "The pickle codec unpickles message data, which runs code chosen by "
    "whoever produced the message: only use it on topics where every "
    "producer is trusted."
)


def uses_unsafe_pickle(codec: CodecArg) -> bool:
    """Return True if ``codec`` (a name, chain or instance) involves pickle."""
    if isinstance(codec, str):
        return any(part.strip() == "pickle" for part in codec.split("|"))
    if isinstance(codec, Codec):
        return any(
            isinstance(node, raw_pickle) or uses_unsafe_pickle(node)
            for node in codec.children
        ) or isinstance(codec, raw_pickle)
    return False


def warn_if_unsafe_pickle(codec: CodecArg, *, stacklevel: int = 2) -> None:
    """Issue a :class:`~faust.exceptions.SecurityWarning` if ``codec`` uses pickle."""
    if codec and uses_unsafe_pickle(codec):
        warnings.warn(UNSAFE_PICKLE_WARNING, SecurityWarning, stacklevel=stacklevel + 1)


def pickle() -> Codec:
    """Return the ``pickle`` codec: :class:`raw_pickle` followed by Base64."""
    return raw_pickle() | binary()  # type: ignore[no-any-return]  # Codec.__or__


def pickle_restricted() -> Codec:
    """Return the ``pickle_restricted`` codec: allowed classes only, Base64."""
    return raw_restricted_pickle() | binary()  # type: ignore[no-any-return]  # see pickle


def pickle_fickling(max_acceptable_severity: Any = None) -> Codec:
    """Return the ``pickle_fickling`` codec: pickles checked by fickling, Base64."""
    codec = raw_fickling_pickle(max_acceptable_severity=max_acceptable_severity)
    return codec | binary()  # type: ignore[no-any-return]  # see pickle


#: Codec registry: name -> codec instance.
codecs: MutableMapping[str, CodecT] = {
    "raw": raw(),
    "json": json(),
    "binary": binary(),
    "pickle": pickle(),
    "pickle_restricted": pickle_restricted(),
    "pickle_fickling": pickle_fickling(),
    "yaml": yaml(),
}

_extensions_loaded = False
#: Chains parsed from ``"a|b"`` names, so each string is parsed once.
_chains: dict[str, CodecT] = {}


def register(name: str, codec: CodecT) -> None:
    """Register ``codec`` under ``name`` (replacing any codec of that name)."""
    codecs[name] = codec
    _chains.clear()


def _load_extensions() -> None:
    global _extensions_loaded
    _extensions_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in codecs:
            continue
        factory = ep.load()
        codec = factory() if callable(factory) else factory
        if not isinstance(codec, CodecT):
            raise TypeError(
                f"entry point {ep.name!r} = {ep.value!r} in group "
                f"{ENTRY_POINT_GROUP!r} did not produce a Codec, got {codec!r}"
            )
        codecs[ep.name] = codec


def _lookup(name: str) -> CodecT:
    try:
        return codecs[name]
    except KeyError:
        if not _extensions_loaded:
            _load_extensions()
            if name in codecs:
                return codecs[name]
        raise UnknownCodecError(name, iter(codecs)) from None


def get_codec(name_or_codec: CodecArg) -> CodecT:
    """Return the codec for a name, a ``"a|b"`` chain, or a codec instance.

    Raises:
        UnknownCodecError: (a :exc:`KeyError`) a name is not registered.
        TypeError: the argument is neither a name nor a codec.
    """
    if type(name_or_codec) is str:
        codec = codecs.get(name_or_codec) or _chains.get(name_or_codec)
        if codec is not None:
            return codec
        return _parse(name_or_codec)
    if isinstance(name_or_codec, CodecT):
        return name_or_codec
    if isinstance(name_or_codec, str):
        return _parse(name_or_codec)
    raise TypeError(f"expected a codec name or Codec, got {name_or_codec!r}")


def _parse(name: str) -> CodecT:
    if "|" not in name:
        return _lookup(name)
    names = [n.strip() for n in name.split("|") if n.strip()]
    if not names:
        raise UnknownCodecError(name, iter(codecs))
    codec = _lookup(names[0])
    for part in names[1:]:
        codec = codec | _lookup(part)
    _chains[name] = codec
    return codec


def dumps(codec: CodecArg | None, obj: Any) -> bytes:
    """Serialize ``obj`` with ``codec``; with no codec ``obj`` is returned as is."""
    if not codec:
        return obj  # type: ignore[no-any-return]  # identity: documented Faust behaviour
    return get_codec(codec).dumps(obj)


def loads(codec: CodecArg | None, s: bytes) -> Any:
    """Deserialize ``s`` with ``codec``; with no codec ``s`` is returned as is."""
    if not codec:
        return s
    return get_codec(codec).loads(s)
