"""``faust models``: list the models (records) the app knows."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any, ClassVar

from faust.models import registry

from .base import AppCommand, option

__all__ = ["is_builtin_model", "models"]


def is_builtin_model(model: Any) -> bool:
    """True for Faust's own models (``@`` namespaces, ``faust.*`` modules)."""
    namespace: str = model._options.namespace
    module: str = getattr(model, "__module__", "") or ""
    return namespace.startswith("@") or module == "faust" or module.startswith("faust.")


class models(AppCommand):
    """List all available models as a tabulated list."""

    title: ClassVar[str] = "Models"
    headers: ClassVar[Sequence[str]] = ["name", "help"]
    #: Orders the models in the table (by namespace; override in a subclass).
    sortkey: ClassVar[attrgetter[Any]] = attrgetter("_options.namespace")

    options = [
        option(
            "--builtins/--no-builtins",
            default=False,
            help="Include Faust's own models.",
        ),
    ]

    async def run(self, *, builtins: bool = False) -> None:
        """Print the table of models."""
        rows = [self.model_to_row(model) for model in self.models(builtins)]
        self.say(self.tabulate(rows, headers=self.headers, title=self.title))

    def models(self, builtins: bool) -> list[Any]:
        """The registered models sorted by namespace (Faust's own if ``builtins``)."""
        found = sorted(registry.values(), key=self.sortkey)
        return [m for m in found if builtins or not is_builtin_model(m)]

    def model_to_row(self, model: Any) -> list[str]:
        """The ``name`` and ``help`` cells of a model."""
        return [self.bold_tail(self._name(model)), self.dark(self._help(model))]

    def _name(self, model: Any) -> str:
        return self.abbreviate_fqdn(model._options.namespace)

    def _help(self, model: Any) -> str:
        doc = (model.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else "<N/A>"
