"""Serializers: codecs, the key/value registry and topic schemas."""

from __future__ import annotations

from .codecs import Codec
from .registry import Registry
from .schemas import Schema

__all__ = ["Codec", "Registry", "Schema"]
