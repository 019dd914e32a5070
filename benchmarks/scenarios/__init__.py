"""Scenario apps of the benchmark suite (run by ``benchmarks/run.py``)."""
