"""Collect the fields a record class declares (part of :mod:`faust.models.record`).

Fields come from the class annotations over the class hierarchy (bases
first); each gets a descriptor and the per-field conversion flags.
String annotations are evaluated here, leaving unknown names as forward
references (see :mod:`faust.models.resolve`).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from faust.types.models import ModelOptions

from .descriptors import MISSING, FieldDescriptor, field_for_type
from .resolve import SCOPE_KEY, evaluate_annotation, is_classvar
from .typing import Flags, is_model_class, is_optional, remove_optional

__all__ = [
    "Spec",
    "definer_locals",
    "own_specs",
    "merged_specs",
    "make_descriptor",
    "fill_options",
    "field_flags",
]

_FRAMEWORK_MODULES = frozenset(
    {"faust.models.base", "faust.models.record", "faust.types.models"}
)


class Spec(NamedTuple):
    """A field as declared: annotation, default and where it was declared."""

    name: str
    annotation: Any
    default: Any
    descriptor: FieldDescriptor[Any] | None
    globalns: Mapping[str, Any]
    localns: Mapping[str, Any]


def definer_locals() -> dict[str, Any]:
    # The locals of the function whose body defines the class (if any), so
    # string annotations can name classes local to that function.
    frame = sys._getframe(1)
    while frame is not None and (
        frame.f_globals.get("__name__", "").startswith("faust.models")
        or frame.f_globals.get("__name__") == "abc"
    ):
        frame = frame.f_back  # type: ignore[assignment]  # None ends the loop
    if frame is None or frame.f_locals is frame.f_globals:
        return {}
    return dict(frame.f_locals)


def own_specs(cls: type, extra_locals: Mapping[str, Any]) -> list[Spec]:
    annotations = inspect.get_annotations(cls)
    if not annotations:
        return []
    module = sys.modules.get(cls.__module__)
    globalns = vars(module) if module is not None else {}
    scope = cls.__qualname__[: -len(cls.__name__)]
    localns = {**extra_locals, cls.__name__: cls, SCOPE_KEY: (cls.__module__, scope)}
    specs = []
    seen_default: list[str] = []
    for name, raw in annotations.items():
        if is_classvar(raw):
            continue
        annotation = evaluate_annotation(raw, globalns, localns)
        if is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        descriptor = value if isinstance(value, FieldDescriptor) else None
        default = MISSING if descriptor is not None else value
        if descriptor is not None and not descriptor.required or default is not MISSING:
            seen_default.append(name)
        elif seen_default:
            raise TypeError(
                f"{cls.__name__}: field {name!r} has no default but follows "
                f"field(s) with a default ({', '.join(seen_default)}); give it a "
                f"default or move it before them"
            )
        specs.append(Spec(name, annotation, default, descriptor, globalns, localns))
    return specs


def merged_specs(cls: type) -> dict[str, Spec]:
    merged: dict[str, Spec] = {}
    for base in reversed(cls.__mro__):
        if (
            base is object
            or base.__module__ in _FRAMEWORK_MODULES
            or base.__module__
            in (
                "abc",
                "typing",
            )
        ):
            continue
        own = base.__dict__.get("_faust_own_specs")
        if own is None:
            own = own_specs(base, {})
        for spec in own:
            merged[spec.name] = spec
    return merged


def make_descriptor(cls: type, spec: Spec) -> FieldDescriptor[Any]:
    annotation = spec.annotation
    optional_type = is_optional(annotation)
    klass, tag = field_for_type(annotation)
    user = spec.descriptor
    if user is not None:
        required = user.required and not optional_type
        default = user.default if not required else MISSING
        changes: dict[str, Any] = {}
        if tag is not None and user.tag is None:
            changes["tag"] = tag
        descriptor: FieldDescriptor[Any] = user.clone(
            field=spec.name,
            type=annotation,
            model=cls,
            required=required,
            default=default,
            parent=None,
            **changes,
        )
        return descriptor
    if spec.default is not MISSING:
        required, default = False, spec.default
    elif optional_type:
        required, default = False, None
    else:
        required, default = True, MISSING
    return klass(
        field=spec.name,
        type=annotation,
        model=cls,
        required=required,
        default=default,
        tag=tag,
    )


def fill_options(
    options: ModelOptions, specs: Mapping[str, Spec], descriptors: dict[str, Any]
) -> None:
    options.fields = {name: spec.annotation for name, spec in specs.items()}
    options.fieldset = frozenset(specs)
    options.fieldpos = dict(enumerate(specs))
    options.descriptors = descriptors
    options.defaults = {n: d.default for n, d in descriptors.items() if not d.required}
    options.optionalset = frozenset(options.defaults)
    options.models = {
        n: remove_optional(s.annotation)
        for n, s in specs.items()
        if is_model_class(remove_optional(s.annotation))
    }
    options.initfield = {}
    options.polyindex = {}
    for kind in ("secret", "sensitive", "personal"):
        names = frozenset(
            n
            for n, d in descriptors.items()
            if d.tag is not None and getattr(d.tag, f"is_{kind}")
        )
        setattr(options, f"{kind}_fields", names)
        setattr(options, f"has_{kind}_fields", bool(names))
    options.tagged_fields = frozenset(
        n for n, d in descriptors.items() if d.tag is not None
    )
    options.has_tagged_fields = bool(options.tagged_fields)


def field_flags(options: ModelOptions, spec: Spec) -> tuple[Flags, Flags]:
    """Conversions for Python construction, and for loading payloads."""
    coerce = options.coerce
    init = Flags(
        coerce=coerce,
        dates=coerce,
        decimals=coerce,
        owned=False,
        coercions=options.coercions,
        date_parser=options.date_parser,
        globalns=spec.globalns,
        localns=spec.localns,
    )
    load = replace(
        init,
        dates=coerce or options.isodates,
        decimals=coerce or options.decimals,
        owned=True,
    )
    return init, load
