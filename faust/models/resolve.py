"""Evaluate field annotations, including strings and forward references.

Modules using ``from __future__ import annotations`` give string
annotations, and a field may name a class that is defined later in the
module.  :func:`evaluate_annotation` evaluates what it can when the model
class is created and leaves each unknown name as a :class:`PendingRef` (so
``Optional["Node"]`` is still known to be optional); :func:`resolve_ref`
finishes the job later, when the converters are compiled.
"""

from __future__ import annotations

import builtins
import typing
from collections.abc import Mapping
from typing import Any, ForwardRef, Union

from faust.types.models import registry

__all__ = [
    "PendingRef",
    "SCOPE_KEY",
    "evaluate_annotation",
    "resolve_ref",
    "is_classvar",
]

#: Key in a local namespace naming ``(module, qualname prefix)`` of the model.
SCOPE_KEY = "__faust_scope__"


class PendingRef(ForwardRef, _root=True):  # type: ignore[misc, call-arg]  # typing internal
    """A name not defined yet when the annotation was first evaluated."""

    def __or__(self, other: Any) -> Any:
        return Union[self, other]

    def __ror__(self, other: Any) -> Any:
        return Union[other, self]


class _Namespace(dict):  # type: ignore[type-arg]  # str -> Any
    """Locals for :func:`eval`: unknown names become :class:`PendingRef`."""

    def __init__(self, globalns: Mapping[str, Any], localns: Mapping[str, Any]) -> None:
        super().__init__(localns)
        self.globalns = globalns

    def __missing__(self, key: str) -> Any:
        if key in self.globalns:
            return self.globalns[key]
        if hasattr(builtins, key):
            return getattr(builtins, key)
        return PendingRef(key)


def evaluate_annotation(
    annotation: Any, globalns: Mapping[str, Any], localns: Mapping[str, Any]
) -> Any:
    """Evaluate a string annotation as far as possible (others are returned as is)."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, {}, _Namespace(globalns, localns))
    except Exception:
        return PendingRef(annotation)


def is_classvar(annotation: Any) -> bool:
    """Return True for ``ClassVar`` annotations (which are not fields)."""
    if isinstance(annotation, str):
        return annotation.split("[", 1)[0].strip().split(".")[-1] == "ClassVar"
    return (
        annotation is typing.ClassVar
        or typing.get_origin(annotation) is typing.ClassVar
    )


def resolve_ref(
    ref: str | ForwardRef, globalns: Mapping[str, Any], localns: Mapping[str, Any]
) -> Any:
    """Evaluate a forward reference now that the module has been loaded.

    Names are looked up in ``localns``, then ``globalns``, then builtins,
    and last among the registered models defined in the same scope as the
    referring model (``localns["__faust_scope__"]``), which finds models
    defined later in the same function body.

    Raises:
        NameError: the name cannot be found.
    """
    text = ref if isinstance(ref, str) else ref.__forward_arg__
    namespace = dict(globalns)
    namespace.update(localns)
    try:
        return eval(text, namespace)
    except NameError as exc:
        model = _registered_model(text, localns.get(SCOPE_KEY))
        if model is not None:
            return model
        raise NameError(
            f"cannot resolve the annotation {text!r}: {exc} (define or import it "
            f"in the module of the model)"
        ) from None


def _registered_model(text: str, scope: Any) -> Any:
    if scope is None:
        return None
    module, prefix = scope
    qualname = prefix + text.strip()
    for model in reversed(list(registry.values())):
        if model.__module__ == module and model.__qualname__ == qualname:
            return model
    return None
