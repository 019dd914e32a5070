"""Resolve the Python references that autodoc's own lookup leaves open.

The build runs with ``nitpicky = True`` and nothing suppressed, so every
reference must land somewhere. Three kinds do not land by name alone:

* **Public paths of faust names.** ``faust.App`` is defined in
  :mod:`faust.app.base` and documented there; ``faust.App``,
  ``faust.types.AppT`` and other re-exports are imported, their defining
  module is found, and the reference goes to the documented object.
* **Other projects' names** in signatures and docstrings (the standard
  library, mode, click, yarl, aiohttp, aiokafka): no inventory can be
  downloaded while building, so each name is imported to check that it
  exists, then linked to that project's documentation.
* **Type variables** (``T``, ``K``, ``T_co``): not objects a reader can look
  up; they are checked to be ``TypeVar`` instances and shown as text.

A name that is none of these stays a warning, and the build fails.

It also keeps each object documented once: a module's ``__all__`` lists what
it re-exports, and autodoc would describe ``faust.tables.Table`` again on the
:mod:`faust.tables` page. A member defined in another public module is left
to that module's page (and references to the re-exported path land there);
members defined in private modules (``faust._context``) are documented where
they are exported.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import re
import sys
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.domains.python import PythonDomain
from sphinx.environment import BuildEnvironment
from sphinx.ext.napoleon.docstring import GoogleDocstring

PYTHON_DOCS = "https://docs.python.org/3/library/"

#: top-level package -> URL of its API documentation (``#name`` is appended).
PROJECTS = {
    "mode": "https://faust-streaming.github.io/mode/",
    "click": "https://click.palletsprojects.com/en/stable/api/",
    "yarl": "https://yarl.aio-libs.org/en/stable/api/",
    "aiohttp": "https://docs.aiohttp.org/en/stable/web_reference.html",
    "aiokafka": "https://aiokafka.readthedocs.io/en/stable/api.html",
    "multidict": "https://multidict.aio-libs.org/en/stable/multidict/",
    "croniter": "https://pypi.org/project/croniter/",
    "rocksdict": "https://rocksdict.github.io/RocksDict/",
    "prometheus_client": "https://prometheus.github.io/client_python/",
    "django": "https://docs.djangoproject.com/en/stable/ref/",
    "venusian": "https://docs.pylonsproject.org/projects/venusian/en/latest/api.html",
    "orjson": "https://github.com/ijl/orjson",
}

#: standard-library modules documented on a page of their own.
STDLIB_PAGES = {
    "collections.abc",
    "concurrent.futures",
    "importlib.metadata",
    "logging.config",
    "logging.handlers",
    "os.path",
    "urllib.parse",
    "unittest.mock",
}

#: private stdlib modules -> the public module that documents their names.
STDLIB_ALIASES = {
    "_asyncio": "asyncio",
    "_contextvars": "contextvars",
    "_io": "io",
    "_ssl": "ssl",
    "_socket": "socket",
    "_decimal": "decimal",
    "_thread": "threading",
}


def _import(target: str) -> tuple[Any, str] | None:
    """Import ``target`` (``package.module.Name.attr``): (object, module)."""
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        except Exception:
            return None
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj, module_name
    return None


def _canonical(obj: Any) -> str | None:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return f"{module}.{qualname}"
    return None


def _is_stdlib(top: str) -> bool:
    return top in sys.stdlib_module_names


def _builtin_url(target: str) -> str | None:
    if not hasattr(builtins, target):
        return None
    obj = getattr(builtins, target)
    if obj is None or isinstance(obj, bool) or obj in (NotImplemented, Ellipsis):
        return f"{PYTHON_DOCS}constants.html#{target}"
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return f"{PYTHON_DOCS}exceptions.html#{target}"
    if isinstance(obj, type):
        return f"{PYTHON_DOCS}stdtypes.html#{target}"
    return f"{PYTHON_DOCS}functions.html#{target}"


def _external_url(target: str, module: str) -> str | None:
    top = module.split(".")[0]
    if top in PROJECTS:
        return f"{PROJECTS[top]}#{target}"
    top = STDLIB_ALIASES.get(top, top)
    if _is_stdlib(top):
        page = next(
            (name for name in STDLIB_PAGES if target.startswith(name + ".")), top
        )
        return f"{PYTHON_DOCS}{page}.html#{target}"
    return None


def _link(url: str, contnode: nodes.Element) -> nodes.reference:
    ref = nodes.reference("", "", internal=False, refuri=url, reftitle=url)
    ref.append(contnode)
    return ref


@cache
def _imported_names(module: str) -> dict[str, str]:
    """Names a module imports (also under ``TYPE_CHECKING``) -> full names."""
    try:
        mod = importlib.import_module(module)
        tree = ast.parse(inspect.getsource(mod))
    except (OSError, TypeError, ImportError, SyntaxError):
        return {}
    package = module if hasattr(mod, "__path__") else module.rpartition(".")[0]
    names: dict[str, str] = {}
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.ImportFrom):
            base = stmt.module or ""
            if stmt.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (stmt.level - 1)]
                base = ".".join([*parts, *([stmt.module] if stmt.module else [])])
            for alias in stmt.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    names[alias.asname] = alias.name
    return names


def _candidates(node: pending_xref) -> list[str]:
    target = node["reftarget"].lstrip("~.").split("[")[0]
    names = [target]
    module = node.get("py:module")
    cls = node.get("py:class")
    if module and not target.startswith(module + "."):
        if cls:
            names.append(f"{module}.{cls}.{target}")
        names.append(f"{module}.{target}")
        head, _, rest = target.partition(".")
        imported = _imported_names(module).get(head)
        if imported:
            names.append(f"{imported}.{rest}" if rest else imported)
        if "." in target:  # ``transport.connect``: a sibling module's name
            names.append(f"{module.rpartition('.')[0]}.{target}")
    return names


def _public_path(name: str) -> str | None:
    """``faust.sensors._stats.StatsMonitor`` -> ``faust.sensors.StatsMonitor``."""
    parts = name.split(".")
    public = [p for p in parts if not (p.startswith("_") and not p.startswith("__"))]
    return ".".join(public) if len(public) != len(parts) else None


def _is_private(name: str) -> bool:
    return name.startswith("faust.") and any(
        part.startswith("_") and not part.startswith("__")
        for part in name.split(".")[1:]
    )


#: Where bare names in other projects' signatures come from (documenting
#: ``faust.cli`` shows click's own annotations, written ``t.Any`` and
#: ``Context`` in click's modules).
FOREIGN_NAMESPACES = {"t": "typing", "te": "typing_extensions"}
FOREIGN_MODULES = ("click", "aiohttp.web", "mode", "yarl", "typing")


def _foreign(target: str) -> str | None:
    head, _, rest = target.partition(".")
    if head in FOREIGN_NAMESPACES:
        return f"{FOREIGN_NAMESPACES[head]}.{rest}" if rest else None
    for module_name in FOREIGN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - all are dependencies
            continue
        if hasattr(module, head):
            return f"{module_name}.{target}"
    return None


def _documented_owner(domain: Any, name: str) -> str | None:
    parts = name.split(".")
    for end in range(len(parts) - 1, 1, -1):  # owners: class, then module
        owner = ".".join(parts[:end])
        if owner in domain.objects:
            return owner
    return None


def _unique_suffix(domain: Any, target: str) -> str | None:
    """The one documented object whose full name ends with ``.target``."""
    if not target or "." in target and target.split(".")[0] in ("faust",):
        return None
    suffix = "." + target.lstrip("~.").split("[")[0]
    found = [name for name in domain.objects if name.endswith(suffix)]
    return found[0] if len(found) == 1 else None


def _xref(
    app: Sphinx,
    env: BuildEnvironment,
    node: pending_xref,
    contnode: nodes.Element,
    target: str | None,
) -> nodes.Element | None:
    """A reference to the documented object ``target`` (None if not documented)."""
    domain: Any = env.get_domain("py")
    if not target or target not in domain.objects:
        return None
    found = domain.resolve_any_xref(
        env, node["refdoc"], app.builder, target, node, contnode
    )
    return found[0][1] if found else None


def _same_object(domain: Any, obj: Any, name: str) -> str | None:
    """The documented name of ``obj`` (an alias of it was referenced)."""
    suffix = "." + name.rpartition(".")[2]
    for documented in domain.objects:
        if documented.endswith(suffix) and documented.startswith("faust."):
            found = _import(documented)
            if found is not None and found[0] is obj:
                return str(documented)
    return None


def _resolve_faust(
    app: Sphinx,
    env: BuildEnvironment,
    node: pending_xref,
    contnode: nodes.Element,
    name: str,
    obj: Any,
) -> nodes.Element | None:
    domain: Any = env.get_domain("py")
    canonical = _canonical(obj) if not inspect.ismodule(obj) else None
    if canonical and not canonical.startswith("faust."):
        # a faust path re-exporting another project's object
        url = _external_url(canonical, canonical.rpartition(".")[0])
        return _link(url, contnode) if url else None
    for target in (
        _public_path(canonical) if canonical else None,
        canonical,
        name,
        _same_object(domain, obj, name),
    ):
        ref = _xref(app, env, node, contnode, target)
        if ref is not None:
            return ref
    if isinstance(obj, typing.TypeVar) or _is_private(name):
        return contnode  # not a documented object: shown as text
    if getattr(obj, "__module__", None) == "typing":
        return _link(f"{PYTHON_DOCS}typing.html", contnode)  # ``K = Any``
    # An existing member without docs of its own (a class attribute, an
    # inherited method, a module-level alias): its nearest documented owner.
    owner = _documented_owner(domain, canonical or name) or _documented_owner(
        domain, name
    )
    return _xref(app, env, node, contnode, owner)


def resolve(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """``missing-reference`` handler: see the module docstring."""
    if node.get("refdomain") != "py":
        return None
    url = _builtin_url(node["reftarget"])
    if url is not None:
        return _link(url, contnode)
    for name in _candidates(node):
        found = _import(name)
        if found is None:
            continue
        obj, module = found
        if name.startswith("faust."):
            ref = _resolve_faust(app, env, node, contnode, name, obj)
            if ref is not None:
                return ref
            continue  # a faust name must be documented: leave the warning
        canonical = _canonical(obj) if not inspect.ismodule(obj) else None
        url = _external_url(canonical or name, module)
        if url is not None:
            return _link(url, contnode)
    return _resolve_bare(app, env, node, contnode)


def _resolve_bare(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """A bare name from another project's signature, or a unique short name."""
    bare = node["reftarget"].lstrip("~.").split("[")[0]
    if bare.startswith("_") and "." not in bare:
        return contnode  # a private name (a type variable of click's): text
    foreign = _foreign(bare)
    found = _import(foreign) if foreign else None
    if foreign and found is not None:
        url = _external_url(foreign, found[1])
        if url is not None:
            return _link(url, contnode)
    return _xref(app, env, node, contnode, _unique_suffix(env.get_domain("py"), bare))


# -- each object documented once -------------------------------------------

_current: dict[str, str] = {}


def _note_module(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if what == "module":
        _current["module"] = name


def _is_public(module: str) -> bool:
    return not any(part.startswith("_") for part in module.split("."))


@cache
def _assigned_names(module: str) -> frozenset[str]:
    try:
        source = inspect.getsource(importlib.import_module(module))
    except (OSError, TypeError, ImportError):
        return frozenset()
    names: set[str] = set()
    for stmt in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(stmt.name)
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def skip_reexports(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    """``autodoc-skip-member``: skip a module member documented elsewhere."""
    current = _current.get("module")
    if what == "class" and inspect.isclass(obj) and not skip:
        # ``Case = Case`` in a class body: an alias, documented where defined
        if obj.__qualname__.rpartition(".")[2] != name or "." not in obj.__qualname__:
            return True
        return None
    if what != "module" or current is None or skip:
        return None
    if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
        home = obj.__name__ if inspect.ismodule(obj) else obj.__module__
        if home == current or not _is_public(home):
            return None
        return True  # documented on its own module's page (or another project's)
    if name not in _assigned_names(current):
        return True  # imported data (aliases, type variables)
    return None


# -- "Returns:" and attribute docs that start with a sentence ----------------

#: What napoleon may read as the type before a colon: ``int``,
#: ``dict[str, int]``, ``Optional[TP] | None``; not ``The send future``.
_TYPE = re.compile(r"[A-Za-z_][\w.]*(\[.*\])?(\s*\|\s*[A-Za-z_][\w.]*(\[.*\])?)*")


def _sentence_not_type(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a napoleon method: ``Sentence: more`` is description, not a type.

    Google style puts an optional type before the colon of a ``Returns:``
    section or an attribute's doc; our docstrings often start with a
    sentence that has a colon in it instead.
    """

    def wrapper(self: GoogleDocstring, *args: Any, **kwargs: Any) -> Any:
        partition = self._partition_field_on_colon

        def strict(line: str) -> tuple[str, str, str]:
            before, colon, after = partition(line)
            if colon and not _TYPE.fullmatch(before.strip()):
                return line.strip(), "", ""
            return before, colon, after

        self._partition_field_on_colon = strict  # type: ignore[method-assign]
        try:
            return method(self, *args, **kwargs)
        finally:
            del self._partition_field_on_colon

    return wrapper


GoogleDocstring._consume_inline_attribute = _sentence_not_type(  # type: ignore[method-assign]
    GoogleDocstring._consume_inline_attribute
)
GoogleDocstring._consume_returns_section = _sentence_not_type(  # type: ignore[method-assign]
    GoogleDocstring._consume_returns_section
)


# -- ambiguous short names -------------------------------------------------


def _disambiguate(find_obj: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``PythonDomain.find_obj``: of several matches, take the imported one.

    A signature's ``Consumer`` matches every documented ``*.Consumer``; the
    module being documented imports exactly one of them, which is meant.
    """

    def wrapper(
        self: Any,
        env: BuildEnvironment,
        modname: str | None,
        classname: str | None,
        name: str,
        type: str | None,
        searchmode: int = 0,
    ) -> Any:
        matches = find_obj(self, env, modname, classname, name, type, searchmode)
        if len(matches) > 1 and modname:
            local = [m for m in matches if m[0] == f"{modname}.{name}"]
            if len(local) == 1:
                return local
            inside = [m for m in matches if m[0].startswith(f"{modname}.")]
            if len(inside) == 1:
                return inside
            # ``.producer.Producer`` in a module's docs: a sibling module, as
            # a relative import would read it
            package = modname.rpartition(".")[0]
            sibling = [m for m in matches if m[0] == f"{package}.{name}"]
            if len(sibling) == 1:
                return sibling
            head, _, rest = name.partition(".")
            imported = _imported_names(modname).get(head)
            if imported:
                meant = f"{imported}.{rest}" if rest else imported
                found = _import(meant)
                canonical = _canonical(found[0]) if found else None
                chosen = [m for m in matches if m[0] in (meant, canonical)]
                if len(chosen) == 1:
                    return chosen
        return matches

    return wrapper


PythonDomain.find_obj = _disambiguate(PythonDomain.find_obj)  # type: ignore[method-assign]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the resolver (after Sphinx's own, which run first)."""
    app.connect("missing-reference", resolve, priority=900)
    app.connect("autodoc-process-docstring", _note_module)
    app.connect("autodoc-skip-member", skip_reexports)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
