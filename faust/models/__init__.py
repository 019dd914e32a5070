"""Models: describe message keys and values as typed records.

::

    import faust

    class Point(faust.Record, serializer="json"):
        x: int
        y: int = 0
"""

from __future__ import annotations

from faust.types.models import ModelOptions, registry

from . import fields, tags
from .base import Model, maybe_model
from .fields import FieldDescriptor, StringField
from .record import Record

__all__ = [
    "FieldDescriptor",
    "Model",
    "ModelOptions",
    "Record",
    "StringField",
    "fields",
    "maybe_model",
    "registry",
    "tags",
]
