"""``faust model NAME``: show the fields of one model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Optional

from mode.utils.text import didyoumean

from faust.models import registry

from .base import AppCommand, argument

__all__ = ["model"]

#: Shown by name (``int``); other types are shown with ``repr()``.
BUILTIN_TYPES = frozenset({int, float, str, bytes, bool, datetime, Decimal})


class model(AppCommand):
    """Show model detail."""

    headers: ClassVar[Sequence[str]] = ["field", "type", "default"]

    options = [argument("name")]

    async def run(self, name: str) -> None:
        """Print the fields of model ``name`` (``*`` marks required fields)."""
        found = self.find_model(name)
        self.say(
            self.tabulate(
                self.model_fields(found),
                headers=self.headers,
                title=self.model_to_row(found)[0],
                wrap_last_row=False,
            )
        )

    def find_model(self, name: str) -> Any:
        """The model registered as ``name`` (or ``{origin}.{name}``).

        Raises:
            click.UsageError: no such model (with a suggestion).
        """
        lookup = name
        found = registry.get(name)
        if found is None and "." not in name and self.app.conf.origin:
            origin = self.app.conf.origin.partition(":")[0]
            lookup = f"{origin}.{name}"
            found = registry.get(lookup)
        if found is None:
            raise self.unknown_model(name, lookup)
        return found

    def unknown_model(self, name: str, lookup: Optional[str] = None) -> Exception:
        """The usage error for an unknown model."""
        alt = didyoumean(
            registry,
            lookup or name,
            fmt_none=f"Please run `{self.prog_name} models` for a list.",
        )
        return self.UsageError(f"No model {name!r}. {alt}")

    def model_to_row(self, model: Any) -> list[str]:
        """The ``name`` and ``help`` of a model (its line in ``faust models``)."""
        doc = (model.__doc__ or "").strip()
        name = self.abbreviate_fqdn(model._options.namespace)
        return [name, doc.splitlines()[0] if doc else "<N/A>"]

    def model_fields(self, model: Any) -> list[list[str]]:
        """One row per field: name, type, default (``*`` if required)."""
        return [self.field(getattr(model, name)) for name in model._options.fields]

    def field(self, field: Any) -> list[str]:
        """The ``field``, ``type`` and ``default`` cells of a field descriptor."""
        default = "*" if field.required else repr(field.default)
        return [field.field, self._type(field.type), self.dark(default)]

    def _type(self, typ: Any) -> str:
        if typ in BUILTIN_TYPES:
            return str(typ.__name__)
        return repr(typ)
