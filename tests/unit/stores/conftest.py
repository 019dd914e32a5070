"""Fixtures of the store tests (the fakes live in store_fakes.py)."""

from store_fakes import app, fake_rocksdict

__all__ = ["app", "fake_rocksdict"]
