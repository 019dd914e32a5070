"""``faust livecheck``: run a worker for the app's LiveCheck app.

The app must have created its LiveCheck app with ``app.LiveCheck()`` (see
:mod:`faust.livecheck`).  The options are those of ``faust worker``; the web
options apply to the LiveCheck app (its web server listens on port 9999
unless configured otherwise).
"""

from __future__ import annotations

from typing import Any

from faust.types import AppT

from ._app import init_app_for_command
from .worker import worker

__all__ = ["livecheck"]


class livecheck(worker):
    """Manage LiveCheck instances."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = self.livecheck_for(self.app)
        self.app.finalize()
        init_app_for_command(self.app)

    def configure_app(self, app: AppT) -> None:
        """Apply the worker options to the LiveCheck app."""
        super().configure_app(self.livecheck_for(app))

    def livecheck_for(self, app: AppT) -> AppT:
        """The LiveCheck app of ``app``.

        Raises:
            click.UsageError: ``app.LiveCheck()`` was never called.
        """
        found = getattr(app, "livecheck", None)
        if found is None:
            raise self.UsageError(
                f"App {app.conf.id!r} is not associated with LiveCheck: "
                f"create it with livecheck = app.LiveCheck()"
            )
        return found  # type: ignore[no-any-return]  # AppT.livecheck is Any
