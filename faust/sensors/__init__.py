"""Sensors and the Monitor."""

from __future__ import annotations

from .base import Sensor, SensorDelegate
from .metrics import performance_metrics
from .monitor import Monitor, TableState

__all__ = [
    "Monitor",
    "Sensor",
    "SensorDelegate",
    "TableState",
    "performance_metrics",
]
