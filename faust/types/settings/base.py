"""SettingsRegistry: indexes the ``Param`` descriptors and applies input.

``Settings(id, **kwargs)`` runs one pass:

1. compat names (``client_id`` …) are renamed with a FutureWarning;
2. unknown names are rejected, suggesting close matches;
3. ``env_prefix`` is taken from ``APP_ENV_PREFIX`` or the keyword;
4. each keyword value is converted and stored;
5. each setting's environment variable, when present, is converted and
   stored over the keyword value.

Defaults are computed on first read (see
:mod:`faust.types.settings.params`). Nothing here reads the environment at import time.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from faust.exceptions import AlreadyConfiguredWarning, ImproperlyConfigured

from .descriptor import Param
from .sections import SECTIONS, Section

__all__ = ["SettingsRegistry", "CompatAlias"]

E_NO_ID = (
    "App requires an id! Pass the application name as the first argument, "
    "e.g. faust.App('myapp')"
)

W_COMPAT_NAME = "Setting {old!r} is deprecated since Faust 1.0: use {new!r} instead"

W_ALREADY_CONFIGURED_KEY = (
    "Setting {key!r} changed to {new!r} after it was read: parts of the "
    "program may still use the old value {old!r}. Configure the app before "
    "creating topics, agents and tables."
)


class CompatAlias:
    """Old name of a setting (``client_id`` → ``broker_client_id``).

    Reading or assigning it warns (FutureWarning) and uses the new setting.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _warn(self) -> None:
        message = W_COMPAT_NAME.format(old=self.name, new=self.target)
        warnings.warn(FutureWarning(message), stacklevel=3)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        self._warn()
        return getattr(obj, self.target)

    def __set__(self, obj: Any, value: Any) -> None:
        self._warn()
        setattr(obj, self.target, value)


class SettingsRegistry:
    """Base of :class:`~faust.types.settings.Settings`.

    Subclasses declare settings as
    :class:`~faust.types.settings.params.Param` class attributes
    (usually through the per-section mixins); ``__init_subclass__`` indexes
    them into :attr:`SETTINGS` and :attr:`SETTINGS_BY_SECTION`.
    """

    #: Every setting: name → Param (deprecated ones included).
    SETTINGS: ClassVar[dict[str, Param[Any, Any]]] = {}
    #: Settings grouped by section, sections in documentation order.
    SETTINGS_BY_SECTION: ClassVar[dict[Section, list[Param[Any, Any]]]] = {}
    #: Old setting name → new setting name.
    COMPAT_ALIASES: ClassVar[dict[str, str]] = {}
    #: Environment variable → setting (``env_prefix`` aside).
    _ENV_INDEX: ClassVar[dict[str, Param[Any, Any]]] = {}

    _name: str
    _env: Mapping[str, str]
    _values: dict[str, Any]
    _cache: dict[str, Any]
    _fixed: dict[str, Any]
    _accessed: set[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._index_settings()

    @classmethod
    def _index_settings(cls) -> None:
        settings: dict[str, Param[Any, Any]] = {}
        compat: dict[str, str] = {}
        for klass in cls.__mro__:  # subclass attributes win
            for name, attr in vars(klass).items():
                if name in settings or name in compat:
                    continue
                if isinstance(attr, Param):
                    settings[name] = attr
                elif isinstance(attr, CompatAlias):
                    compat[name] = attr.target
        order = {section: i for i, section in enumerate(SECTIONS)}
        by_section: dict[Section, list[Param[Any, Any]]] = {}
        for param in sorted(
            settings.values(), key=lambda p: order.get(p.section, len(order))
        ):
            by_section.setdefault(param.section, []).append(param)
        cls.SETTINGS = settings
        cls.SETTINGS_BY_SECTION = by_section
        cls.COMPAT_ALIASES = compat
        cls._ENV_INDEX = {
            p.env_name: p
            for p in settings.values()
            if p.env_name and p.name != "env_prefix"
        }

    @classmethod
    def setting_names(cls) -> set[str]:
        """Return the names of all settings that are not deprecated."""
        return {name for name, p in cls.SETTINGS.items() if not p.deprecated}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.on_init(*args, **kwargs)

    def on_init(
        self, id: str, *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        """Apply the app id, the keyword settings and the environment.

        Called by the constructor with its arguments: override it to accept
        more arguments, and call ``super().on_init(id, **settings)``.

        Arguments:
            id: the app id.
            env: the environment to read (``os.environ`` by default).
            **kwargs: setting values by name.

        Raises:
            ImproperlyConfigured: no id, or an unknown setting name.
        """
        init = object.__setattr__
        init(self, "_values", {})
        init(self, "_cache", {})
        init(self, "_fixed", {})
        init(self, "_accessed", set())
        if not id or not isinstance(id, str):
            raise ImproperlyConfigured(E_NO_ID)
        init(self, "_name", id)
        init(self, "_env", os.environ if env is None else env)
        kwargs = self._rename_compat(kwargs)
        self._check_names(kwargs)
        self._init_env_prefix(kwargs.pop("env_prefix", None))
        settings = self.SETTINGS
        for name, value in kwargs.items():
            if value is not None:
                self._store(settings[name], value, "")
        self._apply_env()
        self.__post_init__()

    def __post_init__(self) -> None:
        """Run after all input is applied (validation hook for subclasses)."""

    # -- input --------------------------------------------------------------

    def _rename_compat(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        renamed = dict(kwargs)
        for old, new in self.COMPAT_ALIASES.items():
            if old not in renamed:
                continue
            value = renamed.pop(old)
            if value is None:
                continue  # None means "not given" for every setting
            if renamed.get(new) is not None:
                raise ImproperlyConfigured(
                    f"Cannot use both compat setting {old!r} and {new!r}: "
                    f"remove {old!r}"
                )
            warnings.warn(
                FutureWarning(W_COMPAT_NAME.format(old=old, new=new)), stacklevel=4
            )
            renamed[new] = value
        for name, value in list(renamed.items()):
            param = self.SETTINGS.get(name)
            replacement = param.replaced_by if param is not None else None
            if value is not None and replacement is not None:
                if renamed.get(replacement) is not None:
                    raise ImproperlyConfigured(
                        f"Cannot use both deprecated setting {name!r} and "
                        f"{replacement!r}: remove {name!r}"
                    )
        return renamed

    def _check_names(self, kwargs: Mapping[str, Any]) -> None:
        unknown = [name for name in kwargs if name not in self.SETTINGS]
        if unknown:
            raise ImproperlyConfigured(self._unknown_message(unknown))

    @classmethod
    def _unknown_message(cls, names: Iterable[str]) -> str:
        known = sorted(cls.setting_names())
        parts = []
        for name in names:
            matches = [k for k in known if k.lower() == name.lower()]
            matches += difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            unique = list(dict.fromkeys(matches))[:3]
            if len(unique) == 1:
                hint = f" (did you mean {unique[0]!r}?)"
            elif unique:
                hint = " (did you mean one of " + ", ".join(map(repr, unique)) + "?)"
            else:
                hint = ""
            parts.append(f"{name!r}{hint}")
        noun = "setting" if len(parts) == 1 else "settings"
        return f"Unknown {noun} " + ", ".join(parts)

    def _init_env_prefix(self, given: str | None) -> None:
        # APP_ENV_PREFIX is looked up without prefix and wins over the keyword
        param = self.SETTINGS["env_prefix"]
        raw = self._env.get(param.env_name) if param.env_name else None
        source = f"from environment variable {param.env_name}"
        if raw is None:
            raw, source = given, ""
        if raw is not None:
            self._values["env_prefix"] = param.to_python(raw, source=source)

    def _apply_env(self) -> None:
        env = self._env
        prefix = self._values.get("env_prefix")
        index = self._ENV_INDEX
        if prefix:
            index = {self._env_key(name): p for name, p in index.items()}
        if len(env) < len(index):
            # os.environ.get() is slow (a KeyError per miss): walk the
            # environment instead when it is the smaller side
            found = [(key, env[key]) for key in env if key in index]
        else:
            found = [(key, env[key]) for key in index if key in env]
        for key, raw in found:
            self._store(index[key], raw, f"from environment variable {key}")

    def _store(self, param: Param[Any, Any], value: Any, source: str) -> None:
        if param.deprecated:
            param.warn_deprecated()
        self._values[param.name] = param.to_python(value, source=source)

    def _assign(self, param: Param[Any, Any], value: Any) -> None:
        """Late assignment (``conf.broker = ...``), called by Param.__set__."""
        name = param.name
        if value is None:
            new = None
        else:
            new = param.to_python(value)
        if name in self._accessed:
            old = param.peek(self)
            warnings.warn(
                AlreadyConfiguredWarning(
                    W_ALREADY_CONFIGURED_KEY.format(key=name, new=value, old=old)
                ),
                stacklevel=4,
            )
        if new is None:
            self._values.pop(name, None)
        else:
            self._values[name] = new
        self._fixed.pop(name, None)
        self._cache.clear()

    if not TYPE_CHECKING:
        # Runtime-only so that mypy still flags assignments to unknown names.

        def __setattr__(self, key: str, value: Any) -> None:
            if key.startswith("_") or hasattr(type(self), key):
                object.__setattr__(self, key, value)
            else:
                raise ImproperlyConfigured(self._unknown_message([key]))

    # -- reading ------------------------------------------------------------

    @property
    def env(self) -> Mapping[str, str]:
        """The environment mapping settings were read from (os.environ)."""
        return self._env

    def _env_key(self, env_name: str) -> str:
        prefix: str | None = self._values.get("env_prefix")
        if prefix:
            return prefix.rstrip("_") + "_" + env_name
        return env_name

    def getenv(self, env_name: str) -> str | None:
        """Return environment variable ``env_name`` with ``env_prefix`` applied."""
        return self._env.get(self._env_key(env_name))

    def _get(self, name: str) -> Any:
        """Read a setting without read tracking or deprecation warnings."""
        return self.SETTINGS[name].read(self)

    @contextmanager
    def _untracked(self) -> Iterator[None]:
        """Reads inside (computing defaults) are not user reads."""
        saved = self._accessed
        object.__setattr__(self, "_accessed", set())
        try:
            yield
        finally:
            object.__setattr__(self, "_accessed", saved)

    def is_set(self, name: str) -> bool:
        """Return True if setting ``name`` was given (keyword, env, assignment)."""
        return name in self._values

    def as_dict(self) -> dict[str, Any]:
        """Return every current (non-deprecated) setting value, for debugging.

        Class settings given as import paths are returned as the path:
        nothing is imported.
        """
        return {
            name: param.peek(self)
            for name, param in self.SETTINGS.items()
            if not param.deprecated
        }
