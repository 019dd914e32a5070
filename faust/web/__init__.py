"""The web server: views, blueprints and the built-in pages.

``faust.web.View`` subclasses (or ``@app.page`` functions) answer requests;
``faust.web.Blueprint`` groups views for reuse; ``faust.web.exceptions``
holds the HTTP errors views raise. ``Request``/``Response`` are abstract
classes the driver's (aiohttp's) request and response types are registered
with (see :mod:`faust.web.messages`).
"""

from __future__ import annotations

from ..types.web import ResourceOptions
from .base import Web
from .blueprints import Blueprint
from .messages import Request, Response
from .views import View, gives_model, takes_model

__all__ = [
    "Request",
    "Response",
    "ResourceOptions",
    "Web",
    "Blueprint",
    "View",
    "gives_model",
    "takes_model",
]
