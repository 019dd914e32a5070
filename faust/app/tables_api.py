"""The App's table factories: ``app.Table``, ``GlobalTable``, ``SetTable``...

:class:`TableFactories` is a mixin of :class:`faust.App`; each method is a
thin facade over :func:`faust.app.factories.new_table`, which builds the
table with the app's settings and registers it with the TableManager.
No Service lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from ..types import AppT
from . import factories

__all__ = ["TableFactories"]


class TableFactories(AppT):
    """Define tables on the app (mixed into :class:`faust.App`)."""

    def Table(
        self,
        name: str,
        *,
        default: Optional[Callable[[], Any]] = None,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        help: Optional[str] = None,
        **kwargs: Any,
    ) -> Any:
        """Define a table (a dict partitioned like the stream writing it)."""
        return factories.new_table(
            self,
            "Table",
            name,
            window,
            default=default,
            partitions=partitions,
            help=help,
            **kwargs,
        )

    def GlobalTable(
        self,
        name: str,
        *,
        default: Optional[Callable[[], Any]] = None,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        help: Optional[str] = None,
        synchronize_all_active_partitions: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Define a table every worker holds in full.

        ``synchronize_all_active_partitions`` (faust-streaming) is accepted:
        a global table reads every partition anyway.
        """
        return factories.new_table(
            self,
            "GlobalTable",
            name,
            window,
            default=default,
            partitions=partitions,
            help=help,
            is_global=True,
            synchronize_all_active_partitions=synchronize_all_active_partitions,
            **kwargs,
        )

    def SetTable(
        self,
        name: str,
        *,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        start_manager: bool = False,
        help: Optional[str] = None,
        **kwargs: Any,
    ) -> Any:
        """Define a table of sets."""
        return factories.new_table(
            self,
            "SetTable",
            name,
            window,
            partitions=partitions,
            start_manager=start_manager,
            help=help,
            **kwargs,
        )

    def SetGlobalTable(
        self,
        name: str,
        *,
        window: Optional[Any] = None,
        partitions: Optional[int] = None,
        start_manager: bool = False,
        help: Optional[str] = None,
        **kwargs: Any,
    ) -> Any:
        """Define a global table of sets (truly global, unlike Faust's)."""
        return factories.new_table(
            self,
            "SetGlobalTable",
            name,
            window,
            partitions=partitions,
            start_manager=start_manager,
            help=help,
            is_global=True,
            **kwargs,
        )
