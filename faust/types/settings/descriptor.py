"""The :class:`Param` descriptor: one per setting, declared once.

A ``Param`` lives on the settings class (``Settings.broker``) and holds
everything known about a setting: its converter (the subclass), default,
environment variable, section, docs and version history.  Values live in
the settings *instance*:

* ``conf._values``: values given by keyword, environment or late assignment,
  already converted (so bad input fails where it is given);
* ``conf._cache``: what a read returned (defaults converted, import paths
  resolved); cleared whenever any setting is assigned, because defaults may
  depend on other settings;
* ``conf._fixed``: computed defaults that must not change once read
  (``reply_to`` holds a random UUID);
* ``conf._accessed``: names read by user code, for
  :class:`~faust.exceptions.AlreadyConfiguredWarning`.

Assigning :const:`None` (or passing ``name=None``) means "not set": the
default applies. Subclasses (in :mod:`.scalars` and :mod:`.converters`)
override :meth:`Param.convert`.
"""

from __future__ import annotations

import inspect
import reprlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from faust.exceptions import ImproperlyConfigured

from .sections import Section

if TYPE_CHECKING:  # pragma: no cover
    from .base import SettingsRegistry

__all__ = ["Param", "DefaultFactory", "GetHook"]

IT = TypeVar("IT", contravariant=True)  # what may be assigned
OT = TypeVar("OT", covariant=True)  # what a read returns
P = TypeVar("P", bound="Param[Any, Any]")

#: ``conf -> raw value`` for computed defaults.
DefaultFactory = Callable[[Any], Any]
#: ``(conf, value) -> value`` applied on every read of a non-None value.
GetHook = Callable[[Any, Any], Any]

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80


class Param(Generic[IT, OT]):
    """Descriptor for one setting; subclasses convert and validate values.

    Arguments:
        section: the :class:`~.sections.Section` the setting is listed under.
        doc: reStructuredText description (first line is the summary).
        default: raw default, converted on first read.
        env_name: environment variable overriding keyword arguments
            (``env_prefix`` is prepended when set).
        default_alias: take the default from this other setting.
        default_template: ``str.format`` template with ``conf`` (e.g.
            ``"http://{conf.web_host}:{conf.web_port}"``), re-evaluated
            whenever another setting changes.
        on_default: ``conf -> raw value`` computing the default.
        stable_default: keep the computed default once read (``reply_to``).
        default_doc: how the docs describe a computed default.
        on_get: ``(conf, value) -> value`` applied on read (path formatting).
        allow_none: None is a meaningful value (documentation and typing).
        version_introduced: Faust version that added the setting.
        version_changed: ``{version: what changed}``.
        version_deprecated: deprecated since; reading and assigning warn.
        deprecation_reason: what to use instead.
        replaced_by: the newer setting; giving both is an error.
        related_cli_options: ``{command: [option, ...]}`` for the docs.
        related_settings: names of settings to cross-reference in the docs.
    """

    #: Type as shown in the docs.
    type_name: str = "Any"
    #: Accepted input, for error messages.
    expected: str = "any value"

    name: str = ""

    def __init__(
        self,
        *,
        section: Section,
        doc: str = "",
        default: Any = None,
        env_name: str | None = None,
        default_alias: str | None = None,
        default_template: str | None = None,
        on_default: DefaultFactory | None = None,
        stable_default: bool = False,
        default_doc: str | None = None,
        on_get: GetHook | None = None,
        allow_none: bool = False,
        version_introduced: str | None = None,
        version_changed: Mapping[str, str] | None = None,
        version_deprecated: str | None = None,
        deprecation_reason: str | None = None,
        replaced_by: str | None = None,
        related_cli_options: Mapping[str, Sequence[str]] | None = None,
        related_settings: Sequence[str] = (),
    ) -> None:
        self.section = section
        self.doc = inspect.cleandoc(doc)
        self.default = default
        self.env_name = env_name
        self.default_alias = default_alias
        self.default_template = default_template
        self.on_default = on_default
        self.stable_default = stable_default
        self.default_doc = default_doc
        self.on_get = on_get
        self.allow_none = allow_none
        self.version_introduced = version_introduced
        self.version_changed = dict(version_changed or {})
        self.version_deprecated = version_deprecated
        self.deprecation_reason = deprecation_reason
        self.replaced_by = replaced_by
        self.related_cli_options = dict(related_cli_options or {})
        self.related_settings = tuple(related_settings)
        self._static_default: Any = _MISSING

    @classmethod
    def nullable(cls: type[Param[IT, OT]], **kwargs: Any) -> Param[IT, OT | None]:
        """Declare a setting whose value may be None (the default is None)."""
        kwargs.setdefault("default", None)
        return cls(allow_none=True, **kwargs)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name}>"

    @property
    def deprecated(self) -> bool:
        """True if the setting is deprecated."""
        return bool(self.version_deprecated)

    @property
    def summary(self) -> str:
        """First line of the documentation."""
        return self.doc.strip().split("\n", 1)[0]

    # -- descriptor protocol ------------------------------------------------

    @overload
    def __get__(self: P, obj: None, objtype: Any = None) -> P: ...

    @overload
    def __get__(self, obj: object, objtype: Any = None) -> OT: ...

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        if self.version_deprecated:
            self.warn_deprecated()
        obj._accessed.add(self.name)
        return self.read(obj)

    def __set__(self, obj: Any, value: IT | None) -> None:
        if self.version_deprecated:
            self.warn_deprecated()
        obj._assign(self, value)

    def warn_deprecated(self) -> None:
        """Issue the FutureWarning for reading/assigning a deprecated setting."""
        warnings.warn(FutureWarning(self.deprecation_message()), stacklevel=3)

    def deprecation_message(self) -> str:
        """Return the one-line deprecation notice."""
        return (
            f"Setting {self.name!r} is deprecated since Faust "
            f"{self.version_deprecated}: {self.deprecation_reason}"
        )

    # -- reading ------------------------------------------------------------

    def read(self, conf: SettingsRegistry) -> OT:
        """Return the value without read tracking or deprecation warnings."""
        cache = conf._cache
        try:
            value: OT = cache[self.name]
        except KeyError:
            value = cache[self.name] = self._compute(conf)
        return value

    def peek(self, conf: SettingsRegistry) -> Any:
        """Like :meth:`read`, but never imports anything (for ``as_dict``)."""
        return self.read(conf)

    def _compute(self, conf: SettingsRegistry) -> Any:
        if self.default_alias is not None and self.name not in conf._values:
            return conf.SETTINGS[self.default_alias].read(conf)
        value = self.raw(conf)
        return None if value is None else self.prepare_get(conf, value)

    def raw(self, conf: SettingsRegistry) -> Any:
        """Return the stored value or default, before :meth:`prepare_get`."""
        values = conf._values
        if self.name in values:
            value = values[self.name]
        elif self.default_alias is not None:
            return conf.SETTINGS[self.default_alias].raw(conf)
        else:
            value = self.default_value(conf)
        if value is not None and self.on_get is not None:
            with conf._untracked():
                value = self.on_get(conf, value)
        return value

    def default_value(self, conf: SettingsRegistry) -> Any:
        """Return the converted default for ``conf`` (not the alias)."""
        if self.on_default is not None:
            fixed = conf._fixed
            if self.stable_default and self.name in fixed:
                return fixed[self.name]
            with conf._untracked():
                value = self.to_python(self.on_default(conf), source="default")
            if self.stable_default:
                fixed[self.name] = value
            return value
        if self.default_template is not None:
            with conf._untracked():
                raw = self.default_template.format(conf=conf)
            return self.to_python(raw, source="default")
        static = self._static_default
        if static is _MISSING:
            # static defaults are immutable: convert once for every instance
            static = self._static_default = (
                None if self.default is None else self.to_python(self.default)
            )
        return static

    def prepare_get(self, conf: SettingsRegistry, value: Any) -> Any:
        """Finish a stored value on read (e.g. import a class path)."""
        return value

    # -- writing ------------------------------------------------------------

    def to_python(self, value: Any, *, source: str = "") -> Any:
        """Convert and validate ``value``.

        Arguments:
            value: the input (never None).
            source: where it came from, for the message
                (``"from environment variable WEB_PORT"``).

        Raises:
            ImproperlyConfigured: naming the setting, the value and what
                is accepted.
        """
        try:
            return self.convert(value)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(self.invalid(value, source, exc)) from None

    def convert(self, value: Any) -> Any:
        """Convert a non-None input; raise TypeError/ValueError if invalid."""
        return value

    def describe_expected(self) -> str:
        """What this setting accepts, for error messages."""
        return self.expected

    def invalid(self, value: Any, source: str, exc: BaseException) -> str:
        """Build the one-line error message for a rejected value."""
        notes = "; ".join(note for note in (source, str(exc)) if note)
        why = f" ({notes})" if notes else ""
        return (
            f"Invalid value {_repr.repr(value)} for setting {self.name!r}"
            f"{why}: expected {self.describe_expected()}"
        )

    def default_text(self) -> str:
        """Describe the default for the docs."""
        if self.default_doc is not None:
            return self.default_doc
        if self.default_alias is not None:
            return f"same as ``{self.default_alias}``"
        if self.default_template is not None:
            return f"``{self.default_template}``"
        return f"``{self.default!r}``"


_MISSING: Any = object()
