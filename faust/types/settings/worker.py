"""Worker settings: logging and redirection of standard output."""

from __future__ import annotations

from . import sections
from .params import Bool, Dict, LogHandlers, Severity

__all__ = ["WorkerSettings"]


class WorkerSettings:
    """Worker settings (mixed into :class:`~.settings.Settings`)."""

    logging_config = Dict.nullable(
        section=sections.Common,
        version_introduced="1.5",
        doc="""Logging configuration for :func:`logging.config.dictConfig`,
        applied by the worker.""",
    )

    loghandlers = LogHandlers(
        section=sections.Common,
        doc="""Extra :class:`logging.Handler` instances the worker adds.""",
    )

    worker_redirect_stdouts = Bool(
        section=sections.Worker,
        env_name="WORKER_REDIRECT_STDOUTS",
        default=True,
        doc="""Send what the worker process writes to standard output and
        error (e.g. ``print()``) to the log.""",
    )

    worker_redirect_stdouts_level = Severity(
        section=sections.Worker,
        env_name="WORKER_REDIRECT_STDOUTS_LEVEL",
        default="WARN",
        doc="""Log level of redirected standard output and error.""",
    )
