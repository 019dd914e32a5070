#!/usr/bin/env python
"""Record faust-streaming's public API, and compare ours against the record.

The manifest (``tests/data/faust_streaming_api.json``) holds names and
signatures only: public modules, the public names of each, classes' public
members, signatures (parameter names, kinds, literal defaults), settings
(default and environment variable), CLI commands and options, codec names.
No code is copied: it is what ``inspect`` reports about the installed
package.

Usage::

    # install faust-streaming 0.15.x in a throw-away virtualenv under /tmp,
    # introspect it there, and rewrite the manifest
    python extra/tools/faust_api_manifest.py --record

    # rewrite the "API differences" table of docs/userguide/migration.rst
    # from tests/data/faust_streaming_differences.toml
    python extra/tools/faust_api_manifest.py --docs [--check]

    # list what our package misses (what tests/test_faust_parity.py fails on)
    python extra/tools/faust_api_manifest.py --diff

``--introspect`` (used by ``--record`` inside the temporary virtualenv)
prints the manifest of the ``faust`` package importable there.
"""

from __future__ import annotations

import argparse
import ast
import enum
import functools
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Optional

import tomllib

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "tests" / "data" / "faust_streaming_api.json"
DIFFERENCES = ROOT / "tests" / "data" / "faust_streaming_differences.toml"
MIGRATION = ROOT / "docs" / "userguide" / "migration.rst"
REQUIREMENT = "faust-streaming==0.15.*"
#: optional packages some public faust-streaming modules import at load time
EXTRA_REQUIREMENTS = ("prometheus_client",)

#: parameter kinds, short
KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "po",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pk",
    inspect.Parameter.VAR_POSITIONAL: "va",
    inspect.Parameter.KEYWORD_ONLY: "ko",
    inspect.Parameter.VAR_KEYWORD: "vk",
}
NON_LITERAL = "<expr>"

# -- Introspection (runs in any environment; stdlib only) -----------------


def literal(value: Any) -> Any:
    """A JSON literal for simple values, else :data:`NON_LITERAL`."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return NON_LITERAL


def signature(obj: Any) -> Optional[list[list[Any]]]:
    """``[[name, kind, default?], ...]``; None if ``inspect`` cannot tell."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = []
    for param in sig.parameters.values():
        if param.name.startswith("_"):
            continue  # private (generated Record constructors: __faust)
        entry: list[Any] = [param.name, KINDS[param.kind]]
        if param.default is not inspect.Parameter.empty:
            entry.append(literal(param.default))
        params.append(entry)
    return params


def member_kind(cls: type, name: str) -> tuple[str, Any]:
    """How ``cls.name`` is defined: method, classmethod, property, attribute."""
    for klass in cls.__mro__:
        if name in vars(klass):
            raw = vars(klass)[name]
            break
    else:
        return "attribute", None
    if isinstance(raw, (staticmethod, classmethod)):
        return "method", getattr(cls, name)
    if inspect.isfunction(raw) or inspect.isbuiltin(raw):
        return "method", raw
    if type(raw).__name__ in ("method_descriptor", "wrapper_descriptor"):
        return "method", raw
    if inspect.isclass(raw) or not hasattr(type(raw), "__get__"):
        return "attribute", None
    if isinstance(raw, property) or hasattr(type(raw), "__set__"):
        return "property", None
    bound = getattr(cls, name, None)
    if callable(bound):  # a decorated method (stampede, wraps)
        return "method", bound
    return "property", None  # cached_property, lazily built child


@functools.cache
def _parsed(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text())


@functools.cache
def _self_attributes(klass: type) -> frozenset[str]:
    """Names the class body assigns to ``self.<name>`` (in any method)."""
    try:
        path = inspect.getsourcefile(klass)
    except TypeError:
        return frozenset()
    if path is None:
        return frozenset()
    names: set[str] = set()
    for node in ast.walk(_parsed(path)):
        if isinstance(node, ast.ClassDef) and node.name == klass.__name__:
            for sub in ast.walk(node):
                targets = (
                    sub.targets
                    if isinstance(sub, ast.Assign)
                    else [sub.target]
                    if isinstance(sub, ast.AnnAssign)
                    else []
                )
                names.update(
                    t.attr
                    for t in targets
                    if isinstance(t, ast.Attribute)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                )
    return frozenset(names)


def instance_attribute(cls: type, name: str) -> bool:
    """True if instances of ``cls`` get ``name`` (annotated or set in a method)."""
    return any(
        name in getattr(klass, "__annotations__", {}) or name in _self_attributes(klass)
        for klass in cls.__mro__
    )


#: modules outside the package whose members are part of its classes' API:
#: mode's mapping bases give tables their dict methods
CONTRACT_BASES = ("mode.utils.collections",)


def _part_of_api(module: str, package: str) -> bool:
    return module.startswith(package) or module.startswith(CONTRACT_BASES)


def _defined_in_package(cls: type, name: str, package: str) -> bool:
    for klass in cls.__mro__:
        if name in vars(klass):
            return _part_of_api(str(getattr(klass, "__module__", "")), package)
    # annotations-only attributes of a class in the package
    return any(
        name in getattr(klass, "__annotations__", {})
        and str(klass.__module__).startswith(package)
        for klass in cls.__mro__
    )


def describe_class(cls: type, package: str) -> dict[str, Any]:
    """A class: its constructor signature and public members.

    Members inherited from outside the package (mode's Service, dict) are
    left out: they are the dependency's contract, not faust's; except those
    of :data:`CONTRACT_BASES` (the dict API of tables).
    """
    names = {n for n in dir(cls) if not n.startswith("_")}
    for klass in cls.__mro__:
        names.update(
            n for n in getattr(klass, "__annotations__", {}) if not n.startswith("_")
        )
    members: dict[str, Any] = {}
    for name in sorted(names):
        if not _defined_in_package(cls, name, package):
            continue
        kind, fun = member_kind(cls, name)
        entry: dict[str, Any] = {"kind": kind}
        if kind == "method" and fun is not None:
            sig = signature(fun)
            if sig is not None:
                entry["signature"] = sig
        members[name] = entry
    out: dict[str, Any] = {"kind": "class", "members": members}
    if "__init__" in vars(cls) or any(
        "__init__" in vars(k) and str(k.__module__).startswith(package)
        for k in cls.__mro__
    ):
        sig = signature(cls)
        if sig is not None:
            out["signature"] = sig
    return out


def public_names(module: Any) -> list[str]:
    """``__all__``, or the public classes and functions defined in the module."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return sorted(n for n in names if not n.startswith("_"))
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", None) == module.__name__
    )


def describe_module(module: Any, package: str) -> dict[str, Any]:
    """The public names of a module; re-exports refer to where they are defined."""
    names: dict[str, Any] = {}
    for name in public_names(module):
        try:
            obj = getattr(module, name)
        except AttributeError:
            continue
        home = getattr(obj, "__module__", None)
        if inspect.isclass(obj):
            if home != module.__name__:
                names[name] = {"kind": "class", "ref": f"{home}:{obj.__qualname__}"}
            else:
                names[name] = describe_class(obj, package)
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            entry: dict[str, Any] = {"kind": "function"}
            sig = signature(obj)
            if sig is not None:
                entry["signature"] = sig
            names[name] = entry
        elif inspect.ismodule(obj):
            names[name] = {"kind": "module"}
        else:
            names[name] = {"kind": "data"}
    return {"names": names}


def public_modules(package: str) -> Iterator[Any]:
    """Every importable module of the package with no private path component."""
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # a driver whose optional client is missing
            continue


def describe_settings(package: str) -> dict[str, Any]:
    """Every setting: environment variable and literal default."""
    settings_mod = importlib.import_module(f"{package}.types.settings")
    settings_cls = settings_mod.Settings
    conf, other = settings_cls("parity"), settings_cls("parity")
    out: dict[str, Any] = {}
    for name, param in sorted(settings_cls.SETTINGS.items()):
        if name.startswith("_"):
            continue
        try:
            value = getattr(conf, name)
            if str(value) != str(getattr(other, name)):
                value = NON_LITERAL  # generated anew each time (reply_to)
        except Exception:  # a default that needs more configuration
            value = NON_LITERAL
        if isinstance(value, (list, tuple)) and all(
            literal(str(v)) is not None for v in value
        ):
            default: Any = [str(v) for v in value]
        elif not isinstance(value, (type, enum.Enum)) and hasattr(value, "scheme"):
            default = str(value)  # URL
        else:
            default = literal(value)
        out[name] = {
            "env_name": getattr(param, "env_name", None),
            "default": default,
            "deprecated": bool(getattr(param, "deprecated", False)),
        }
    return out


def describe_cli(package: str) -> dict[str, Any]:
    """The ``faust`` program: global options and each command's parameters."""
    cli = importlib.import_module(f"{package}.cli.faust").cli

    def params(command: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": p.name,
                "opts": sorted(p.opts),
                "kind": p.param_type_name,
                "default": literal(p.default) if not callable(p.default) else None,
            }
            for p in command.params
        ]

    return {
        "options": params(cli),
        "commands": {name: params(cmd) for name, cmd in sorted(cli.commands.items())},
    }


def describe_codecs(package: str) -> list[str]:
    """The names in the codec registry."""
    codecs = importlib.import_module(f"{package}.serializers.codecs").codecs
    return sorted(codecs)


def introspect(package: str = "faust") -> dict[str, Any]:
    """The whole manifest of the installed ``package``."""
    version = importlib.import_module(package).__version__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        modules = {
            mod.__name__: describe_module(mod, package)
            for mod in public_modules(package)
        }
        return {
            "source": {
                "distribution": "faust-streaming",
                "version": version,
                "python": ".".join(map(str, sys.version_info[:2])),
            },
            "modules": dict(sorted(modules.items())),
            "settings": describe_settings(package),
            "cli": describe_cli(package),
            "codecs": describe_codecs(package),
        }


# -- Comparison (runs against our package) ---------------------------------


def load_entries(path: Path = DIFFERENCES) -> list[dict[str, str]]:
    """The allow-list entries (``api``, ``kind``, ``why``), in file order."""
    with path.open("rb") as fh:
        entries: list[dict[str, str]] = tomllib.load(fh)["difference"]
    return entries


def load_differences(path: Path = DIFFERENCES) -> dict[str, str]:
    """The allow-list: ``api`` name -> why we differ."""
    return {entry["api"]: entry["why"] for entry in load_entries(path)}


def allowed(key: str, differences: Mapping[str, str]) -> bool:
    """True if ``key`` or a module, class or setting enclosing it is listed."""
    if key in differences:
        return True
    for i, ch in enumerate(key):
        if ch in ".:( " and key[:i] in differences:
            return True
    return False


def _param_problems(
    param: list[Any], mine: list[Any], theirs_at: int, ours_at: int
) -> Iterator[str]:
    name, kind = param[0], param[1]
    if kind in ("po", "pk") and mine[1] not in ("po", "pk"):
        yield f"{name!r} is keyword-only"
    elif kind in ("po", "pk") and theirs_at != ours_at:
        yield f"{name!r} is at another position"
    elif kind == "ko" and mine[1] == "po":
        yield f"{name!r} is positional-only"
    if len(param) > 2:
        if len(mine) < 3:
            yield f"{name!r} has no default"
        elif NON_LITERAL not in (param[2], mine[2]) and param[2] != mine[2]:
            yield f"{name!r} defaults to {mine[2]!r}, not {param[2]!r}"


def check_signature(theirs: list[list[Any]], ours: Optional[list[list[Any]]]) -> str:
    """Why a call valid against ``theirs`` may fail against ``ours`` ('' if none).

    Every parameter of theirs must exist in ours by name, with a kind that
    accepts the same calls, at the same position if passed positionally, and
    with the same literal default; ours may add parameters with defaults.
    """
    if ours is None:
        return ""
    our_params = {p[0]: p for p in ours}
    our_positional = [p[0] for p in ours if p[1] in ("po", "pk")]
    their_positional = [p[0] for p in theirs if p[1] in ("po", "pk")]
    our_kinds = {p[1] for p in ours}
    problems = []
    for param in theirs:
        name, kind = param[0], param[1]
        if name in ("self", "cls"):
            continue
        if kind in ("va", "vk"):
            if kind not in our_kinds:
                problems.append(f"no {'*' if kind == 'va' else '**'}{name}")
            continue
        mine = our_params.get(name)
        if mine is None:
            problems.append(f"no parameter {name!r}")
            continue
        positions = (
            (their_positional.index(name), our_positional.index(name))
            if kind in ("po", "pk") and mine[1] in ("po", "pk")
            else (0, 0)
        )
        problems.extend(_param_problems(param, mine, *positions))
    names = {p[0] for p in theirs}
    problems.extend(
        f"extra required parameter {p[0]!r}"
        for p in ours
        if p[0] not in names
        and p[0] not in ("self", "cls")
        and p[1] in ("po", "pk", "ko")
        and len(p) < 3
    )
    return "; ".join(problems)


def _find_spec(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def compare_class(
    key: str, theirs: Mapping[str, Any], cls: Any, package: str
) -> Iterator[tuple[str, str]]:
    """Differences between a recorded class and ours."""
    if not inspect.isclass(cls):
        yield key, f"is a {type(cls).__name__}, not a class"
        return
    if "signature" in theirs:
        problem = check_signature(theirs["signature"], signature(cls))
        if problem:
            yield f"{key}()", f"constructor: {problem}"
    for name, member in theirs["members"].items():
        mkey = f"{key}.{name}"
        if not hasattr(cls, name):
            if member["kind"] == "method" or not instance_attribute(cls, name):
                yield mkey, "missing"
            continue
        kind, fun = member_kind(cls, name)
        if member["kind"] == "method":
            if kind == "property" or (
                kind == "attribute" and not callable(getattr(cls, name, None))
            ):
                yield mkey, f"is a {kind}, not a method"
                continue
            sig = signature(fun if fun is not None else getattr(cls, name))
            problem = check_signature(member.get("signature", []), sig)
            if problem:
                yield f"{mkey}()", problem
        elif member["kind"] == "property" and kind == "method":
            yield mkey, "is a method, not a property"


def compare_modules(
    manifest: Mapping[str, Any], package: str = "faust"
) -> Iterator[tuple[str, str]]:
    """Yield ``(api, problem)`` for every recorded name ours lacks or breaks."""
    for module_name, module in manifest["modules"].items():
        try:
            ours = importlib.import_module(module_name)
        except ImportError as exc:
            yield module_name, f"cannot import: {exc}"
            continue
        for name, entry in module["names"].items():
            key = f"{module_name}:{name}"
            if entry["kind"] == "module":
                # ``from package import submodule`` works whether or not the
                # submodule was imported before (hasattr would depend on it)
                if not hasattr(ours, name) and _find_spec(f"{module_name}.{name}"):
                    continue
            if not hasattr(ours, name):
                yield key, "missing"
                continue
            obj = getattr(ours, name)
            kind = entry["kind"]
            if kind == "class" and "members" in entry:
                yield from compare_class(key, entry, obj, package)
            elif kind == "class" and not inspect.isclass(obj):
                yield key, f"is a {type(obj).__name__}, not a class"
            elif kind == "function":
                if not callable(obj):
                    yield key, "is not callable"
                    continue
                problem = check_signature(entry.get("signature", []), signature(obj))
                if problem:
                    yield f"{key}()", problem


def compare_settings(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Settings ours lacks, or whose environment variable or default differs."""
    ours = describe_settings("faust")
    for name, theirs in manifest["settings"].items():
        key = f"settings:{name}"
        mine = ours.get(name)
        if mine is None:
            yield key, "missing"
            continue
        if theirs["env_name"] and theirs["env_name"] != mine["env_name"]:
            yield key, f"environment variable {mine['env_name']}"
        d1, d2 = theirs["default"], mine["default"]
        if NON_LITERAL not in (d1, d2) and d1 != d2:
            yield key, f"default {d2!r}, not {d1!r}"


def compare_cli(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Commands and options of the ``faust`` program ours lacks."""
    ours = describe_cli("faust")

    def opts(params: list[dict[str, Any]]) -> set[str]:
        return {opt for p in params for opt in p["opts"]}

    for opt in sorted(opts(manifest["cli"]["options"]) - opts(ours["options"])):
        yield f"cli:faust {opt}", "missing option"
    for command, params in manifest["cli"]["commands"].items():
        if command not in ours["commands"]:
            yield f"cli:{command}", "missing command"
            continue
        for opt in sorted(opts(params) - opts(ours["commands"][command])):
            yield f"cli:{command} {opt}", "missing option"


def compare_codecs(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Codec names ours lacks."""
    ours = set(describe_codecs("faust"))
    for name in manifest["codecs"]:
        if name not in ours:
            yield f"codecs:{name}", "missing"


def compare(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every difference between the manifest and our package."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            *compare_modules(manifest),
            *compare_settings(manifest),
            *compare_cli(manifest),
            *compare_codecs(manifest),
        ]


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    """The recorded manifest."""
    data: dict[str, Any] = json.loads(path.read_text())
    return data


# -- Recording and docs ----------------------------------------------------


def record(python: Optional[str]) -> None:
    """Introspect faust-streaming in ``python`` (or a new venv) into the manifest."""
    if python is None:
        venv = Path(tempfile.mkdtemp(prefix="faust-streaming-api-"))
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run(
            [python, "-m", "pip", "install", "-q", REQUIREMENT, *EXTRA_REQUIREMENTS],
            check=True,
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAUST_", "F_"))}
    out = subprocess.run(
        [python, str(Path(__file__).resolve()), "--introspect"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),  # never import our faust by accident
        env=env,
    ).stdout
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(dump(json.loads(out)) + "\n")
    print(f"wrote {MANIFEST.relative_to(ROOT)}")


def dump(value: Any, indent: str = "") -> str:
    """JSON with one line per member, and per object holding no objects."""
    if not isinstance(value, dict) or not any(
        isinstance(v, dict) for v in value.values()
    ):
        return json.dumps(value, sort_keys=True)
    inner = indent + " "
    items = [
        f"{inner}{json.dumps(k)}: {dump(v, inner)}" for k, v in sorted(value.items())
    ]
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"


BEGIN = ".. begin: api-differences (generated by extra/tools/faust_api_manifest.py)"
END = ".. end: api-differences"


KIND_TITLES = {
    "deliberate": "Deliberate differences",
    "gap": "Not provided yet",
}


def rst_text(text: str) -> str:
    """One line of text, with ``*`` escaped outside inline literals."""
    parts = " ".join(text.split()).split("``")
    return "``".join(
        part if i % 2 else part.replace("*", "\\*") for i, part in enumerate(parts)
    )


def differences_table(entries: list[dict[str, str]]) -> str:
    """The reStructuredText tables of the allow-list, one per kind."""
    lines = [BEGIN, ""]
    for kind, title in KIND_TITLES.items():
        rows = [e for e in entries if e["kind"] == kind]
        lines += [title, "-" * len(title), ""]
        if not rows:
            lines += ["None: every faust-streaming name is provided.", ""]
            continue
        lines += [
            ".. list-table::",
            "    :header-rows: 1",
            "    :widths: 40 60",
            "",
            "    * - faust-streaming API",
            "      - Here",
        ]
        for entry in rows:
            lines.append(f"    * - ``{entry['api']}``")
            lines.append(f"      - {rst_text(entry['why'])}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_docs(check: bool) -> int:
    """Rewrite (or check) the generated table in the migration page."""
    text = MIGRATION.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + differences_table(load_entries()) + text[end:]
    if check:
        if new != text:
            print(
                f"{MIGRATION.relative_to(ROOT)} is out of date: run {__file__} --docs"
            )
            return 1
        return 0
    MIGRATION.write_text(new)
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--introspect", action="store_true")
    group.add_argument("--record", action="store_true")
    group.add_argument("--docs", action="store_true")
    group.add_argument("--diff", action="store_true")
    parser.add_argument("--python", help="an interpreter with faust-streaming")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.introspect:
        json.dump(introspect(), sys.stdout)
    elif args.record:
        record(args.python)
    elif args.docs:
        return write_docs(args.check)
    else:
        sys.path.insert(0, str(ROOT))
        differences = load_differences()
        found = compare(load_manifest())
        for api, problem in found:
            print(
                f"{api}: {problem}{'  (allowed)' if allowed(api, differences) else ''}"
            )
        return 1 if any(not allowed(api, differences) for api, _ in found) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
