"""Build functions from generated source code.

Models generate their ``__init__``, loaders and comparison methods once per
class, specialised to the class's fields, because a generic loop over the
fields costs several times more per instance.  The source of every
generated function is kept as its ``__sourcecode__`` attribute, so
``print(Point.__init__.__sourcecode__)`` shows exactly what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["build_function", "Function", "Method"]


def build_function(
    name: str,
    args: Iterable[str],
    body: Iterable[str],
    *,
    globals: Mapping[str, Any] | None = None,
    qualname: str | None = None,
    filename: str = "<generated>",
) -> Callable[..., Any]:
    """Compile ``def name(args): body`` and return the function.

    Arguments:
        name: function name.
        args: parameter list entries (``"self"``, ``"x=None"``, ``"*"``, ...).
        body: source lines of the body, without the function's indentation.
        globals: names the body refers to.
        qualname: ``__qualname__`` of the result (shown in tracebacks and errors).
        filename: shown in tracebacks.
    """
    lines = [f"def {name}({', '.join(args)}):"]
    lines.extend(f"    {line}" for line in (list(body) or ["pass"]))
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = dict(globals or {})
    exec(compile(source, filename, "exec"), namespace)
    fun: Callable[..., Any] = namespace[name]
    if qualname is not None:
        fun.__qualname__ = qualname
    fun.__sourcecode__ = source  # type: ignore[attr-defined]  # introspection aid
    return fun


def Function(
    name: str, args: Iterable[str], body: Iterable[str], **kwargs: Any
) -> Callable[..., Any]:
    """Alias of :func:`build_function` (Faust's spelling)."""
    return build_function(name, args, body, **kwargs)


def Method(
    name: str, args: Iterable[str], body: Iterable[str], **kwargs: Any
) -> Callable[..., Any]:
    """Build a method: like :func:`build_function` with ``self`` prepended."""
    return build_function(name, ["self", *args], body, **kwargs)
