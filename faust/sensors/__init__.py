"""Sensors and the Monitor."""

from __future__ import annotations

from .base import Sensor, SensorDelegate
from .monitor import Monitor, TableState

__all__ = ["Monitor", "Sensor", "SensorDelegate", "TableState"]
