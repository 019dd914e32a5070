"""The web server: views, blueprints and the built-in pages.

``faust.web.View`` subclasses (or ``@app.page`` functions) answer requests;
``faust.web.Blueprint`` groups views for reuse; ``faust.web.exceptions``
holds the HTTP errors views raise. ``Request``/``Response`` are the driver's
(aiohttp's) request and response types.
"""

from __future__ import annotations

from ..types.web import Request, ResourceOptions, Response
from .base import Web
from .blueprints import Blueprint
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
